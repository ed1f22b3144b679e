// Local runtime: the Yandex Cloud event JSON the emulated triggers send (research §1):
// Object Storage messages from s3rver's S3 event notifications, Message Queue messages,
// timer messages, and API Gateway HTTP requests (payload 0.1 and 1.0) with the function's
// response converted back. Pure functions over plain data; the services call them.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { FunctionHttpResponse } from '../../shared/api/http.ts';
import type { HttpEventInput } from '../../shared/runtime/yandex-events.ts';

export const LOCAL_CLOUD_ID = 'b1glocalcloud00000000';
export const LOCAL_FOLDER_ID = 'b1glocalfolder0000000';

/** One record of an S3 event notification as s3rver emits it (`server.on('event', …)`). */
export const S3rverRecord = z.object({
  eventName: z.string(),
  eventTime: z.string().optional(),
  s3: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
});
export const S3rverEvent = z.object({ Records: z.array(S3rverRecord) });

export type StorageEventType = 'ObjectCreate' | 'ObjectUpdate' | 'ObjectDelete';

export type ObjectChange = { readonly bucket: string; readonly key: string; readonly type: StorageEventType; readonly at: string };

/** s3rver's `ObjectCreated:*` / `ObjectRemoved:*` records as object changes; other records are dropped. */
export function objectChanges(event: unknown): ObjectChange[] {
  const parsed = S3rverEvent.safeParse(event);
  if (!parsed.success) return [];
  return parsed.data.Records.flatMap((r) => {
    const type: StorageEventType | null = r.eventName.startsWith('ObjectCreated:') ? 'ObjectCreate' : r.eventName.startsWith('ObjectRemoved:') ? 'ObjectDelete' : null;
    return type ? [{ bucket: r.s3.bucket.name, key: r.s3.object.key, type, at: r.eventTime ?? new Date().toISOString() }] : [];
  });
}

/** The plugin's event names for each Yandex event type. */
const PLUGIN_EVENT: Record<StorageEventType, 'create.object' | 'update.object' | 'delete.object'> = {
  ObjectCreate: 'create.object',
  ObjectUpdate: 'update.object',
  ObjectDelete: 'delete.object',
};

export type StorageFilter = { readonly bucket: string; readonly events: readonly string[]; readonly prefix?: string; readonly suffix?: string };

/** An Object Storage trigger's filter: its bucket, its event types, and prefix AND suffix. */
export function triggerWants(t: StorageFilter, c: ObjectChange): boolean {
  return (
    t.bucket === c.bucket &&
    t.events.includes(PLUGIN_EVENT[c.type]) &&
    (t.prefix === undefined || c.key.startsWith(t.prefix)) &&
    (t.suffix === undefined || c.key.endsWith(t.suffix))
  );
}

function metadata(type: string, createdAt: string) {
  return { event_id: randomUUID(), event_type: type, created_at: createdAt, cloud_id: LOCAL_CLOUD_ID, folder_id: LOCAL_FOLDER_ID };
}

export function storageMessage(c: ObjectChange) {
  return {
    event_metadata: {
      ...metadata(`yandex.cloud.events.storage.${c.type}`, c.at),
      tracing_context: { trace_id: randomUUID().replace(/-/g, '').slice(0, 16), span_id: '', parent_span_id: '' },
    },
    // bucket_id is the bucket's name; the key is passed as stored (research §1.1)
    details: { bucket_id: c.bucket, object_id: c.key },
  };
}

export function storageEvent(changes: readonly ObjectChange[]) {
  return { messages: changes.map(storageMessage) };
}

export function timerEvent(triggerId: string, at: Date, payload?: string) {
  return {
    messages: [
      {
        event_metadata: metadata('yandex.cloud.events.serverless.triggers.TimerMessage', at.toISOString()),
        details: { trigger_id: triggerId, ...(payload !== undefined ? { payload } : {}) },
      },
    ],
  };
}

export type QueueMessageData = { readonly id: string; readonly body: string; readonly md5: string; readonly sentMs: number; readonly receives: number };

export const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

export function queueEvent(queueName: string, messages: readonly QueueMessageData[], nowMs: number) {
  return {
    messages: messages.map((m) => ({
      event_metadata: { event_id: m.id, event_type: 'yandex.cloud.events.messagequeue.QueueMessage', created_at: new Date(nowMs).toISOString(), cloud_id: LOCAL_CLOUD_ID, folder_id: LOCAL_FOLDER_ID },
      details: {
        queue_id: `yrn:yc:ymq:ru-central1:${LOCAL_FOLDER_ID}:${queueName}`,
        message: {
          message_id: m.id,
          md5_of_body: m.md5,
          body: m.body,
          attributes: { SentTimestamp: String(m.sentMs), ApproximateReceiveCount: String(m.receives) },
          message_attributes: {},
          md5_of_message_attributes: '',
        },
      },
    })),
  };
}

// ── HTTP through API Gateway ──

export type HttpRequestData = {
  readonly method: string;
  /** path without the query string */
  readonly path: string;
  readonly query: URLSearchParams;
  /** raw header pairs, names lower-cased, in order */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly sourceIp: string;
};

export type RouteMatch = {
  readonly resource: string;
  readonly params: Record<string, string>;
  /** the integration's `context` from the spec */
  readonly context?: Record<string, unknown>;
  /** the spec operation's id, when the caller knows it */
  readonly operationId?: string;
};

