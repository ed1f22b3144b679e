// Unit: the event JSON the local triggers send — from s3rver's S3 notifications to Yandex
// Object Storage messages, trigger filters, queue and timer messages, and API Gateway
// requests and responses — checked against the zod envelopes the handlers parse with.
import { describe, expect, test } from 'vitest';
import {
  httpEvent,
  httpFunctionError,
  httpReply,
  matchPath,
  md5,
  objectChanges,
  queueEvent,
  storageEvent,
  timerEvent,
  triggerWants,
  type ObjectChange,
} from '../../../../infra/local/events.ts';
import { HttpEvent, ObjectStorageEvent, QueueEvent, TimerEvent } from '../../../../shared/runtime/yandex-events.ts';

const s3rverEvent = (eventName: string, key: string) => ({
  Records: [{ eventVersion: '2.0', eventSource: 'aws:s3', eventTime: '2026-11-23T07:00:00.000Z', eventName, s3: { bucket: { name: 'b' }, object: { key, size: 3, eTag: 'x' } } }],
});

describe('objectChanges', () => {
  test('ObjectCreated:* is ObjectCreate and ObjectRemoved:* is ObjectDelete, keys as stored', () => {
    expect(objectChanges(s3rverEvent('ObjectCreated:Put', 'uploads/26/Сферум 1.csv'))).toEqual([{ bucket: 'b', key: 'uploads/26/Сферум 1.csv', type: 'ObjectCreate', at: '2026-11-23T07:00:00.000Z' }]);
    expect(objectChanges(s3rverEvent('ObjectCreated:Copy', 'k'))[0]!.type).toBe('ObjectCreate');
    expect(objectChanges(s3rverEvent('ObjectRemoved:Delete', 'k'))[0]!.type).toBe('ObjectDelete');
  });
  test('other records and malformed events are dropped', () => {
    expect(objectChanges(s3rverEvent('s3:TestEvent', 'k'))).toEqual([]);
    expect(objectChanges({ nope: true })).toEqual([]);
  });
});

describe('triggerWants', () => {
  const change = (key: string, type: ObjectChange['type'] = 'ObjectCreate'): ObjectChange => ({ bucket: 'b', key, type, at: '' });
  const t = { bucket: 'b', events: ['create.object'], prefix: 'uploads/', suffix: '.csv' };
  test('prefix AND suffix must both match', () => {
    expect(triggerWants(t, change('uploads/a.csv'))).toBe(true);
    expect(triggerWants(t, change('uploads/a.xlsx'))).toBe(false);
    expect(triggerWants(t, change('reports/a.csv'))).toBe(false);
  });
  test('the bucket and the event type must match; no filters take every key', () => {
    expect(triggerWants(t, { ...change('uploads/a.csv'), bucket: 'other' })).toBe(false);
    expect(triggerWants(t, change('uploads/a.csv', 'ObjectDelete'))).toBe(false);
    expect(triggerWants({ bucket: 'b', events: ['delete.object'] }, change('any/key', 'ObjectDelete'))).toBe(true);
  });
});

