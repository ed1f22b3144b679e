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
  // better-sqlite3 builds SQLite with a 16 MiB page cache per connection; SQLite's own default
  // of 2 MiB keeps a function's peak RSS down, and the working set of one upload (its region's
  // snapshot, pointer, aggregate and alert pages) fits in it (bench: no slower).
  db.pragma('cache_size = -2000');
  return db;
}

/**
 * Runs `fn` in a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so two
 * racing writers serialise instead of failing at commit time.
 */
export function immediate<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
