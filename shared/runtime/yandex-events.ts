// Runtime: zod envelopes of the Yandex Cloud trigger events, exactly as the platform sends
// them (Object Storage, Timer, Message Queue; examples in events/). Handlers parse
// with these at the edge; nothing deeper sees a Yandex event shape.
import { z } from 'zod';
import type { ApiRequest } from '../api/http.ts';

const EventMetadata = z.object({
  event_id: z.string(),
  event_type: z.string(),
  created_at: z.string(),
  cloud_id: z.string().optional(),
  folder_id: z.string().optional(),
});

export const StorageEventType = {
  Create: 'yandex.cloud.events.storage.ObjectCreate',
  Update: 'yandex.cloud.events.storage.ObjectUpdate',
  Delete: 'yandex.cloud.events.storage.ObjectDelete',
} as const;

/** `keys`: the object key as it may be, decoded here once (see objectKeyCandidates). */
export const ObjectStorageMessage = z
  .object({
    event_metadata: EventMetadata,
    details: z.object({ bucket_id: z.string().min(1), object_id: z.string().min(1) }),
  })
  .transform((m) => ({ ...m, keys: objectKeyCandidates(m.details.object_id) }));
export const ObjectStorageEvent = z.object({ messages: z.array(ObjectStorageMessage).min(1) });
export type ObjectStorageEvent = z.infer<typeof ObjectStorageEvent>;
export type ObjectStorageMessage = z.infer<typeof ObjectStorageMessage>;

export const TimerEvent = z.object({
  messages: z
    .array(
      z.object({
        event_metadata: EventMetadata,
        details: z.object({ trigger_id: z.string(), payload: z.string().optional() }),
      }),
    )
    .min(1),
});
export type TimerEvent = z.infer<typeof TimerEvent>;

export const QueueMessage = z.object({
  event_metadata: EventMetadata,
  details: z.object({
    queue_id: z.string(),
    message: z.object({
      message_id: z.string(),
      md5_of_body: z.string().optional(),
      body: z.string(),
      attributes: z.record(z.string(), z.string()).optional(),
      message_attributes: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
});
export const QueueEvent = z.object({ messages: z.array(QueueMessage).min(1) });
export type QueueEvent = z.infer<typeof QueueEvent>;
export type QueueMessage = z.infer<typeof QueueMessage>;

/** The Node.js `context` (second handler argument) as far as the pipeline uses it. */
export type FunctionContext = {
  readonly requestId?: string;
  readonly functionName?: string;
  getRemainingTimeInMillis?: () => number;
};

/**
 * Candidate object keys for an `object_id`. Whether Yandex URL-encodes keys (as AWS does)
 * is unconfirmed, so the raw id is tried first and the decoded form second; a key that
 * really contains `%41` still resolves to itself.
 */
export function objectKeyCandidates(objectId: string): string[] {
  if (!/%[0-9A-Fa-f]{2}/.test(objectId)) return [objectId];
  try {
    const decoded = decodeURIComponent(objectId.replace(/\+/g, ' '));
    return decoded === objectId ? [objectId] : [objectId, decoded];
  } catch {
    return [objectId];
  }
}

// HTTP invocation through API Gateway. Payload 1.0 is
// AWS v1.0-compatible: `path` is the request path, `resource` the spec's template. Payload
// 0.1 (the gateway's default, and close to a direct invoke) puts the spec's template in
// `path` and the request path with its query in `url`. Query and header maps keep the last
// value of a repeated name; AWS-style producers send null for an empty map. These schemas
// are the one description of the event: the api function parses it with them, and the
// local gateway builds it as their input type. Only what the API reads is required, so a
// direct invocation with a hand-written event parses too.
const StringMap = z
  .record(z.string(), z.string())
  .nullish()
  .transform((m) => m ?? {});
const MultiStringMap = z.record(z.string(), z.array(z.string())).nullish();

const RequestContext = z
  .object({
    identity: z.object({ sourceIp: z.string(), userAgent: z.string() }).optional(),
    httpMethod: z.string().optional(),
    requestId: z.string().optional(),
    requestTime: z.string().optional(),
    requestTimeEpoch: z.number().optional(),
    /** the integration's `context` from the spec */
    apiGateway: z.object({ operationContext: z.record(z.string(), z.unknown()) }).optional(),
  })
  .nullish();

const HttpCommon = {
  httpMethod: z.string().min(1),
  headers: StringMap,
  multiValueHeaders: MultiStringMap,
  queryStringParameters: StringMap,
  multiValueQueryStringParameters: MultiStringMap,
  requestContext: RequestContext,
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
};

export const HttpEventV1 = z.object({
  version: z.literal('1.0'),
  resource: z.string(),
  path: z.string(),
  pathParameters: StringMap,
  parameters: StringMap,
  multiValueParameters: MultiStringMap,
  operationId: z.string().optional(),
  ...HttpCommon,
});
export type HttpEventV1 = z.infer<typeof HttpEventV1>;

export const HttpEventV01 = z.object({
  version: z.undefined().optional(),
  url: z.string().optional(),
  path: z.string().optional(),
  pathParams: StringMap,
  params: StringMap,
  multiValueParams: MultiStringMap,
  ...HttpCommon,
});
export type HttpEventV01 = z.infer<typeof HttpEventV01>;

export const HttpEvent = z.union([HttpEventV1, HttpEventV01]);
export type HttpEvent = z.infer<typeof HttpEvent>;
/** An event as a gateway sends it (before parsing fills the empty maps). */
export type HttpEventInput = z.input<typeof HttpEvent>;
export type HttpEventV1Input = z.input<typeof HttpEventV1>;
export type HttpEventV01Input = z.input<typeof HttpEventV01>;

/** The request path of a 0.1 event: from `url`, else the template filled with its path parameters. */
function pathOfV01(e: HttpEventV01): string {
  if (e.url) {
    const noQuery = e.url.split('?')[0]!;
    return /^https?:\/\//i.test(noQuery) ? new URL(noQuery).pathname : noQuery;
  }
  const template = e.path ?? '';
  return template.replace(/\{(\w+)\+?\}/g, (_, name: string) => encodeURIComponent(e.pathParams[name] ?? ''));
}

/** The transport-neutral request the API handles; header names in lower case. */
export function apiRequestOf(e: HttpEvent, requestId?: string): ApiRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.headers)) headers[k.toLowerCase()] = v;
  const path = e.version === '1.0' ? e.path : pathOfV01(e);
  return {
    method: e.httpMethod.toUpperCase(),
    path: path === '' ? '/' : path,
    query: { ...e.queryStringParameters },
    headers,
    requestId: e.requestContext?.requestId ?? requestId ?? null,
    ...(e.body ? { body: e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body } : {}),
  };
}
