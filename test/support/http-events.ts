// Test helper: API Gateway HTTP events as the gateway sends them, payload 1.0 and 0.1
// (research yandex-cloud §1.4), typed by the one schema of that event, so a field the schema
// requires cannot go missing here.
import type { HttpEventV01Input, HttpEventV1Input } from '../../shared/runtime/yandex-events.ts';

/** An API Gateway payload 1.0 event (the format the spec's integrations use). */
export function v1Event(path: string, opts: { query?: Record<string, string>; headers?: Record<string, string>; method?: string; resource?: string; params?: Record<string, string> } = {}): HttpEventV1Input {
  return {
    version: '1.0',
    resource: opts.resource ?? path,
    path,
    httpMethod: opts.method ?? 'GET',
    headers: opts.headers ?? {},
    multiValueHeaders: Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k, [v]])),
    queryStringParameters: opts.query ?? null,
    multiValueQueryStringParameters: opts.query ? Object.fromEntries(Object.entries(opts.query).map(([k, v]) => [k, [v]])) : null,
    requestContext: { identity: { sourceIp: '127.0.0.1', userAgent: 'vitest' }, httpMethod: opts.method ?? 'GET', requestId: 'req-v1', requestTime: '10/Apr/2023:09:00:00 +0000', requestTimeEpoch: 1681117200 },
    pathParameters: opts.params ?? {},
    parameters: opts.params ?? {},
    multiValueParameters: {},
    operationId: '',
    body: '',
    isBase64Encoded: false,
  };
}

/** An API Gateway payload 0.1 event: `path` is the spec's template, `url` the request. */
export function v01Event(template: string, params: Record<string, string>, opts: { query?: Record<string, string>; headers?: Record<string, string>; method?: string } = {}): HttpEventV01Input {
  const path = template.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(params[n] ?? ''));
  const qs = new URLSearchParams(opts.query ?? {}).toString();
  return {
    httpMethod: opts.method ?? 'GET',
    headers: opts.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: opts.query ?? {},
    multiValueQueryStringParameters: {},
    requestContext: { identity: { sourceIp: '127.0.0.1', userAgent: 'vitest' }, httpMethod: opts.method ?? 'GET', requestId: 'req-v01', requestTime: '10/Apr/2023:09:00:00 +0000', requestTimeEpoch: 1681117200 },
    body: '',
    isBase64Encoded: false,
    url: qs ? `${path}?${qs}` : path,
    path: template,
    pathParams: params,
    params: { ...(opts.query ?? {}), ...params },
    multiValueParams: {},
  };
}
