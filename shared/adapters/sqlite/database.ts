// Adapter support: one SQLite database file (the embedded stand-in for YDB). Every SQLite
// adapter takes the same handle and creates its own tables idempotently, so a data
// directory is self-describing and adapters can be built alone in tests.
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Opens (or creates) the database with settings that let several handlers share it. */
export function openDatabase(path: string): Db {
  const db = new Database(path);
  // WAL lets readers see the last committed state while a writer holds the lock: the
  // "old or new rows, never a mix" promise for readers during a flip.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Runs `fn` in a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so two
 * racing writers serialise instead of failing at commit time.
 */
export function immediate<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
