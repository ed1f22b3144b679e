// Integration: failure that stays bounded (issue: a garbage file blew the call stack, was
// retried and dead-lettered with no report). Real s3rver, real SQLite, real event JSON.
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import type { Db } from '../../../../shared/adapters/sqlite/database.ts';
import { SqliteSnapshotStore } from '../../../../shared/adapters/sqlite/snapshot-store.ts';
import { ingestHandler } from '../../../../functions/ingest/handler.ts';
import { IssueCode } from '../../../../shared/domain/errors.ts';
import { UploadReport } from '../../../../shared/domain/schemas.ts';
import { BatchRetryError } from '../../../../shared/runtime/batch.ts';
import { reconcileUploads } from '../../../../shared/usecases/reconcile-uploads.ts';
import { buildReference } from '../../../../shared/runtime/reference.ts';
import { SCHOOLS_CSV_HEADER as HEADER, SCHOOLS_CSV_ROW as GOOD } from '../../../support/builders.ts';
import { functionContext, storageEvent } from '../../../support/events.ts';
import { withOverrides } from '../../../support/faults.ts';
import { startIngestEnv, TEST_SETTINGS, type IngestEnv } from '../../../support/ingest-env.ts';
import { TEST_BUCKET } from '../../../support/s3.ts';

const GARBAGE = 'когда-то;Нигде;;123;может;быть;много;x;-5;1,5';
const GRACE = 10 * 60_000;
const reference = buildReference();

async function reportOf(env: IngestEnv, key: string): Promise<{ report: UploadReport; bytes: number }> {
  const text = await env.reportText(key);
  if (text === null) throw new Error(`no report for ${key}`);
  return { report: UploadReport.parse(JSON.parse(text)), bytes: text.length };
}

const ledger = (env: IngestEnv) => env.db.prepare('SELECT status, report_status FROM upload_ledger ORDER BY sequence').all();

/** A header mapper with a bug that only this file's headers hit (the poison file). */
const buggyOn = (marker: string) => (headers: readonly string[]) => {
  if (headers.includes(marker)) throw new TypeError("Cannot read properties of undefined (reading 'kind')");
  return reference.mapHeaders(headers);
};

