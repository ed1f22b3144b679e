// The SnapshotStore/UploadLedger contract against YDB (the same suite SQLite passes), when
// YDB_ENDPOINT and YDB_DATABASE name one; visibly skipped otherwise.
import { ydbStoresOn } from '../../../shared/adapters/ydb/index.ts';
import { snapshotStoreContract } from '../../contract/snapshot-store.contract.ts';
import { emptyTables, ydbSuite, ydbTestDriver } from '../../helpers/ydb.ts';

const TABLES = ['upload_ledger', 'sequence_counter', 'school_snapshot', 'municipality_snapshot', 'snapshot_batch_unit', 'current_batch'];

ydbSuite('SnapshotStore + UploadLedger', () => {
  snapshotStoreContract('ydb', async () => {
    const driver = await ydbTestDriver();
    await emptyTables(driver, TABLES);
    const s = ydbStoresOn(driver);
    return { snapshots: s.snapshots, ledger: s.ledger, close: async () => undefined };
  });
});
