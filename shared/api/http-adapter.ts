// Adapter: node:http ↔ API Gateway payload 1.0, for local runs (the local runtime, tests).
// A request becomes the event the gateway would send — title-cased header names, the last
// value of a repeated query parameter in `queryStringParameters`, `resource` and
// `pathParameters` from the route table the OpenAPI spec is checked against — and the
// function's response becomes the HTTP reply (`multiValueHeaders` win over `headers`,
// base64 bodies decoded). It binds nothing itself; callers choose 127.0.0.1 and the port.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { matchRoute } from '../domain/routes.ts';

/** Request bodies are not used by this read-only API; anything larger is refused. */
const MAX_BODY = 1024 * 1024;

const titleCase = (name: string) => name.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
const isText = (contentType: string | undefined) => !contentType || /^(application\/(json|x-www-form-urlencoded)|text\/)/i.test(contentType);

export type GatewayEventV1 = {
  version: '1.0';
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string>;
  multiValueQueryStringParameters: Record<string, string[]>;
  requestContext: { identity: { sourceIp: string; userAgent: string }; httpMethod: string; requestId: string; requestTime: string; requestTimeEpoch: number };
  pathParameters: Record<string, string>;
  parameters: Record<string, string>;
  multiValueParameters: Record<string, string[]>;
  operationId: string;
  body: string;
  isBase64Encoded: boolean;
};

/** The payload 1.0 event of a request whose body was read already. */
export function eventFromRequest(req: IncomingMessage, body: Buffer, nowMs = Date.now()): GatewayEventV1 {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = titleCase(req.rawHeaders[i]!.toLowerCase());
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    queryStringParameters[k] = v;
    (multiValueQueryStringParameters[k] ??= []).push(v);
  }
  const match = matchRoute(method, url.pathname);
  const params = match.kind === 'match' ? { ...match.params } : {};
  const text = body.length === 0 || isText(req.headers['content-type']);
  return {
    version: '1.0',
    resource: match.kind === 'match' ? match.route.path : url.pathname,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    requestContext: {
      identity: { sourceIp: req.socket.remoteAddress ?? '', userAgent: headers['User-Agent'] ?? '' },
      httpMethod: method,
      requestId: randomUUID(),
      requestTime: new Date(nowMs).toUTCString(),
      requestTimeEpoch: Math.floor(nowMs / 1000),
    },
    pathParameters: params,
    parameters: params,
    multiValueParameters: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, [v]])),
    operationId: match.kind === 'match' ? match.route.name : '',
    body: text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !text,
  };
}

const HeaderValue = z.union([z.string(), z.number(), z.boolean()]);
export const FunctionHttpResponse = z.object({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), HeaderValue).optional(),
  multiValueHeaders: z.record(z.string(), z.array(HeaderValue)).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
});

/** Writes a function response; a malformed one is the gateway's 502 (research §1.4). */
/**
 * Recently sent large bodies, encoded, by their text. A response the API reuses
 * (ResponseCache) arrives as the same string each time, and encoding ~160 KB of mostly
 * Cyrillic JSON to UTF-8 was over half of this server's CPU per request.
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

export function writeResponse(res: ServerResponse, value: unknown): void {
  const r = FunctionHttpResponse.safeParse(value);
  if (!r.success) {
    res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: 'Malformed serverless function response: not a valid json', errorType: 'ProxyIntegrationError' }));
    return;
  }
  const multi = r.data.multiValueHeaders ?? {};
  const inMulti = new Set(Object.keys(multi).map((k) => k.toLowerCase()));
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.data.headers ?? {})) if (!inMulti.has(k.toLowerCase())) headers[k] = String(v);
  for (const [k, vs] of Object.entries(multi)) headers[k] = vs.map(String);
  const body = r.data.body === undefined ? Buffer.alloc(0) : r.data.isBase64Encoded ? Buffer.from(r.data.body, 'base64') : utf8(r.data.body);
  headers['Content-Length'] = String(body.length);
  res.writeHead(r.data.statusCode, headers);
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export type Invoke = (event: GatewayEventV1) => Promise<unknown>;

/** An HTTP server that hands each request to `invoke` as a payload 1.0 event; an invocation that throws is a 502. */
export function createApiServer(invoke: Invoke): Server {
  return createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (body === null) {
        res.writeHead(413, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: 'request too large' }));
        return;
      }
      try {
        writeResponse(res, await invoke(eventFromRequest(req, body)));
      } catch (err) {
        res.writeHead(502, { 'Content-Type': 'application/json', 'X-Function-Error': 'true' });
        res.end(JSON.stringify({ errorMessage: err instanceof Error ? err.message : String(err), errorType: err instanceof Error ? err.name : 'Error' }));
      }
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}

/** Starts `createApiServer` on 127.0.0.1 (port 0: any free port) and resolves with its base URL. */
export async function listenApi(invoke: Invoke, port = 0): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createApiServer(invoke);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
