// The snapshot, aggregate, alert, upload ledger and outbox contracts against the embedded
// adapters: a real SQLite file in a temp directory, one per test, removed when the test
// disposes of it. The snapshot and ledger tests also share one file, to hold them to the keys
// they name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteAggregateStore } from '../../../../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../../../../shared/adapters/sqlite/alert-store.ts';
import { openDatabase, type Db } from '../../../../shared/adapters/sqlite/database.ts';
import { SqliteOutbox } from '../../../../shared/adapters/sqlite/outbox.ts';
import { SqliteSnapshotStore } from '../../../../shared/adapters/sqlite/snapshot-store.ts';
import { SqliteUploadLedger } from '../../../../shared/adapters/sqlite/upload-ledger.ts';
import { aggregateStoreContract } from '../../../contract/aggregate-store.contract.ts';
import { alertStoreContract } from '../../../contract/alert-store.contract.ts';
import { outboxContract } from '../../../contract/outbox.contract.ts';
import { snapshotStoreContract } from '../../../contract/snapshot-store.contract.ts';
import { uploadLedgerContract } from '../../../contract/upload-ledger.contract.ts';

/** A database of its own in a temp directory; disposing of it closes and removes the file. */
function freshDb(): { db: Db } & AsyncDisposable {
  const dir = mkdtempSync(join(tmpdir(), 'sp-contract-'));
  const db = openDatabase(join(dir, 'store.sqlite'));
  return {
    db,
    [Symbol.asyncDispose]: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const REGIONS = ['26', '07'] as const;

snapshotStoreContract('sqlite', async () => {
  const f = freshDb();
  return { snapshots: new SqliteSnapshotStore(f.db), [Symbol.asyncDispose]: f[Symbol.asyncDispose] };
});
aggregateStoreContract('sqlite', async () => {
  const f = freshDb();
  return { store: new SqliteAggregateStore(f.db), regions: REGIONS, [Symbol.asyncDispose]: f[Symbol.asyncDispose] };
});
alertStoreContract('sqlite', async () => {
  const f = freshDb();
  return { store: new SqliteAlertStore(f.db), regions: REGIONS, [Symbol.asyncDispose]: f[Symbol.asyncDispose] };
});
uploadLedgerContract('sqlite', async () => {
  const f = freshDb();
  return { ledger: new SqliteUploadLedger(f.db), [Symbol.asyncDispose]: f[Symbol.asyncDispose] };
});

const shared = freshDb();
afterAll(() => shared[Symbol.asyncDispose]());
snapshotStoreContract('sqlite (one file for every test)', async () => ({ snapshots: new SqliteSnapshotStore(shared.db), [Symbol.asyncDispose]: async () => {} }));
uploadLedgerContract('sqlite (one file for every test)', async () => ({ ledger: new SqliteUploadLedger(shared.db), [Symbol.asyncDispose]: async () => {} }));

outboxContract('sqlite', async () => {
  const f = freshDb();
  return { outbox: new SqliteOutbox(f.db), [Symbol.asyncDispose]: f[Symbol.asyncDispose] };
});
