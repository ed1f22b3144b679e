// Local runtime: node:http ↔ API Gateway payload 1.0 for the api function alone (the bench,
// the browser and sample-API tests), without a serverless.yml: `resource`, the path
// parameters and `operationId` come from the route table the OpenAPI spec is checked
// against. The event and the reply are the local gateway's (events.ts), so both servers
// send the gateway's event and answer as the gateway does. It binds nothing itself;
// callers choose 127.0.0.1 and the port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { matchRoute } from '../../shared/domain/routes.ts';
import type { HttpEventInput } from '../../shared/runtime/yandex-events.ts';
import { httpEvent, httpFunctionError, httpReply, type HttpReply } from './events.ts';

/** Request bodies are not used by this read-only API; anything larger is refused. */
const MAX_BODY = 1024 * 1024;

/** The payload 1.0 event of a request whose body was read already. */
export function eventFromRequest(req: IncomingMessage, body: Buffer, nowMs = Date.now()): HttpEventInput {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
  const match = matchRoute(method, url.pathname);
  const route =
    match.kind === 'match' ? { resource: match.route.path, params: { ...match.params }, operationId: match.route.name } : { resource: url.pathname, params: {} };
  return httpEvent({ method, path: url.pathname, query: url.searchParams, headers, body, sourceIp: req.socket.remoteAddress ?? '' }, route, '1.0', nowMs);
}

/** With the length in the head, as the gateway answers; writeHead alone would send the body chunked. */
function send(res: ServerResponse, r: HttpReply): void {
  const sized = r.headers.some(([k]) => k.toLowerCase() === 'content-length');
  res.writeHead(r.status, sized ? r.headers.flat() : [...r.headers.flat(), 'Content-Length', String(r.body.length)]);
  res.end(r.body);
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

export type Invoke = (event: HttpEventInput) => Promise<unknown>;

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
      let reply: HttpReply;
      try {
        reply = httpReply(await invoke(eventFromRequest(req, body)));
      } catch (err) {
        reply = httpFunctionError(err instanceof Error ? err : { name: 'Error', message: String(err) });
      }
      send(res, reply);
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
