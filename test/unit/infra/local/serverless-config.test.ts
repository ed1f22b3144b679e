// Unit: serverless.yml as the local runtime's model — functions, normalised triggers,
// queues and buckets — and the resolution of `${env:…}` and `${lockbox:…}` variables.
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { queueUrlVariable, resolveVariables, ServerlessConfigError, toModel } from '../../../../infra/local/serverless-config.ts';
import { FIXTURE_YML } from '../../../support/local-fixture.ts';

const base = () => parse(FIXTURE_YML) as Record<string, any>;

describe('toModel', () => {
  test('functions carry their bundle, timeout, memory and the provider environment overlaid with their own', () => {
    const m = toModel(base());
    const consumer = m.functions.find((f) => f.name === 'consumer')!;
    expect(consumer).toMatchObject({ bundle: 'dist/consumer/index.js', timeoutS: 5, memoryMb: 128 });
    expect(consumer.environment).toMatchObject({ ROLE: 'consumer', OUT_DIR: '${env:OUT_DIR}' });
    expect(m.functions.find((f) => f.name === 'ghost')!.timeoutS).toBe(5);
  });

  test('triggers are normalised with ids like the plugin names them, numbered per kind', () => {
    const m = toModel(base());
    expect(m.triggers.map((t) => t.id)).toEqual(['record-s3', 'record-cron', 'record-cron-2', 'failing-s3', 'consumer-ymq', 'web-http', 'web-http-2', 'web-http-3', 'ghost-cron']);
    expect(m.triggers.find((t) => t.id === 'failing-s3')).toMatchObject({ kind: 's3', bucket: 'fx-bucket', events: ['create.object'], prefix: 'fail/', retry: { attempts: 2, interval: 10 }, dlq: 'fail-dlq' });
    expect(m.triggers.find((t) => t.id === 'consumer-ymq')).toMatchObject({ kind: 'ymq', queue: 'jobs', batch: 5, cutoffS: 1 });
    expect(m.triggers.find((t) => t.id === 'record-cron-2')).toMatchObject({ kind: 'cron', expression: '0 7 ? * MON *', payload: 'monday' });
    // provider.httpApi.payload is the default format of http events
    expect(m.triggers.find((t) => t.id === 'web-http')).toMatchObject({ kind: 'http', path: '/v1/things/{id}', method: 'get', payloadVersion: '1.0' });
  });

  test('queues are the yc::MessageQueue resources; buckets the bucket resources', () => {
    const m = toModel(base());
    expect(m.queues).toEqual([
      { key: 'jobs', name: 'fx-jobs', fifo: false },
      { key: 'jobs-dlq', name: 'fx-jobs-dlq', fifo: false },
      { key: 'fail-dlq', name: 'fx-fail-dlq', fifo: false },
    ]);
    expect(m.buckets).toEqual(['fx-bucket']);
  });

  test('an event kind the runtime does not emulate is kept as unsupported, not an error', () => {
    const y = base();
    y.functions.record.events.push({ yds: { stream: 's', account: 'sa' } });
    expect(toModel(y).triggers.find((t) => t.kind === 'unsupported')).toEqual({ kind: 'unsupported', id: 'record-yds', fn: 'record', type: 'yds' });
  });

  test('a ymq trigger on an undeclared queue, a bad dlq, a bad handler and a bad s3 event type are refused with their place', () => {
    const q = base();
    q.functions.consumer.events[0].ymq.queue = 'nope';
    expect(() => toModel(q)).toThrow(/functions\.consumer: the ymq trigger names queue "nope"/);
    const d = base();
    d.functions.failing.events[0].s3.dlq = 'nope';
    expect(() => toModel(d)).toThrow(/dlq "nope"/);
    const h = base();
    h.functions.web.handler = 'src/web.handler';
    expect(() => toModel(h)).toThrow(ServerlessConfigError);
    const e = base();
    e.functions.record.events[0].s3.events = ['create'];
    expect(() => toModel(e)).toThrow(/functions\.record\.events/);
  });

  test('retry settings outside the platform limits are refused', () => {
    const r = base();
    r.functions.failing.events[0].s3.retry = { attempts: 9, interval: 10 };
    expect(() => toModel(r)).toThrow(ServerlessConfigError);
  });
});

describe('resolveVariables', () => {
  const env = { A: 'alpha', EMPTY: '', SECRET_ID: 'e6q' };
  const lockbox = (ref: string) => (ref === 'e6q/key' ? 'from-lockbox' : undefined);

  test('env variables, inside text too', () => {
    expect(resolveVariables('${env:A}', { env })).toBe('alpha');
    expect(resolveVariables('x-${env:A}-y', { env })).toBe('x-alpha-y');
    expect(resolveVariables('${env:EMPTY}', { env })).toBe('');
  });

  test('a default applies only when the variable is unset; quoted defaults may hold commas and braces', () => {
    expect(resolveVariables("${env:NONE, 'fallback'}", { env })).toBe('fallback');
    expect(resolveVariables("${env:NOTIFY_CONFIG, '{}'}", { env })).toBe('{}');
    expect(resolveVariables("${env:NONE, 'a, {b}'}", { env })).toBe('a, {b}');
    expect(resolveVariables("${env:A, 'fallback'}", { env })).toBe('alpha');
  });

  test('nested variables resolve innermost first (lockbox id from env)', () => {
    expect(resolveVariables('${lockbox:${env:SECRET_ID}/key}', { env, lockbox })).toBe('from-lockbox');
  });

  test('an unset variable without a default leaves the value undefined', () => {
    expect(resolveVariables('${env:NONE}', { env })).toBeUndefined();
    expect(resolveVariables('${lockbox:other/key}', { env, lockbox })).toBeUndefined();
  });

  test('plain text is kept; unknown sources are refused', () => {
    expect(resolveVariables('ru-central1', { env })).toBe('ru-central1');
    expect(() => resolveVariables('${self:service}', { env })).toThrow(/unsupported variable source "self"/);
  });

  test('the queue URL variable of a resource key', () => {
    expect(queueUrlVariable('period-changed')).toBe('PERIOD_CHANGED_QUEUE_URL');
    expect(queueUrlVariable('notifications')).toBe('NOTIFICATIONS_QUEUE_URL');
  });
});
