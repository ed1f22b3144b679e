// Integration: the real project on the local stack, driven from outside — uploads through
// the plain S3 API (the AWS SDK, as any S3 client), timers through the runtime's clock —
// with the bundled handlers and the wiring read from serverless.yml.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../../../../shared/adapters/sqlite/database.ts';
import { SqliteAggregateStore } from '../../../../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteOutbox } from '../../../../shared/adapters/sqlite/outbox.ts';
import { SqliteUploadLedger } from '../../../../shared/adapters/sqlite/upload-ledger.ts';
import { NotificationEvent } from '../../../../shared/domain/events.ts';
import { UploadReport } from '../../../../shared/domain/schemas.ts';
import { readDeliveries } from '../../../../shared/usecases/outbox.ts';
import { ensureBuilt } from '../../../../infra/local/functions.ts';
import { createLocalStack, type LocalStack } from '../../../../infra/local/runtime.ts';
import { loadLocalModel } from '../../../../infra/local/serverless-config.ts';
import { REPO_ROOT as root } from '../../../support/paths.ts';

const samples = join(root, 'events/samples');
const BUCKET = 'sferum-pulse-exports';
const dirs: string[] = [];

function client(stack: LocalStack) {
  return new S3Client({ endpoint: stack.s3.endpoint, region: 'ru-central1', forcePathStyle: true, credentials: stack.s3.credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
}

async function stackFor(opts: Partial<Parameters<typeof createLocalStack>[0]> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sp-stack-'));
  dirs.push(dataDir);
  return createLocalStack({ root, dataDir, build: false, functionLogs: null, log: () => undefined, env: { NOTIFY_CONFIG: '{"grouping":{"windowMs":0}}' }, ...opts });
}

async function reportOf(s3: S3Client, key: string) {
  const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `reports/${key}.json` }));
  return UploadReport.parse(JSON.parse(await r.Body!.transformToString()));
}

