// Every store contract and the ReadModel contract against YDB (the same suites SQLite
// passes), when YDB_ENDPOINT and YDB_DATABASE name one; visibly skipped otherwise. They
// share one file because they share tables (the read model reads what the stores write)
// and each test empties what it uses: files run in parallel, tests in a file do not.
import { YdbClient } from '../../../../shared/adapters/ydb/client.ts';
import { ydbStoresOn } from '../../../../shared/adapters/ydb/index.ts';
import { YdbReadModel } from '../../../../shared/adapters/ydb/read-model.ts';
import { readModelContract } from '../../../contract/read-model.contract.ts';
import { snapshotStoreContract } from '../../../contract/snapshot-store.contract.ts';
import { aggregateStoreContract, alertStoreContract, outboxContract } from '../../../contract/stores.contract.ts';
import { emptyTables, ydbSuite, ydbTestDriver } from '../../../support/ydb.ts';

const LEDGER = ['upload_ledger', 'sequence_counter'];
const SNAPSHOTS = [...LEDGER, 'school_snapshot', 'municipality_snapshot', 'snapshot_batch_unit', 'current_batch'];

async function emptied(tables: string[]) {
  const driver = await ydbTestDriver();
  await emptyTables(driver, tables);
  return ydbStoresOn(driver);
}

function fresh<K extends 'aggregates' | 'alerts'>(key: K, tables: string[]) {
  return async () => ({ store: (await emptied(tables))[key], close: async () => undefined });
}

ydbSuite('SnapshotStore + UploadLedger + AggregateStore + AlertStore + Outbox + ReadModel', () => {
  snapshotStoreContract('ydb', async () => {
    const s = await emptied(SNAPSHOTS);
    return { snapshots: s.snapshots, ledger: s.ledger, close: async () => undefined };
  });
  aggregateStoreContract('ydb', fresh('aggregates', ['aggregate_metrics']));
  alertStoreContract('ydb', fresh('alerts', ['alert_state']));
  outboxContract('ydb', async () => ({
    outbox: (await emptied(['notify_delivery', 'notify_delivery_item', 'notify_channel_state'])).outbox,
    [Symbol.asyncDispose]: async () => undefined,
  }));
  readModelContract('ydb', async () => {
    const s = await emptied([...SNAPSHOTS, 'aggregate_metrics', 'alert_state']);
    return { read: new YdbReadModel(new YdbClient(await ydbTestDriver())), ...s, close: async () => undefined };
  });
});