describe('bounded failure', () => {
  test('30 000 garbage rows end in a report of the first 1 000 issues and counts of all', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/garbage.csv';
    await env.upload(key, `${HEADER}\r\n${`${GARBAGE}\r\n`.repeat(30_000)}${GOOD}\r\n`);

    const reply = await ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(), env.deps());

    expect(JSON.parse(reply.body)).toEqual([expect.objectContaining({ kind: 'ingested', status: 'partial' })]);
    const { report, bytes } = await reportOf(env, key);
    expect(report.rows).toEqual({ accepted: 1, rejected: 30_000 });
    expect(report.errors).toHaveLength(1000);
    expect(report.errors[0]).toMatchObject({ row: 2, file: key });
    const counted = Object.values(report.issue_counts ?? {}).reduce((n, c) => n + c, 0);
    expect(counted).toBe(report.errors.length + report.warnings.length + report.issues_omitted!);
    expect(report.issue_counts?.[IssueCode.BadInn]).toBe(30_000);
    expect(bytes).toBeLessThan(1_500_000);
    expect(ledger(env)).toEqual([{ status: 'completed', report_status: 'partial' }]);
  });

  test('the listed issues are a setting', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/garbage-small.csv';
    await env.upload(key, `${HEADER}\r\n${`${GARBAGE}\r\n`.repeat(50)}`);
    await ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(), env.deps({ settings: { ...TEST_SETTINGS, maxReportIssues: 7 } }));
    const { report } = await reportOf(env, key);
    expect(report.errors).toHaveLength(7);
    expect(report.issues_omitted).toBeGreaterThan(50);
  });

  test('a fault of ours on a file closes the upload with a report saying so, and is not retried', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/poison.csv';
    await env.upload(key, `${HEADER};ЯД\r\n${GOOD};1\r\n`);
    const deps = env.deps({ mapHeaders: buggyOn('ЯД') });

    const reply = await ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(), deps);
    const again = await ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(), deps);

    expect(JSON.parse(reply.body)).toEqual([expect.objectContaining({ kind: 'ingested', status: 'rejected' })]);
    expect(JSON.parse(again.body)).toEqual([expect.objectContaining({ kind: 'duplicate' })]);
    const { report } = await reportOf(env, key);
    expect(report.file_error).toMatchObject({ code: IssueCode.IngestFailed, file: key });
    expect(report.file_error?.message).toContain('TypeError');
    expect(ledger(env)).toEqual([{ status: 'completed', report_status: 'rejected' }]);
    expect(env.db.prepare('SELECT count(*) AS n FROM school_snapshot').get()).toEqual({ n: 0 });
    expect(env.logs.entries().some((e) => e.msg === 'ingest.failed')).toBe(true);
  });

  test('a SQLite failure inside the store is translated by its adapter into an infrastructure fault: retried, lease released', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/flaky.csv';
    await env.upload(key, `${HEADER}\r\n${GOOD}\r\n`);
    // the database, not the port, fails: the adapter itself must say it is a store fault
    const locked = withOverrides(env.db, {
      transaction: (() => {
        throw new Database.SqliteError('database is locked', 'SQLITE_BUSY');
      }) as unknown as Db['transaction'],
    });
    const flaky = new SqliteSnapshotStore(locked);

    await expect(ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(), env.deps({ snapshots: flaky }))).rejects.toBeInstanceOf(BatchRetryError);
    expect(ledger(env)).toEqual([{ status: 'in_progress', report_status: null }]);
    const retried = await ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(), env.deps());
    expect(JSON.parse(retried.body)).toEqual([expect.objectContaining({ kind: 'ingested', status: 'accepted' })]);
  });

  test('reconciliation: a poison object first in the listing is closed once, and the stuck uploads after it are ingested', async () => {
    await using env = await startIngestEnv();
    await env.upload('uploads/26/a-poison.csv', `${HEADER};ЯД\r\n${GOOD};1\r\n`);
    await env.upload('uploads/26/b-stuck.csv', `${HEADER}\r\n${GOOD}\r\n`);
    await env.upload('uploads/26/c-stuck.csv', `${HEADER}\r\n${GOOD.replace('2634000011', '2634000029')}\r\n`);
    env.clock.set(Date.now() + GRACE + 1_000);
    const deps = env.deps({ mapHeaders: buggyOn('ЯД') });

    const first = await reconcileUploads(deps, { bucket: TEST_BUCKET, graceMs: GRACE, remainingMs: 60_000 });
    const next = await reconcileUploads(deps, { bucket: TEST_BUCKET, graceMs: GRACE, remainingMs: 60_000 });

    expect(first.ingested).toEqual([
      { key: 'uploads/26/a-poison.csv', outcome: 'failed' },
      { key: 'uploads/26/b-stuck.csv', outcome: 'ingested' },
      { key: 'uploads/26/c-stuck.csv', outcome: 'ingested' },
    ]);
    expect(next.ingested).toEqual([]);
    expect((await reportOf(env, 'uploads/26/a-poison.csv')).report.file_error?.code).toBe(IssueCode.IngestFailed);
  });

  test('reconciliation: an object whose read fails does not stop the others', async () => {
    await using env = await startIngestEnv();
    await env.upload('uploads/26/a-unreadable.csv', `${HEADER}\r\n${GOOD}\r\n`);
    await env.upload('uploads/26/b-stuck.csv', `${HEADER}\r\n${GOOD}\r\n`);
    env.clock.set(Date.now() + GRACE + 1_000);
    const objects = withOverrides(env.s3.store, {
      head: async (bucket: string, key: string) => (key.includes('unreadable') ? Promise.reject(new Error('socket hang up')) : env.s3.store.head(bucket, key)),
    });

    const run = await reconcileUploads(env.deps({ objects }), { bucket: TEST_BUCKET, graceMs: GRACE, remainingMs: 60_000 });

    expect(run.ingested).toEqual([
      { key: 'uploads/26/a-unreadable.csv', outcome: 'failed' },
      { key: 'uploads/26/b-stuck.csv', outcome: 'ingested' },
    ]);
  });

  test('CSV records that cannot be read are rejected with their rows, the good rows ingested', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/torn.csv';
    const long = GOOD.replace('Школа', 'Ш'.repeat(70_000));
    const wide = `${GOOD}${';x'.repeat(70)}`;
    const good2 = GOOD.replace('2634000011', '2634000029');
    const text = `${HEADER}\r\n${GOOD}\r\n${long}\r\n${wide}\r\n`;
    const bytes = Buffer.concat([Buffer.from(`${text}${GOOD.slice(0, 20)}`), Buffer.from([0]), Buffer.from(`${GOOD.slice(20)}\r\n${good2}\r\n"open;1\r\n`)]);
    await env.upload(key, bytes);

    await ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(), env.deps());

    const { report } = await reportOf(env, key);
    expect(report.status).toBe('partial');
    expect(report.rows).toEqual({ accepted: 2, rejected: 4 });
    expect(report.errors.map((e) => [e.row, e.code])).toEqual([
      [3, IssueCode.RowTooLong],
      [4, IssueCode.RowTooManyColumns],
      [5, IssueCode.RowNulByte],
      [7, IssueCode.RowUnclosedQuote],
    ]);
  });
});
