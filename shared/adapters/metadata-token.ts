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
import { TransientError } from '../domain/errors.ts';

export const METADATA_TOKEN_URL = 'http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token';

type Token = { readonly value: string; readonly refreshAt: number; readonly expiresAt: number };

export class MetadataToken {
  readonly #url: string;
  readonly #now: () => number;
  #token: Token | null = null;
  #inflight: Promise<string> | null = null;

  constructor(url: string = METADATA_TOKEN_URL, now: () => number = Date.now) {
    this.#url = url;
    this.#now = now;
  }

  get(force = false, signal?: AbortSignal): Promise<string> {
    const t = this.#token;
    const now = this.#now();
    if (!force && t && now < t.refreshAt) return Promise.resolve(t.value);
    this.#inflight ??= this.#fetch(signal)
      .catch((err: unknown) => {
        // a refresh that fails while the current token is still valid keeps it
        if (!force && t && now < t.expiresAt) return t.value;
        throw err;
      })
      .finally(() => {
        this.#inflight = null;
      });
    return this.#inflight;
  }

  async #fetch(signal?: AbortSignal): Promise<string> {
    const started = this.#now();
    const res = await fetch(this.#url, { headers: { 'Metadata-Flavor': 'Google' }, signal: signal ?? AbortSignal.timeout(5_000) });
    if (!res.ok) throw new TransientError(`the metadata service gave no token (HTTP ${res.status}): does the function have a service account?`);
    const body = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || !body.access_token) throw new TransientError('the metadata service answered without access_token');
    const lifetimeMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600) * 1000;
    const early = Math.min(lifetimeMs / 5, 300_000);
    this.#token = { value: body.access_token, expiresAt: started + lifetimeMs, refreshAt: started + lifetimeMs - early };
    return body.access_token;
  }
}
