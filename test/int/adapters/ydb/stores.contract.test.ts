// Every store contract and the ReadModel contract against YDB (the same suites SQLite
// passes), when YDB_ENDPOINT and YDB_DATABASE name one; visibly skipped otherwise. The
// snapshot and upload ledger tests name their own keys and run on the database as it is.
// The others share one file because they share tables (the read model reads what the stores
// write): a two-digit region code cannot be a test's own key, so each of their fixtures
// empties the tables it uses before the test; files run in parallel, tests in a file do not.
import { YdbClient } from '../../../../shared/adapters/ydb/client.ts';
import { ydbStoresOn } from '../../../../shared/adapters/ydb/index.ts';
import { YdbReadModel } from '../../../../shared/adapters/ydb/read-model.ts';
import { aggregateStoreContract } from '../../../contract/aggregate-store.contract.ts';
import { alertStoreContract } from '../../../contract/alert-store.contract.ts';
import { readModelContract } from '../../../contract/read-model.contract.ts';
import { snapshotStoreContract } from '../../../contract/snapshot-store.contract.ts';
import { outboxContract } from '../../../contract/outbox.contract.ts';
import { uploadLedgerContract } from '../../../contract/upload-ledger.contract.ts';
import { emptyTables, ydbSuite, ydbTestDriver } from '../../../support/ydb.ts';

const LEDGER = ['upload_ledger', 'sequence_counter'];
const SNAPSHOTS = [...LEDGER, 'school_snapshot', 'municipality_snapshot', 'snapshot_batch_unit', 'current_batch'];
const REGIONS = ['26', '07'] as const;
const nothingToDispose = { [Symbol.asyncDispose]: async () => {} };

async function emptied(tables: string[]) {
  const driver = await ydbTestDriver();
  await emptyTables(driver, tables);
  return ydbStoresOn(driver);
}

ydbSuite('SnapshotStore + UploadLedger + AggregateStore + AlertStore + Outbox + ReadModel', () => {
  snapshotStoreContract('ydb', async () => ({ snapshots: ydbStoresOn(await ydbTestDriver()).snapshots, ...nothingToDispose }));
  uploadLedgerContract('ydb', async () => ({ ledger: ydbStoresOn(await ydbTestDriver()).ledger, ...nothingToDispose }));
  aggregateStoreContract('ydb', async () => ({ store: (await emptied(['aggregate_metrics', 'period_completeness'])).aggregates, regions: REGIONS, ...nothingToDispose }));
  alertStoreContract('ydb', async () => ({ store: (await emptied(['alert_state'])).alerts, regions: REGIONS, ...nothingToDispose }));
  outboxContract('ydb', async () => ({
    outbox: (await emptied(['notify_delivery', 'notify_delivery_item', 'notify_channel_state'])).outbox,
    ...nothingToDispose,
  }));
  readModelContract('ydb', async () => {
    const s = await emptied([...SNAPSHOTS, 'aggregate_metrics', 'alert_state']);
    return { read: new YdbReadModel(new YdbClient(await ydbTestDriver())), ...s, ...nothingToDispose };
  });
});
