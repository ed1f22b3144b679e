// Integration: the local runtime's trigger semantics on a fixture project (test/support/
// local-fixture.ts) — Object Storage filters, batches, retries and dead letters; the local
// Message Queue with the project's YmqPublisher; timers on the simulated clock; HTTP through
// the API Gateway stand-in; each function's own environment. Everything over 127.0.0.1.
import { rmSync } from 'node:fs';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { YmqPublisher } from '../../../../shared/adapters/ymq/queue-publisher.ts';
import { ObjectStorageEvent, QueueEvent, TimerEvent } from '../../../../shared/runtime/yandex-events.ts';
import { createLocalStack, type LocalStack } from '../../../../infra/local/runtime.ts';
import { createFixture, type Fixture } from '../../../support/local-fixture.ts';

let fx: Fixture;
let stack: LocalStack;
let s3: S3Client;
const warnings: string[] = [];

beforeAll(async () => {
  fx = createFixture();
  process.env['FIXTURE_HOST_ONLY'] = 'must not reach a function';
  stack = await createLocalStack({
    root: fx.root,
    dataDir: fx.dataDir,
    build: false,
    timeScale: 0.01,
    objectBatchCutoffMs: 150,
    maxReceives: 3,
    clockStart: new Date('2026-11-23T06:55:00Z'),
    env: { OUT_DIR: fx.outDir },
    functionLogs: null,
    log: (level, msg, fields) => {
      if (level !== 'DEBUG') warnings.push(`${msg} ${JSON.stringify(fields)}`);
    },
  });
  s3 = new S3Client({ endpoint: stack.s3.endpoint, region: 'ru-central1', forcePathStyle: true, credentials: stack.s3.credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
});

afterAll(async () => {
  delete process.env['FIXTURE_HOST_ONLY'];
  await stack?.close();
  if (fx) rmSync(fx.root, { recursive: true, force: true });
});

const put = (key: string, body = 'a;b\n1;2\n') => s3.send(new PutObjectCommand({ Bucket: 'fx-bucket', Key: key, Body: body }));

describe('local runtime: wiring', () => {
  test('a function without a bundle is reported and its triggers skipped', () => {
    expect(stack.functions.missing).toEqual(['ghost']);
    expect(stack.functions.available).toEqual(['record', 'failing', 'consumer', 'web']);
    expect(warnings.some((w) => w.startsWith('local.function_skipped') && w.includes('ghost'))).toBe(true);
    expect(warnings.some((w) => w.startsWith('local.trigger_skipped') && w.includes('ghost-cron'))).toBe(true);
  });

  test('queue URLs are http://127.0.0.1:<port>/<folder>/<queue-name>', () => {
    expect(stack.ymq.urls['jobs']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/b1g[a-z0-9]+\/fx-jobs$/);
    expect(stack.env['JOBS_QUEUE_URL']).toBe(stack.ymq.urls['jobs']);
  });
});

describe('local runtime: Object Storage triggers', () => {
  test('objects arriving within the cutoff reach the function as one batch of Yandex ObjectCreate messages; prefix AND suffix filter', async () => {
    await Promise.all([put('in/a.csv'), put('in/b.csv'), put('in/c.csv'), put('in/skip.txt'), put('other/d.csv')]);
    await stack.idle();

    const calls = fx.records('record').filter((r) => r.event.messages[0].event_metadata.event_type.includes('storage'));
    expect(calls).toHaveLength(1);
    const event = ObjectStorageEvent.parse(calls[0]!.event);
    expect(event.messages.map((m) => m.details.object_id).sort()).toEqual(['in/a.csv', 'in/b.csv', 'in/c.csv']);
    expect(event.messages.every((m) => m.details.bucket_id === 'fx-bucket' && m.event_metadata.event_type === 'yandex.cloud.events.storage.ObjectCreate')).toBe(true);
    expect(calls[0]!.context).toMatchObject({ functionName: 'record' });
    expect(calls[0]!.context.remaining).toBeGreaterThan(4000);
    expect(calls[0]!.context.remaining).toBeLessThanOrEqual(5000);
  });

  test('a delete reaches a trigger subscribed to delete.object as ObjectDelete', async () => {
    const before = fx.records('record').length;
    await s3.send(new DeleteObjectCommand({ Bucket: 'fx-bucket', Key: 'in/a.csv' }));
    await stack.idle();
    const last = fx.records('record').slice(before);
    expect(last.map((r) => r.event.messages.map((m: any) => `${m.event_metadata.event_type}:${m.details.object_id}`))).toEqual([['yandex.cloud.events.storage.ObjectDelete:in/a.csv']]);
  });

  test('a function that throws is retried per the trigger, then the event is dead-lettered and sent to its dlq', async () => {
    await put('fail/x.csv');
    await stack.idle();

    expect(fx.records('failing')).toHaveLength(3); // the call and 2 retries
    const dead = stack.deadLetters.filter((d) => d.function === 'failing');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ source: 's3', trigger: 'failing-s3', attempts: 3, error: 'Error: always fails' });
    expect(ObjectStorageEvent.parse(dead[0]!.event).messages[0]!.details.object_id).toBe('fail/x.csv');
    expect(stack.queues.get('fx-fail-dlq')!.history.map((b) => JSON.parse(b).messages[0].details.object_id)).toEqual(['fail/x.csv']);
  });
});

