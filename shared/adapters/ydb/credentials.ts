// Adapter support: the credentials the YDB driver sends with every call.
//
// In Yandex Cloud it is the function's service-account token from the metadata service
// (`../metadata-token.ts`: refreshed before it expires, kept through a failed refresh while
// still valid); a token the server refuses (UNAUTHENTICATED) is fetched again at once
// (client.ts). The invocation's `context.token` would be the other source; it is not used,
// because the driver and its sessions belong to the instance, not to one invocation.
//
// `@ydbjs/auth`'s MetadataCredentialsProvider is not used: 6.0.4 keeps a token until the
// instant it expires, so calls sent just before that instant arrive with a dead token.
import { METADATA_TOKEN_URL, MetadataToken } from '../metadata-token.ts';
import { AccessTokenCredentialsProvider, AnonymousCredentialsProvider, CredentialsProvider } from './sdk.ts';

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

/** The metadata service's token as the driver's credentials. */
export class MetadataTokenProvider extends CredentialsProvider {
  readonly #token: MetadataToken;

  constructor(url: string, now: () => number = Date.now) {
    super();
    this.#token = new MetadataToken(url, now);
  }

  getToken(force = false, signal?: AbortSignal): Promise<string> {
    return this.#token.get(force, signal);
  }
}