describe('local stack with the project', () => {
  beforeAll(async () => {
    // one build for the suite, by the runtime's own staleness check; the stacks start with build: false
    await ensureBuilt(root, loadLocalModel(join(root, 'serverless.yml')).functions, () => undefined);
  }, 180_000);
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  test('an upload through the S3 API runs ingest, aggregate and notify: the report is in the bucket and the ledger, the aggregates over HTTP, and a log-channel delivery', async () => {
    const apiKey = 'test-reader-key-4711';
    await using stack = await stackFor({ env: { NOTIFY_CONFIG: '{"grouping":{"windowMs":0}}', API_KEYS: `test:reader:${createHash('sha256').update(apiKey).digest('hex')}` } });
    const s3 = client(stack);
    const name = '07a_schools_03.04-07.04.2023.csv';
    const key = `uploads/26/${name}`;

    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: readFileSync(join(samples, name)) }));
    await stack.idle();

    const report = await reportOf(s3, key);
    expect(report).toMatchObject({ key, tables: [{ kind: 'schools' }], periods: [{ start: '2023-04-03', end: '2023-04-07' }] });
    expect(report.status).toBe('partial');
    expect(report.rows.rejected).toBeGreaterThan(0);
    expect(stack.invocations.map((i) => `${i.function}:${i.trigger}:${i.ok}`)).toEqual(expect.arrayContaining(['ingest:s3:true', 'aggregate:ymq:true', 'notify:ymq:true']));
    const db = openDatabase(stack.sqlitePath);
    try {
      expect(await new SqliteUploadLedger(db).getReport(report.upload_id)).toEqual(report);
      const rows = await new SqliteAggregateStore(db).readPeriod('26', { start: '2023-04-03', end: '2023-04-07' });
      expect(rows[0]?.values['schools_total']).toBe(report.rows.accepted);
      expect((await readDeliveries(new SqliteOutbox(db), 'delivered', 100)).some((d) => d.channelId === 'log')).toBe(true);
    } finally {
      db.close();
    }
    const api = stack.api!.url;
    const period = await fetch(`${api}/v1/regions/26/periods/2023-04-03..2023-04-07`, { headers: { 'X-API-Key': apiKey } });
    expect(period.status).toBe(200);
    const body = JSON.stringify(await period.json());
    expect(body).toContain('"schools_total"');
    expect(body).toContain(String(report.rows.accepted));
    expect((await fetch(`${api}/v1/regions/26/periods`)).status).toBe(401);
    expect(stack.deadLetters).toEqual([]);
  });

  test('three uploads at once reach ingest as one batch and each gets its report', async () => {
    await using stack = await stackFor({ objectBatchCutoffMs: 300 });
    const s3 = client(stack);
    const names = ['02b_mouo_23.02-03.03.2023.csv', '03b_mouo_06.03-10.03.2023.csv', '04b_mouo_13.03-17.03.2023.csv'];

    await Promise.all(names.map((n) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `uploads/26/${n}`, Body: readFileSync(join(samples, n)) }))));
    await stack.idle();

    expect(stack.invocations.filter((i) => i.function === 'ingest')).toHaveLength(1);
    for (const n of names) expect((await reportOf(s3, `uploads/26/${n}`)).status).toBe('accepted');
    const db = openDatabase(stack.sqlitePath);
    try {
      expect((await new SqliteAggregateStore(db).periods('26')).map((p) => p.start)).toEqual(['2023-02-23', '2023-03-06', '2023-03-13']);
    } finally {
      db.close();
    }
  });

  test('the missing-export timer fires at Monday 07:00 of the simulated clock; a duplicate firing delivers each event once', async () => {
    await using stack = await stackFor({ clockStart: new Date('2026-11-23T06:58:00Z') });
    const monday = new Date('2026-11-23T07:00:00Z');

    await stack.tick(monday);
    await stack.idle();
    await stack.fireAt(monday);
    await stack.idle();

    // at 07:00 the reconcile timer (every 10 minutes) fires too
    expect(stack.firings.filter((f) => f.function === 'schedule').map((f) => `${f.trigger}@${f.at.slice(11, 16)}`)).toEqual(['schedule-cron@07:00', 'schedule-cron-2@07:00', 'schedule-cron@07:00', 'schedule-cron-2@07:00']);
    const published = stack.queues.get('sferum-pulse-notifications')!.history.map((b) => NotificationEvent.parse(JSON.parse(b)));
    const missing = published.filter((e) => e.type === 'export_missing');
    const ids = new Set(missing.map((e) => e.id));
    expect(ids.size).toBe(33);
    expect(missing).toHaveLength(66);
    const db = openDatabase(stack.sqlitePath);
    try {
      const deliveredIds = (await readDeliveries(new SqliteOutbox(db), 'delivered', 1000)).flatMap((d) => d.eventIds).filter((id) => ids.has(id));
      expect(deliveredIds).toHaveLength(33);
    } finally {
      db.close();
    }
  });

  test('an upload whose trigger was lost is reconciled once by the 10-minute timer', async () => {
    await using stack = await stackFor({ objectTriggers: false, clockStart: new Date('2026-11-23T07:05:00Z'), env: { RECONCILE_GRACE_MS: '1', NOTIFY_CONFIG: '{"grouping":{"windowMs":0}}' } });
    const s3 = client(stack);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/26/lost.csv', Body: readFileSync(join(samples, '07b_mouo_03.04-07.04.2023.csv')) }));
    await stack.idle();
    expect(stack.invocations.filter((i) => i.function === 'ingest')).toEqual([]);

    await new Promise((r) => setTimeout(r, 20)); // older than the 1 ms grace
    await stack.tick(new Date('2026-11-23T07:20:00Z'));
    await stack.idle();

    expect(stack.firings.filter((f) => f.trigger === 'schedule-cron-2').map((f) => f.at.slice(11, 16))).toEqual(['07:10', '07:20']);
    expect((await reportOf(s3, 'uploads/26/lost.csv')).tables.map((t) => t.kind)).toEqual(['municipalities']);
    const db = openDatabase(stack.sqlitePath);
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM upload_ledger').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });
});
