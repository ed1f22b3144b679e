// The ReadModel contract against the embedded adapter: a real SQLite file in a temp
// directory per test (removed when the test disposes of it), written through the stores' connection and read through the read
// model's own connection, as the functions and the API do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteAggregateStore } from '../../../../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../../../../shared/adapters/sqlite/alert-store.ts';
import { openDatabase } from '../../../../shared/adapters/sqlite/database.ts';
import { SqliteReadModel } from '../../../../shared/adapters/sqlite/read-model.ts';
import { SqliteSnapshotStore } from '../../../../shared/adapters/sqlite/snapshot-store.ts';
import { SqliteUploadLedger } from '../../../../shared/adapters/sqlite/upload-ledger.ts';
import { readModelContract } from '../../../contract/read-model.contract.ts';

readModelContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-contract-'));
  const path = join(dir, 'store.sqlite');
  const db = openDatabase(path);
  const read = new SqliteReadModel(path);
  return {
    read,
    aggregates: new SqliteAggregateStore(db),
    alerts: new SqliteAlertStore(db),
    ledger: new SqliteUploadLedger(db),
    snapshots: new SqliteSnapshotStore(db),
    [Symbol.asyncDispose]: async () => {
      read.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
