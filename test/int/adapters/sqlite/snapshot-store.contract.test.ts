// The SnapshotStore/UploadLedger contract against the embedded adapter: a real SQLite
// file in a temp directory, one per test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../../shared/adapters/sqlite/database.ts';
import { SqliteSnapshotStore } from '../../../../shared/adapters/sqlite/snapshot-store.ts';
import { SqliteUploadLedger } from '../../../../shared/adapters/sqlite/upload-ledger.ts';
import { snapshotStoreContract } from '../../../contract/snapshot-store.contract.ts';

snapshotStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-contract-'));
  const db = openDatabase(join(dir, 'store.sqlite'));
  return {
    snapshots: new SqliteSnapshotStore(db),
    ledger: new SqliteUploadLedger(db),
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