describe('trigger events', () => {
  test("storageEvent has the documented shape and parses with ingest's envelope", () => {
    const e = storageEvent([{ bucket: 'b', key: 'uploads/a.csv', type: 'ObjectCreate', at: '2026-11-23T07:00:00.000Z' }]);
    const m = e.messages[0]!;
    expect(Object.keys(m.event_metadata).sort()).toEqual(['cloud_id', 'created_at', 'event_id', 'event_type', 'folder_id', 'tracing_context']);
    expect(m).toMatchObject({ event_metadata: { event_type: 'yandex.cloud.events.storage.ObjectCreate', created_at: '2026-11-23T07:00:00.000Z', tracing_context: { span_id: '', parent_span_id: '' } }, details: { bucket_id: 'b', object_id: 'uploads/a.csv' } });
    expect(ObjectStorageEvent.safeParse(e).success).toBe(true);
  });

  test('timerEvent carries the trigger id, the payload and the firing minute', () => {
    const e = timerEvent('schedule-cron', new Date('2026-11-23T07:00:00Z'), 'reconcile');
    expect(TimerEvent.parse(e).messages[0]).toMatchObject({ event_metadata: { event_type: 'yandex.cloud.events.serverless.triggers.TimerMessage', created_at: '2026-11-23T07:00:00.000Z' }, details: { trigger_id: 'schedule-cron', payload: 'reconcile' } });
    expect('payload' in timerEvent('t', new Date(), undefined).messages[0]!.details).toBe(false);
  });

  test('queueEvent carries id, md5 of the body, SentTimestamp and the queue yrn', () => {
    const body = '{"type":"period_changed"}';
    const e = QueueEvent.parse(queueEvent('sferum-pulse-period-changed', [{ id: 'm1', body, md5: md5(body), sentMs: 1_700_000_000_000, receives: 2 }], 1_700_000_001_000));
    expect(e.messages[0]!.details).toMatchObject({
      queue_id: expect.stringMatching(/^yrn:yc:ymq:ru-central1:[a-z0-9]+:sferum-pulse-period-changed$/),
      message: { message_id: 'm1', md5_of_body: md5(body), body, attributes: { SentTimestamp: '1700000000000', ApproximateReceiveCount: '2' } },
    });
    expect(md5('message body')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('API Gateway', () => {
  test('matchPath extracts parameters, decodes them and keeps literals literal', () => {
    expect(matchPath('/v1/regions/{region}/periods/{period}', '/v1/regions/26/periods/2023-03-06..2023-03-10')).toEqual({ region: '26', period: '2023-03-06..2023-03-10' });
    expect(matchPath('/v1/regions/{region}/report.csv', '/v1/regions/26/report.csv')).toEqual({ region: '26' });
    expect(matchPath('/v1/regions/{region}/report.csv', '/v1/regions/26/reportxcsv')).toBeNull();
    expect(matchPath('/v1/uploads/{id}', '/v1/uploads/a%2Fb')).toEqual({ id: 'a/b' });
    expect(matchPath('/{proxy+}', '/static/app.js')).toEqual({ proxy: 'static/app.js' });
    expect(matchPath('/v1/uploads/{id}', '/v1/uploads/1/2')).toBeNull();
  });

  const req = (body = '', contentType?: string) => ({
    method: 'POST',
    path: '/v1/things/7',
    query: new URLSearchParams('a=1&a=2&b=3'),
    headers: [['x-key', 'one'], ['x-key', 'two'], ...(contentType ? [['content-type', contentType] as const] : [])] as [string, string][],
    body: Buffer.from(body),
    sourceIp: '127.0.0.1',
  });

  test('payload 1.0: path parameters, last-value and multi-value headers and query, JSON body as text', () => {
    const e = httpEvent(req('{"x":1}', 'application/json'), { resource: '/v1/things/{id}', params: { id: '7' }, context: { op: 'get' } }, '1.0', 1_700_000_000_000);
    expect(e).toMatchObject({
      version: '1.0',
      resource: '/v1/things/{id}',
      path: '/v1/things/7',
      httpMethod: 'POST',
      headers: { 'X-Key': 'two', 'Content-Type': 'application/json' },
      multiValueHeaders: { 'X-Key': ['one', 'two'] },
      queryStringParameters: { a: '2', b: '3' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['3'] },
      pathParameters: { id: '7' },
      body: '{"x":1}',
      isBase64Encoded: false,
      requestContext: { httpMethod: 'POST', requestTimeEpoch: 1_700_000_000, apiGateway: { operationContext: { op: 'get' } } },
    });
    // the api function parses what the local gateway sends, every field of it kept
    expect(HttpEvent.parse(e)).toEqual(expect.objectContaining({ ...e, version: '1.0' }));
  });

  test('payload 0.1: url, the spec path and params; a binary body is base64', () => {
    const e = httpEvent(req('\x00\x01', 'application/octet-stream'), { resource: '/v1/things/{id}', params: { id: '7' } }, '0.1', 0) as Record<string, unknown>;
    expect(e).toMatchObject({ url: '/v1/things/7?a=1&a=2&b=3', path: '/v1/things/{id}', pathParams: { id: '7' }, params: { a: '2', b: '3', id: '7' }, isBase64Encoded: true, body: Buffer.from('\x00\x01').toString('base64') });
    expect('version' in e).toBe(false);
  });

  test('a response: multiValueHeaders win over headers of the same name; base64 bodies are decoded', () => {
    const r = httpReply({ statusCode: 201, headers: { 'X-A': 'single', 'X-B': 'b' }, multiValueHeaders: { 'x-a': ['m1', 'm2'] }, body: Buffer.from('hi').toString('base64'), isBase64Encoded: true });
    expect(r.status).toBe(201);
    expect(r.headers).toEqual([['X-B', 'b'], ['x-a', 'm1'], ['x-a', 'm2']]);
    expect(r.body.toString()).toBe('hi');
  });

  test('a malformed response is the gateway 502; an exception is a 502 with X-Function-Error', () => {
    expect(httpReply({ body: 'no status' }).status).toBe(502);
    expect(httpReply('text').status).toBe(502);
    const err = httpFunctionError({ name: 'TypeError', message: 'x' });
    expect(err.status).toBe(502);
    expect(err.headers).toContainEqual(['x-function-error', 'true']);
    expect(JSON.parse(err.body.toString())).toMatchObject({ errorType: 'TypeError', errorMessage: 'x' });
  });
});
