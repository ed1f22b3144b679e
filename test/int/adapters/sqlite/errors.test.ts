// Integration: the SQLite aggregate store, alert store and read model translate their own
// failures (`sqlite` in database.ts), as the snapshot store and the ledger do: a lock another
// connection holds is a TransientError the trigger retries; a read-only file, a broken table
// or a stored value that fails its schema is a PipelineError, coded, that no retry would fix.
// Each failure is made on the real file, by another connection, not by a stubbed port.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SqliteAggregateStore } from '../../../../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../../../../shared/adapters/sqlite/alert-store.ts';
import { openDatabase, type Db } from '../../../../shared/adapters/sqlite/database.ts';
import { SqliteReadModel } from '../../../../shared/adapters/sqlite/read-model.ts';
import { PipelineError, TransientError } from '../../../../shared/domain/errors.ts';
import { aggregateRow, alertState, P1 } from '../../../support/builders.ts';

let dir: string;
let file: string;
let db: Db;
let other: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-sqlite-errors-'));
  file = join(dir, 'pulse.sqlite');
  db = openDatabase(file);
  other = openDatabase(file);
});

afterEach(() => {
  db.close();
  other.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `fn` while another connection holds the write lock and `db` waits for no lock. */
async function underAnotherWriter<T>(fn: () => Promise<T>): Promise<T> {
  db.pragma('busy_timeout = 0');
  other.exec('BEGIN IMMEDIATE');
  try {
    return await fn();
  } finally {
    other.exec('ROLLBACK');
  }
}

const transientCode = (e: unknown) => (e instanceof TransientError ? (e.cause as { code?: string }).code : `not transient: ${String(e)}`);
const fault = (e: unknown) => (e instanceof PipelineError ? { code: e.code, retryable: e.retryable } : `not a PipelineError: ${String(e)}`);

/** A second connection to the same file that can only read. */
function readOnly(): Db {
  return new Database(file, { readonly: true });
}

describe('SqliteAggregateStore', () => {
  const rows = [aggregateRow({ period: P1 })];

  test('a write lock held by another connection is a TransientError', async () => {
    const store = new SqliteAggregateStore(db);
    const outcome = await underAnotherWriter(() => store.replacePeriod('26', P1, rows).then(() => 'written', transientCode));
    expect(outcome).toBe('SQLITE_BUSY');
  });

  test('a read-only file is a PipelineError coded by SQLite, not retried', async () => {
    new SqliteAggregateStore(db);
    const ro = readOnly();
    try {
      const outcome = await new SqliteAggregateStore(ro).replacePeriod('26', P1, rows).then(() => 'written', fault);
      expect(outcome).toEqual({ code: 'sqlite.sqlite_readonly', retryable: false });
    } finally {
      ro.close();
    }
  });

  test('a stored row that fails its schema is a PipelineError, not retried', async () => {
    const store = new SqliteAggregateStore(db);
    await store.replacePeriod('26', P1, rows);
    other.exec(`UPDATE aggregate_metrics SET warnings_json = '[{"code": 1}]'`);
    expect(await store.readPeriod('26', P1).then(() => 'read', fault)).toEqual({ code: 'sqlite.invalid_row', retryable: false });
  });
});

describe('SqliteAlertStore', () => {
  test('a write lock held by another connection is a TransientError', async () => {
    const store = new SqliteAlertStore(db);
    const outcome = await underAnotherWriter(() => store.save([alertState()]).then(() => 'saved', transientCode));
    expect(outcome).toBe('SQLITE_BUSY');
  });

  test('a stored state that does not parse is a PipelineError, not retried', async () => {
    const store = new SqliteAlertStore(db);
    await store.save([alertState()]);
    other.exec(`UPDATE alert_state SET state_json = '{'`);
    expect(await store.forRegion('26').then(() => 'read', fault)).toEqual({ code: 'sqlite.invalid_row', retryable: false });
  });
});

describe('SqliteReadModel', () => {
  test('a table the reads need gone from the file is a PipelineError coded by SQLite, not retried', async () => {
    const model = new SqliteReadModel(file);
    try {
      other.exec('DROP TABLE upload_ledger');
      const outcome = await model.snapshot((view) => view.reports({ limit: 5 })).then(() => 'read', fault);
      expect(outcome).toEqual({ code: 'sqlite.sqlite_error', retryable: false });
    } finally {
      model.close();
    }
  });

  test('a stored report that fails its schema is a PipelineError, not retried', async () => {
    const model = new SqliteReadModel(file);
    try {
      other.exec(`INSERT INTO upload_ledger (upload_id, bucket, object_key, sha256, status, sequence, acquired_at_ms, report_json)
        VALUES ('u1', 'b', 'k', 'x', 'completed', 1, 0, '{"status": "none"}')`);
      const outcome = await model.snapshot((view) => view.reports({ limit: 5 })).then(() => 'read', fault);
      expect(outcome).toEqual({ code: 'sqlite.invalid_row', retryable: false });
    } finally {
      model.close();
    }
  });
});
