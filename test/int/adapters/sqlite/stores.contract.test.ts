// The aggregate, alert and outbox contracts against the embedded adapters: a real SQLite
// file in a temp directory, one per test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteAggregateStore } from '../../../../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../../../../shared/adapters/sqlite/alert-store.ts';
import { openDatabase, type Db } from '../../../../shared/adapters/sqlite/database.ts';
import { SqliteOutbox } from '../../../../shared/adapters/sqlite/outbox.ts';
import { aggregateStoreContract, alertStoreContract, outboxContract } from '../../../contract/stores.contract.ts';

function fresh<T>(build: (db: Db) => T) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-contract-'));
    const db = openDatabase(join(dir, 'store.sqlite'));
    return {
      store: build(db),
      close: async () => {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

aggregateStoreContract('sqlite', fresh((db) => new SqliteAggregateStore(db)));
alertStoreContract('sqlite', fresh((db) => new SqliteAlertStore(db)));
outboxContract('sqlite', async () => {
  const s = await fresh((db) => new SqliteOutbox(db))();
  return { outbox: s.store, [Symbol.asyncDispose]: s.close };
});
