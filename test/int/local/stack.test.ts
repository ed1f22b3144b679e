// Integration: the local stack driven from outside — uploads through the plain S3 API
// (the AWS SDK, as any S3 client), timers through the runtime's clock — with the bundled
// handlers and the wiring read from serverless.yml.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SqliteOutbox } from '../../../shared/adapters/sqlite/outbox.ts';
import { openDatabase } from '../../../shared/adapters/sqlite/database.ts';
import { SqliteAggregateStore } from '../../../shared/adapters/sqlite/aggregate-store.ts';
import { NotificationEvent } from '../../../shared/domain/events.ts';
import { createLocalStack, type LocalStack } from '../../../infra/local/runtime.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const quiet = () => undefined;

function client(stack: LocalStack) {
  return new S3Client({ endpoint: stack.s3.endpoint, region: 'ru-central1', forcePathStyle: true, credentials: stack.s3.credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
}

describe('local stack', () => {
  let dir: string;
  beforeAll(async () => {
    // one build for the suite: every stack below starts with build: false
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'ignore' });
  });
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  test('an upload through the S3 API runs ingest, aggregate and notify; the report, the aggregates and a log-channel delivery appear', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-stack-'));
    await using stack = await createLocalStack({ root, dataDir: dir, build: false, log: quiet, env: { NOTIFY_CONFIG: '{"grouping":{"windowMs":0}}' } });
    const s3 = client(stack);
    const name = '07a_schools_03.04-07.04.2023.csv';

    await s3.send(new PutObjectCommand({ Bucket: 'sferum-pulse-exports', Key: `uploads/26/${name}`, Body: readFileSync(join(root, 'events/samples', name)) }));
    await stack.idle();

    const report = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: 'sferum-pulse-exports', Key: `reports/uploads/26/${name}.json` }))).Body!.transformToString());
    expect(report).toMatchObject({ status: 'partial', rows: { accepted: 626, rejected: 5 } });
    expect(stack.invocations.map((i) => `${i.function}:${i.trigger}:${i.ok}`)).toEqual(expect.arrayContaining(['ingest:s3:true', 'aggregate:ymq:true', 'notify:ymq:true']));
    const db = openDatabase(stack.sqlitePath);
    try {
      const rows = await new SqliteAggregateStore(db).readPeriod('26', { start: '2023-04-03', end: '2023-04-07' });
      expect(rows[0]?.values.schools_total).toBe(626);
      const delivered = await new SqliteOutbox(db).list('delivered', { limit: 100 });
      expect(delivered.some((d) => d.channelId === 'log')).toBe(true);
    } finally {
      db.close();
    }
    expect(stack.deadLetters).toEqual([]);
  });

  test('the missing-export timer fires once per municipality even when it fires twice', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-stack-'));
    await using stack = await createLocalStack({ root, dataDir: d, build: false, log: quiet, env: { NOTIFY_CONFIG: '{"grouping":{"windowMs":0}}' } });
    const monday = new Date('2026-11-23T07:00:00Z');

    await stack.tick(monday);
    await stack.idle();
    await stack.tick(monday);
    await stack.idle();

    const published = [...stack.queues.get('sferum-pulse-notifications')!.history].map((b) => NotificationEvent.parse(JSON.parse(b)));
    const missing = published.filter((e) => e.type === 'export_missing');
    expect(missing).toHaveLength(66);
    expect(new Set(missing.map((e) => e.id)).size).toBe(33);
    const db = openDatabase(stack.sqlitePath);
    try {
      const deliveries = await new SqliteOutbox(db).list('delivered', { limit: 1000 });
      const delivered = new Set(deliveries.flatMap((x) => x.eventIds));
      expect(missing.filter((e) => delivered.has(e.id)).length).toBe(66);
      expect(deliveries.flatMap((x) => x.eventIds).filter((id) => missing.some((e) => e.id === id))).toHaveLength(33);
    } finally {
      db.close();
      rmSync(d, { recursive: true, force: true });
    }
  });

  test('an upload whose trigger was lost is reconciled once by the timer', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-stack-'));
    await using stack = await createLocalStack({ root, dataDir: d, build: false, log: quiet, objectTriggers: false, env: { RECONCILE_GRACE_MS: '1' } });
    const s3 = client(stack);
    await s3.send(new PutObjectCommand({ Bucket: 'sferum-pulse-exports', Key: 'uploads/26/lost.csv', Body: readFileSync(join(root, 'events/samples/07b_mouo_03.04-07.04.2023.csv')) }));
    await stack.idle();
    expect(stack.invocations.filter((i) => i.function === 'ingest')).toEqual([]);

    await new Promise((r) => setTimeout(r, 20));
    await stack.tick(new Date('2026-11-23T07:10:00Z'));
    await stack.idle();
    await stack.tick(new Date('2026-11-23T07:20:00Z'));
    await stack.idle();

    const reconciles = stack.invocations.filter((i) => i.function === 'schedule');
    expect(reconciles).toHaveLength(2);
    const report = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: 'sferum-pulse-exports', Key: 'reports/uploads/26/lost.csv.json' }))).Body!.transformToString());
    expect(report).toMatchObject({ status: 'accepted', tables: [{ kind: 'municipalities' }] });
    const db = openDatabase(stack.sqlitePath);
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM upload_ledger').get()).toEqual({ n: 1 });
    } finally {
      db.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
