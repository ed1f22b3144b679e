// Adapter support: one SQLite database file (the embedded stand-in for YDB). Every SQLite
// adapter takes the same handle and creates its own tables idempotently, so a data
// directory is self-describing and adapters can be built alone in tests.
import Database from 'better-sqlite3';
import { z } from 'zod';
import { PipelineError, TransientError } from '../../domain/errors.ts';

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

// Codes a retry may get past: another writer holding the lock, a full disk, an I/O hiccup.
const PASSING = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|NOMEM|PROTOCOL)/;

/**
 * Runs one adapter call with its failures translated, so nothing above the adapter sees a
 * better-sqlite3 error (as the YDB adapters do in ydb/errors.ts): a passing SQLite code is a
 * TransientError; any other SQLite code (a constraint, a corrupt file, a read-only file) fails
 * again on every retry, so it is a PipelineError that is not retried, coded `sqlite.<code>`;
 * so is a stored value that does not parse or fails its schema (`sqlite.invalid_row`);
 * anything else thrown in the adapter stays transient, as a store fault always was for the
 * use cases.
 */
export function sqlite<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PipelineError) throw err;
    if (err instanceof Database.SqliteError && !PASSING.test(err.code)) {
      throw new PipelineError(`SQLite ${err.code} during ${what}: ${err.message}`, `sqlite.${err.code.toLowerCase()}`, false, { cause: err });
    }
    if (err instanceof z.ZodError || err instanceof SyntaxError) {
      throw new PipelineError(`a stored value is not what its column holds during ${what}: ${err.message}`, 'sqlite.invalid_row', false, { cause: err });
    }
    throw new TransientError(`${what} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