describe('local runtime: Message Queue', () => {
  const publisher = () =>
    new YmqPublisher<{ n: number; tag: string }>({
      endpoint: stack.ymq.endpoint,
      queueUrl: stack.ymq.urls['jobs']!,
      region: 'ru-central1',
      credentials: async () => stack.s3.credentials,
    });

  test("the project's YmqPublisher sends to the local queue; the trigger delivers QueueMessage batches of at most `batch`", async () => {
    const before = fx.records('consumer').length;
    await publisher().publish(Array.from({ length: 12 }, (_, n) => ({ n, tag: 'ok' })));
    await stack.idle();

    const calls = fx.records('consumer').slice(before);
    const events = calls.map((c) => QueueEvent.parse(c.event));
    expect(events.every((e) => e.messages.length <= 5)).toBe(true);
    const bodies = events.flatMap((e) => e.messages.map((m) => JSON.parse(m.details.message.body).n));
    expect(bodies).toEqual(Array.from({ length: 12 }, (_, n) => n));
    const m = events[0]!.messages[0]!;
    expect(m.details.queue_id).toMatch(/^yrn:yc:ymq:ru-central1:.+:fx-jobs$/);
    expect(m.details.message.md5_of_body).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(m.details.message.attributes?.['SentTimestamp'])).toBeGreaterThan(Date.now() - 60_000);
  });

  test('a failing batch comes back after the visibility timeout and is dead-lettered after maxReceives receives', async () => {
    const before = fx.records('consumer').length;
    await publisher().publish([{ n: 99, tag: 'poison' }]);
    await stack.idle();

    expect(fx.records('consumer').length - before).toBe(3);
    const dead = stack.deadLetters.filter((d) => d.source === 'ymq');
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]!.event as string)).toEqual({ n: 99, tag: 'poison' });
    expect(stack.queues.get('fx-jobs')!.depth).toBe(0);
    expect(stack.queues.get('fx-jobs-dlq')!.history).toHaveLength(1);
  });

  test('the endpoint answers the SQS query protocol errors for an unknown queue and action', async () => {
    const post = (form: Record<string, string>) => fetch(stack.ymq.endpoint, { method: 'POST', body: new URLSearchParams(form) });
    const unknown = await post({ Action: 'SendMessage', QueueUrl: `${stack.ymq.endpoint}/b1g/none`, MessageBody: 'x' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('<Code>AWS.SimpleQueueService.NonExistentQueue</Code>');
    const bad = await post({ Action: 'PurgeQueue', QueueUrl: stack.ymq.urls['jobs']! });
    expect(await bad.text()).toContain('<Code>InvalidAction</Code>');
  });

  test("each function has its own environment: the runtime's services, its serverless.yml environment resolved, nothing else of the host", () => {
    const env = fx.records('consumer')[0]!.env;
    expect(env).toMatchObject({
      ROLE: 'consumer',
      GREETING: 'hello, {world}',
      S3_ENDPOINT: stack.s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      SQLITE_PATH: `${fx.dataDir}/pulse.sqlite`,
      YMQ_ENDPOINT: stack.ymq.endpoint,
      JOBS_QUEUE_URL: stack.ymq.urls['jobs'],
      AWS_ACCESS_KEY_ID: 'S3RVER',
      YDB_CONNECTION_STRING: null,
      FIXTURE_HOST_ONLY: null,
    });
  });
});

describe('local runtime: timers', () => {
  test('tick fires each cron trigger at its simulated minutes, in order, with TimerMessage events', async () => {
    await stack.tick(new Date('2026-11-23T07:21:00Z'));
    await stack.idle();

    const timers = fx.records('record').filter((r) => r.event.messages[0].event_metadata.event_type.endsWith('TimerMessage'));
    const seen = timers.map((r) => {
      const m = TimerEvent.parse(r.event).messages[0]!;
      return `${m.event_metadata.created_at.slice(11, 16)} ${m.details.trigger_id} ${m.details.payload}`;
    });
    expect(seen).toEqual(['07:00 record-cron every-ten', '07:00 record-cron-2 monday', '07:10 record-cron every-ten', '07:20 record-cron every-ten']);
    expect(stack.now().toISOString()).toBe('2026-11-23T07:21:00.000Z');
    await expect(stack.tick(new Date('2026-11-23T07:00:00Z'))).rejects.toThrow(/only moves forward/);
  });
});

describe('local runtime: HTTP functions', () => {
  test('a request becomes an API Gateway 1.0 event; the response keeps status, headers and multi-value headers', async () => {
    const res = await fetch(`${stack.api!.url}/v1/things/42?x=1&x=2`, { headers: { 'x-client': 'test' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(res.headers.get('x-both')).toBe('multi');
    const event = await res.json();
    expect(event).toMatchObject({
      version: '1.0',
      resource: '/v1/things/{id}',
      path: '/v1/things/42',
      httpMethod: 'GET',
      pathParameters: { id: '42' },
      queryStringParameters: { x: '2' },
      multiValueQueryStringParameters: { x: ['1', '2'] },
      headers: { 'X-Client': 'test' },
      isBase64Encoded: false,
    });
  });

  test('an unhandled exception is a 502 with X-Function-Error; a timeout too; an unknown path is 404', async () => {
    const boom = await fetch(`${stack.api!.url}/v1/boom`);
    expect(boom.status).toBe(502);
    expect(boom.headers.get('x-function-error')).toBe('true');
    expect(await boom.json()).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
    const slow = await fetch(`${stack.api!.url}/v1/slow`);
    expect(slow.status).toBe(502);
    expect((await slow.json()).errorType).toBe('TimeoutError');
    // the instance was replaced: the next call works
    expect((await fetch(`${stack.api!.url}/v1/things/1`)).status).toBe(200);
    expect((await fetch(`${stack.api!.url}/v2/none`)).status).toBe(404);
  });
});
