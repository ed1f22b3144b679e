// Adapter support: the credentials the YDB driver sends with every call.
//
// In Yandex Cloud a function's service account token comes from the metadata service
// (GCE-compatible: `Metadata-Flavor: Google`, JSON `{access_token, expires_in}`). The
// stores are built once per warm instance and outlive many tokens, so the token is asked
// for per call and fetched again *before* it expires: when a fifth of its lifetime (at
// most five minutes) is left. A failed refresh keeps serving the current token while it is
// still valid, and a token the server refuses (UNAUTHENTICATED) is fetched again at once
// (client.ts). The invocation's `context.token` would be the other source; it is not used,
// because the driver and its sessions belong to the instance, not to one invocation.
//
// `@ydbjs/auth`'s MetadataCredentialsProvider is not used: 6.0.4 keeps a token until the
// instant it expires, so calls sent just before that instant arrive with a dead token.
import { TransientError } from '../../domain/errors.ts';
import { AccessTokenCredentialsProvider, AnonymousCredentialsProvider, CredentialsProvider } from './sdk.ts';

export const METADATA_TOKEN_URL = 'http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token';

export type CredentialsSettings =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'metadata'; readonly endpoint?: string | undefined };

/** The credentials variables, read once by the runtime's config (shared/runtime/config.ts). */
export type CredentialsEnv = {
  readonly YDB_ANONYMOUS_CREDENTIALS?: string | undefined;
  readonly YDB_ACCESS_TOKEN_CREDENTIALS?: string | undefined;
  readonly YDB_METADATA_CREDENTIALS_ENDPOINT?: string | undefined;
};

/** Anonymous for a local YDB, a fixed token for a workstation, else the metadata service. */
export function credentialsFrom(env: CredentialsEnv): CredentialsSettings {
  if (env.YDB_ANONYMOUS_CREDENTIALS === '1') return { kind: 'anonymous' };
  if (env.YDB_ACCESS_TOKEN_CREDENTIALS) return { kind: 'token', token: env.YDB_ACCESS_TOKEN_CREDENTIALS };
  return { kind: 'metadata', endpoint: env.YDB_METADATA_CREDENTIALS_ENDPOINT };
}

export function credentialsProvider(c: CredentialsSettings): CredentialsProvider {
  switch (c.kind) {
    case 'anonymous':
      return new AnonymousCredentialsProvider();
    case 'token':
      return new AccessTokenCredentialsProvider({ token: c.token });
    case 'metadata':
      return new MetadataTokenProvider(c.endpoint ?? METADATA_TOKEN_URL);
  }
}

type Token = { readonly value: string; readonly refreshAt: number; readonly expiresAt: number };

/** The metadata service's token, refreshed ahead of its expiry. */
export class MetadataTokenProvider extends CredentialsProvider {
  readonly #url: string;
  readonly #now: () => number;
  #token: Token | null = null;
  #inflight: Promise<string> | null = null;

  constructor(url: string, now: () => number = Date.now) {
    super();
    this.#url = url;
    this.#now = now;
  }

  getToken(force = false, signal?: AbortSignal): Promise<string> {
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
