// Adapter support: outgoing HTTP for notification channels, with SSRF protection at both
// points where it matters. The URL is checked before anything happens (scheme, literal
// addresses, `localhost`: Node skips DNS for IP literals), and every address a host name
// resolves to is checked inside the socket's own `lookup`, so the address we check is the
// address we connect to (no DNS-rebinding gap). Redirects are never followed, the response
// body is capped at 1 MB, and one deadline covers connect, send and receive.
// Errors carry codes only: never the URL (it may embed a token) or the body.
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { PipelineError } from '../../domain/errors.ts';
import { checkOutboundUrl, classifyAddress, isAddressAllowed, type AddressPolicy } from '../../domain/notify/ssrf.ts';

export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The target is (or resolves to) an address we never connect to. Not retryable: a config fix is needed. */
export class SsrfBlockedError extends PipelineError {
  constructor(readonly reason: string) {
    super(`outbound request refused: ${reason}`, 'notify.ssrf_blocked', false);
  }
}

/** No complete answer within the deadline. */
export class HttpTimeoutError extends PipelineError {
  constructor() {
    super('outbound request timed out', 'notify.timeout', true);
  }
}

/** A socket-level failure (refused, reset, DNS failure); `netCode` is Node's errno code. */
export class HttpNetworkError extends PipelineError {
  constructor(readonly netCode: string) {
    super(`outbound request failed: ${netCode}`, 'notify.network', true);
  }
}

export type Resolve = (hostname: string) => Promise<readonly LookupAddress[]>;

export type GuardOptions = AddressPolicy & {
  /** DNS resolution; tests inject a fake resolver to point a name at a private address */
  readonly resolve?: Resolve;
};

const systemResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A `lookup` for net/http that fails unless every resolved address is allowed. */
export function guardedLookup(guard: GuardOptions): LookupFunction {
  const resolve = guard.resolve ?? systemResolve;
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const family = typeof options.family === 'number' ? options.family : 0;
        const usable = addresses.filter((a) => family === 0 || a.family === family);
        // all of them, not just the first: a resolver may rotate, and the socket may try each
        const bad = addresses.find((a) => !isAddressAllowed(classifyAddress(a.address) ?? 'reserved', guard));
        if (bad || usable.length === 0) {
          const err = new SsrfBlockedError(bad ? `resolved_${classifyAddress(bad.address) ?? 'invalid'}` : 'no_address');
          callback(err as unknown as NodeJS.ErrnoException, '', 0);
          return;
        }
        if (options.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** Agents for clients that bring their own HTTP stack (the AWS SDK): the same connect-time check. */
export function guardedAgents(guard: GuardOptions): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const lookup = guardedLookup(guard);
  // Agent options reach net.connect/tls.connect, so `lookup` applies to every socket they open.
  return { httpAgent: new http.Agent({ lookup } as http.AgentOptions), httpsAgent: new https.Agent({ lookup } as https.AgentOptions) };
}

export type HttpRequest = {
  readonly url: string;
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
};

export type HttpResponse = {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly truncated: boolean;
};

export function guardedRequest(req: HttpRequest, guard: GuardOptions): Promise<HttpResponse> {
  const check = checkOutboundUrl(req.url, guard);
  if (!check.ok) return Promise.reject(new SsrfBlockedError(check.kind ? `${check.reason}_${check.kind}` : check.reason));
  const url = check.url;
  const body = Buffer.from(req.body, 'utf8');
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const r = mod.request(
      url,
      {
        method: req.method,
        headers: { ...req.headers, 'content-length': String(body.length) },
        lookup: guardedLookup(guard),
        // a fresh connection per attempt: a pooled socket would skip the lookup check
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size + c.length > MAX_RESPONSE_BYTES) {
            chunks.push(c.subarray(0, MAX_RESPONSE_BYTES - size));
            size = MAX_RESPONSE_BYTES;
            done(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), truncated: true }));
            res.destroy();
            return;
          }
          size += c.length;
          chunks.push(c);
        });
        res.on('end', () => done(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), truncated: false })));
        res.on('error', (e) => done(() => reject(mapError(e))));
      },
    );
    const timer = setTimeout(() => {
      done(() => reject(new HttpTimeoutError()));
      r.destroy();
    }, req.timeoutMs);
    r.on('error', (e) => done(() => reject(mapError(e))));
    r.end(body);
  });
}

function mapError(e: unknown): Error {
  if (e instanceof PipelineError) return e;
  const code = (e as { code?: unknown }).code;
  return new HttpNetworkError(typeof code === 'string' ? code : 'unknown');
}

/** A send outcome for a request that did not get an HTTP answer. */
export function outcomeOfError(e: unknown) {
  if (e instanceof SsrfBlockedError) return { kind: 'dead' as const, error: `ssrf.${e.reason}` };
  if (e instanceof HttpTimeoutError) return { kind: 'retry' as const, error: 'net.timeout', retryAfterMs: null };
  if (e instanceof HttpNetworkError) return { kind: 'retry' as const, error: `net.${e.netCode}`, retryAfterMs: null };
  return { kind: 'retry' as const, error: `error.${e instanceof Error ? e.name : 'unknown'}`, retryAfterMs: null };
}

export function headerValue(h: http.IncomingHttpHeaders, name: string): string | null {
  const v = h[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}
