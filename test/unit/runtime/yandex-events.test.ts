// Unit: API Gateway HTTP events (payload 1.0 and 0.1) into the API's request.
import { describe, expect, test } from 'vitest';
import { apiRequestOf, HttpEvent } from '../../../shared/runtime/yandex-events.ts';
import { v01Event, v1Event } from '../../support/http-events.ts';

const parse = (e: unknown) => apiRequestOf(HttpEvent.parse(e));

describe('payload 1.0', () => {
  test('the request path, last query values and lower-cased headers', () => {
    const r = parse(v1Event('/v1/regions/26/timeseries', { query: { metric: 'teachers_total' }, headers: { 'X-Api-Key': 'k', Accept: 'application/json' }, resource: '/v1/regions/{region}/timeseries' }));
    expect(r).toEqual({ method: 'GET', path: '/v1/regions/26/timeseries', query: { metric: 'teachers_total' }, headers: { 'x-api-key': 'k', accept: 'application/json' }, requestId: 'req-v1' });
  });

  test('null maps (no query, no headers) become empty ones', () => {
    const e = { ...v1Event('/v1/uploads'), headers: null, queryStringParameters: null, pathParameters: null };
    expect(parse(e)).toMatchObject({ path: '/v1/uploads', query: {}, headers: {} });
  });

  test('a 1.0 event without path is refused', () => {
    const { path: _omit, ...e } = v1Event('/v1/uploads');
    expect(HttpEvent.safeParse(e).success).toBe(false);
  });
});

describe('payload 0.1', () => {
  test('the path comes from url, not from the template in path', () => {
    const r = parse(v01Event('/v1/regions/{region}/periods/{period}', { region: '26', period: '2023-03-06..2023-03-10' }, { headers: { 'X-API-Key': 'k' } }));
    expect(r.path).toBe('/v1/regions/26/periods/2023-03-06..2023-03-10');
    expect(r.headers['x-api-key']).toBe('k');
    expect(r.requestId).toBe('req-v01');
  });

  test('url with a query string and an absolute url keep only the path', () => {
    expect(parse({ ...v01Event('/v1/uploads', {}), url: '/v1/uploads?limit=5' }).path).toBe('/v1/uploads');
    expect(parse({ ...v01Event('/v1/uploads', {}), url: 'https://d5d.apigw.yandexcloud.net/v1/uploads?limit=5' }).path).toBe('/v1/uploads');
  });

  test('without url the template is filled with encoded path parameters', () => {
    const { url: _omit, ...e } = v01Event('/v1/uploads/{id}', { id: 'a/b' });
    expect(parse(e).path).toBe('/v1/uploads/a%2Fb');
  });

  test('a direct invocation with an empty path is the root', () => {
    expect(parse({ httpMethod: 'GET', headers: {}, queryStringParameters: {}, path: '' }).path).toBe('/');
  });

  test('the context request id is used when the event has none', () => {
    expect(apiRequestOf(HttpEvent.parse({ httpMethod: 'get', url: '/' }), 'ctx-1')).toMatchObject({ method: 'GET', requestId: 'ctx-1' });
  });
});

describe('HttpEvent', () => {
  test.each([
    ['a timer event', { messages: [{ event_metadata: {}, details: { trigger_id: 't' } }] }],
    ['no method', { url: '/', headers: {} }],
    ['a non-string header', { httpMethod: 'GET', url: '/', headers: { a: 1 } }],
    ['another version', { ...v1Event('/'), version: '2.0' }],
  ])('%s is not an HTTP event', (_name, e) => {
    expect(HttpEvent.safeParse(e).success).toBe(false);
  });
});