/** Matches an OpenAPI-style path (`/v1/regions/{region}`, greedy `{rest+}`) and returns its parameters. */
export function matchPath(template: string, path: string): Record<string, string> | null {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const names: string[] = [];
  let re = '';
  let last = 0;
  for (const m of template.matchAll(/\{([^}+]+)(\+?)\}/g)) {
    re += escape(template.slice(last, m.index));
    names.push(m[1]!);
    re += m[2] ? '(.+)' : '([^/]+)';
    last = m.index + m[0].length;
  }
  re += escape(template.slice(last));
  const m = new RegExp(`^${re}$`).exec(path);
  if (!m) return null;
  return Object.fromEntries(names.map((n, i) => [n, safeDecode(m[i + 1]!)]));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const isText = (contentType: string | undefined) => !!contentType && /^(application\/(json|x-www-form-urlencoded)|text\/)/i.test(contentType);

/** An API Gateway request event, payload format 1.0 (AWS v1.0 compatible) or 0.1 (the default). */
export function httpEvent(req: HttpRequestData, route: RouteMatch, version: '0.1' | '1.0', nowMs: number): HttpEventInput {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [k, v] of req.headers) {
    // API Gateway title-cases header names
    const name = k.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
    headers[name] = v;
    (multiValueHeaders[name] ??= []).push(v);
  }
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [k, v] of req.query) {
    queryStringParameters[k] = v; // the last value wins, as documented
    (multiValueQueryStringParameters[k] ??= []).push(v);
  }
  const contentType = req.headers.find(([k]) => k === 'content-type')?.[1];
  const text = req.body.length === 0 || isText(contentType);
  const body = text ? req.body.toString('utf8') : req.body.toString('base64');
  const requestId = randomUUID();
  const requestContext = {
    identity: { sourceIp: req.sourceIp, userAgent: headers['User-Agent'] ?? '' },
    httpMethod: req.method,
    requestId,
    requestTime: new Date(nowMs).toUTCString(),
    requestTimeEpoch: Math.floor(nowMs / 1000),
    ...(route.context ? { apiGateway: { operationContext: route.context } } : {}),
  };
  const common = { httpMethod: req.method, headers, multiValueHeaders, queryStringParameters, multiValueQueryStringParameters, requestContext, body, isBase64Encoded: !text };
  if (version === '1.0') {
    return {
      version: '1.0',
      resource: route.resource,
      path: req.path,
      ...common,
      pathParameters: route.params,
      parameters: route.params,
      multiValueParameters: Object.fromEntries(Object.entries(route.params).map(([k, v]) => [k, [v]])),
      operationId: route.operationId ?? '',
    };
  }
  return {
    ...common,
    url: `${req.path}${req.query.size ? `?${req.query}` : ''}`,
    path: route.resource,
    pathParams: route.params,
    params: { ...queryStringParameters, ...route.params },
    multiValueParams: { ...multiValueQueryStringParameters, ...Object.fromEntries(Object.entries(route.params).map(([k, v]) => [k, [v]])) },
  };
}

export type HttpReply = { readonly status: number; readonly headers: readonly (readonly [string, string])[]; readonly body: Buffer };

/**
 * Recently sent large bodies, encoded, by their text. A response the API reuses
 * (ResponseCache) arrives as the same string each time, and encoding ~160 KB of mostly
 * Cyrillic JSON to UTF-8 was over half of a local server's CPU per request.
 */
const encoded = new Map<string, Buffer>();
const ENCODED_ENTRIES = 16;
const ENCODED_RANGE = { min: 8 * 1024, max: 1024 * 1024 } as const;

function utf8(body: string): Buffer {
  if (body.length < ENCODED_RANGE.min || body.length > ENCODED_RANGE.max) return Buffer.from(body, 'utf8');
  let bytes = encoded.get(body);
  if (!bytes) {
    bytes = Buffer.from(body, 'utf8');
    encoded.set(body, bytes);
    if (encoded.size > ENCODED_ENTRIES) encoded.delete(encoded.keys().next().value!);
  }
  return bytes;
}

/** The function's response as the gateway sends it; a malformed one is the gateway's 502. */
export function httpReply(value: unknown): HttpReply {
  const r = FunctionHttpResponse.safeParse(value);
  if (!r.success) {
    return { status: 502, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify({ message: 'Malformed serverless function response: not a valid json', errorType: 'ProxyIntegrationError' })) };
  }
  const headers: [string, string][] = [];
  const multi = r.data.multiValueHeaders ?? {};
  const multiNames = new Set(Object.keys(multi).map((k) => k.toLowerCase()));
  // a header in both maps: multiValueHeaders wins (research §1.4)
  for (const [k, v] of Object.entries(r.data.headers ?? {})) if (!multiNames.has(k.toLowerCase())) headers.push([k, String(v)]);
  for (const [k, vs] of Object.entries(multi)) for (const v of vs) headers.push([k, String(v)]);
  const body = r.data.body === undefined ? Buffer.alloc(0) : r.data.isBase64Encoded ? Buffer.from(r.data.body, 'base64') : utf8(r.data.body);
  return { status: r.data.statusCode, headers, body };
}

/** An unhandled exception, as the platform answers it. */
export function httpFunctionError(error: { name: string; message: string }): HttpReply {
  return {
    status: 502,
    headers: [['content-type', 'application/json'], ['x-function-error', 'true']],
    body: Buffer.from(JSON.stringify({ errorMessage: error.message, errorType: error.name, stackTrace: [] })),
  };
}
