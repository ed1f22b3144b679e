// Local runtime: a stand-in for API Gateway on 127.0.0.1. Routes come from the `http`
// events of serverless.yml and, when present, from an OpenAPI spec's
// `x-yc-apigateway-integration: {type: cloud_functions}` operations. A request becomes an
// API Gateway event (payload 0.1 or 1.0) for the function; its {statusCode, headers,
// multiValueHeaders, body, isBase64Encoded} becomes the HTTP answer, and an unhandled
// exception the gateway's 502.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import { z } from 'zod';
import { httpEvent, httpFunctionError, httpReply, matchPath, type HttpReply } from './events.ts';
import type { FunctionHost, RuntimeLog } from './functions.ts';
import type { Trigger } from './serverless-config.ts';

export type Route = { readonly method: string; readonly path: string; readonly fn: string; readonly payloadVersion: '0.1' | '1.0'; readonly context?: Record<string, unknown> };

const Integration = z.looseObject({
  type: z.string(),
  function_id: z.string().optional(),
  payload_format_version: z.enum(['0.1', '1.0']).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
});
const Spec = z.object({ openapi: z.string(), paths: z.record(z.string(), z.record(z.string(), z.unknown())) });

/**
 * Routes of an OpenAPI spec for API Gateway. A `function_id` is a deploy-time value (an id
 * or a `${var.…}` reference), so it is matched to a function by name: the function whose
 * name the id or the variable starts with (`${var.api_function_id}` → `api`).
 */
export function specRoutes(spec: unknown, functions: readonly string[]): Route[] {
  const s = Spec.parse(spec);
  const routes: Route[] = [];
  const byLength = [...functions].sort((a, b) => b.length - a.length);
  for (const [path, ops] of Object.entries(s.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const m = method === 'x-yc-apigateway-any-method' ? 'any' : method.toLowerCase();
      if (!['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'any'].includes(m)) continue;
      const integ = Integration.safeParse((op as Record<string, unknown> | null)?.['x-yc-apigateway-integration']);
      if (!integ.success || integ.data.type !== 'cloud_functions' || !integ.data.function_id) continue;
      const id = integ.data.function_id.replace(/^\$\{(var\.)?/, '').toLowerCase().replace(/[^a-z0-9]/g, '');
      const fn = byLength.find((f) => id.startsWith(f.replace(/-/g, '')));
      if (!fn) continue;
      routes.push({ method: m, path, fn, payloadVersion: integ.data.payload_format_version ?? '0.1', ...(integ.data.context ? { context: integ.data.context } : {}) });
    }
  }
  return routes;
}

export function loadSpecRoutes(file: string, functions: readonly string[]): Route[] {
  const text = readFileSync(file, 'utf8');
  return specRoutes(file.endsWith('.json') ? JSON.parse(text) : parse(text), functions);
}

export function triggerRoutes(triggers: readonly Trigger[]): Route[] {
  return triggers.flatMap((t) => (t.kind === 'http' ? [{ method: t.method, path: t.path, fn: t.fn, payloadVersion: t.payloadVersion, ...(t.context ? { context: t.context } : {}) }] : []));
}

/** Literal paths before templated ones, greedy parameters last: as a gateway picks the most specific. */
function specificity(path: string): number {
  return (path.includes('+}') ? 1000 : 0) + (path.match(/\{/g)?.length ?? 0) * 10 - path.split('/').length;
}

export type HttpGateway = { readonly url: string; readonly routes: readonly Route[]; readonly busy: number; close(): Promise<void> };

export async function startHttpGateway(routes: readonly Route[], host: FunctionHost, opts: { port?: number; log: RuntimeLog }): Promise<HttpGateway> {
  const ordered = [...routes].sort((a, b) => specificity(a.path) - specificity(b.path));
  let busy = 0;
  const server: Server = createServer((req, res) => {
    busy++;
    void handle(req)
      .then((r) => {
        res.writeHead(r.status, r.headers.flat() as string[]);
        res.end(req.method === 'HEAD' ? undefined : r.body);
      })
      .catch((err: unknown) => {
        opts.log('ERROR', 'local.http_failed', { error: err instanceof Error ? err.message : String(err) });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'local gateway error' }));
      })
      .finally(() => busy--);
  });

  async function handle(req: IncomingMessage): Promise<HttpReply> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toLowerCase();
    let pathMatched = false;
    for (const r of ordered) {
      const params = matchPath(r.path, url.pathname);
      if (!params) continue;
      pathMatched = true;
      if (r.method !== 'any' && r.method !== method && !(method === 'head' && r.method === 'get')) continue;
      const headers: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
      const event = httpEvent({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, body: Buffer.concat(chunks), sourceIp: req.socket.remoteAddress ?? '127.0.0.1' }, { resource: r.path, params, ...(r.context ? { context: r.context } : {}) }, r.payloadVersion, Date.now());
      const result = await host.invoke(r.fn, 'http', event);
      return result.ok ? httpReply(result.value) : httpFunctionError(result.error);
    }
    const body = Buffer.from(JSON.stringify({ message: pathMatched ? 'Method not allowed' : 'Not found' }));
    return { status: pathMatched ? 405 : 404, headers: [['content-type', 'application/json']], body };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes: ordered,
    get busy() {
      return busy;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
