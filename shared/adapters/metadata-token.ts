// Adapter support: the function's service-account token from the metadata service, for the
// adapters that call Yandex Cloud APIs as that account (the YDB driver, the Lockbox payload
// reader).
//
// In Yandex Cloud the metadata service is GCE-compatible: `Metadata-Flavor: Google`, JSON
// `{access_token, expires_in}`. Adapters are built once per warm instance and outlive many
// tokens, so the token is asked for per call and fetched again *before* it expires: when a
// fifth of its lifetime (at most five minutes) is left. Concurrent callers share one fetch;
// a failed refresh keeps serving the current token while it is still valid; `force` fetches
// at once (after the server refused the token).
//
// The fetch has a timeout of its own and never takes a caller's signal: it is shared, and
// the first caller may be the session's AttachSession stream, whose signal lives as long
// as the session — a metadata service that does not answer would then hold every caller
// forever. A caller's signal ends only that caller's wait.
import { TransientError } from '../domain/errors.ts';

export const METADATA_TOKEN_URL = 'http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token';

/** The metadata service is on the host: it answers in milliseconds or not at all. */
export const METADATA_TIMEOUT_MS = 2_000;

type Token = { readonly value: string; readonly refreshAt: number; readonly expiresAt: number };

export class MetadataToken {
  readonly #url: string;
  readonly #now: () => number;
  #token: Token | null = null;
  #inflight: Promise<string> | null = null;

  readonly #timeoutMs: number;

  constructor(url: string = METADATA_TOKEN_URL, now: () => number = Date.now, timeoutMs: number = METADATA_TIMEOUT_MS) {
    this.#url = url;
    this.#now = now;
    this.#timeoutMs = timeoutMs;
  }

  get(force = false, signal?: AbortSignal): Promise<string> {
    const t = this.#token;
    const now = this.#now();
    if (!force && t && now < t.refreshAt) return Promise.resolve(t.value);
    this.#inflight ??= this.#fetch()
      .catch((err: unknown) => {
        // a refresh that fails while the current token is still valid keeps it
        if (!force && t && now < t.expiresAt) return t.value;
        throw err;
      })
      .finally(() => {
        this.#inflight = null;
      });
    return signal ? untilAborted(this.#inflight, signal) : this.#inflight;
  }

  async #fetch(): Promise<string> {
    const started = this.#now();
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      const res = await fetch(this.#url, { headers: { 'Metadata-Flavor': 'Google' }, signal: AbortSignal.timeout(this.#timeoutMs) });
      if (!res.ok) throw new TransientError(`the metadata service gave no token (HTTP ${res.status}): does the function have a service account?`);
      body = (await res.json()) as typeof body;
    } catch (err) {
      if (err instanceof TransientError) throw err;
      if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
        throw new TransientError(`the metadata service did not answer within ${this.#timeoutMs} ms`, { cause: err });
      }
      throw new TransientError(`the metadata service is unreachable: ${(err as Error).message}`, { cause: err });
    }
    if (typeof body.access_token !== 'string' || !body.access_token) throw new TransientError('the metadata service answered without access_token');
    const lifetimeMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600) * 1000;
    const early = Math.min(lifetimeMs / 5, 300_000);
    this.#token = { value: body.access_token, expiresAt: started + lifetimeMs, refreshAt: started + lifetimeMs - early };
    return body.access_token;
  }
}

/** `p`, or the signal's reason once it aborts (the promise itself goes on for others). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
