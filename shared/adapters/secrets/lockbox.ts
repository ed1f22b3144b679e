// Adapter: secret references resolved at run time from Yandex Lockbox's payload service,
// authenticated as the function's own service account (its IAM token from the metadata
// service), so no secret value is ever stored in a function version's environment — the
// Serverless plugin (1.7) cannot attach Lockbox secrets to a version, and `${lockbox:…}`
// variables are resolved at deploy time into plain environment values.
// One payload read per (secret, version) per warm instance: the promise is cached, and a
// failed read is dropped from the cache so the next invocation tries again.
// `{ env }` references go to the fallback resolver (local runs, tests).
// Errors name the secret id and the entry key, never a value.
import { ConfigError, TransientError } from '../../domain/errors.ts';
import type { SecretRef } from '../../domain/notify/config.ts';
import { Secret } from '../../domain/notify/secret.ts';
import type { SecretResolver } from '../../ports/secrets.ts';

/** The text entries of one secret version: entry key → value. */
export type PayloadReader = (secretId: string, versionId: string | undefined) => Promise<ReadonlyMap<string, string>>;

export class LockboxSecretResolver implements SecretResolver {
  readonly #payloads = new Map<string, Promise<ReadonlyMap<string, string>>>();

  constructor(
    private readonly read: PayloadReader,
    private readonly fallback: SecretResolver,
  ) {}

  async resolve(ref: SecretRef): Promise<Secret> {
    if (!('lockbox' in ref)) return this.fallback.resolve(ref);
    const { secretId, key, versionId } = ref.lockbox;
    const entries = await this.#payload(secretId, versionId);
    const value = entries.get(key);
    if (value === undefined || value === '') {
      throw new ConfigError(`Lockbox secret ${secretId}${versionId ? ` version ${versionId}` : ''} has no text entry "${key}"`);
    }
    return new Secret(value);
  }

  #payload(secretId: string, versionId: string | undefined): Promise<ReadonlyMap<string, string>> {
    const id = `${secretId}/${versionId ?? ''}`;
    let p = this.#payloads.get(id);
    if (!p) {
      p = this.read(secretId, versionId);
      this.#payloads.set(id, p);
      p.catch(() => this.#payloads.delete(id));
    }
    return p;
  }
}

export type LockboxClientSettings = {
  /** host:port of the payload service; the SDK's default (payload.lockbox.api.cloud.yandex.net:443) when absent */
  readonly endpoint?: string;
  /** a fixed IAM token; the metadata service (the function's service account) when absent */
  readonly iamToken?: string;
  /** PEM roots for a private endpoint (tests); the system roots when absent */
  readonly rootCerts?: Buffer;
};

// gRPC codes that say the request itself is wrong (no such secret, no access): retrying
// will not help, so they are configuration errors, not transient ones.
const PERMANENT = new Set([3, 5, 7, 16]);

/**
 * The payload reader over `@yandex-cloud/nodejs-sdk`, loaded on first use so an instance
 * without Lockbox references never loads gRPC.
 */
export function lockboxPayloadReader(settings: LockboxClientSettings = {}): PayloadReader {
  let client: Promise<(secretId: string, versionId: string | undefined) => Promise<ReadonlyMap<string, string>>> | undefined;
  const connect = async () => {
    const [{ Session }, { PayloadServiceClient, GetPayloadRequest }] = await Promise.all([
      import('@yandex-cloud/nodejs-sdk/dist/session.js'),
      import('@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/lockbox/v1/payload_service.js'),
    ]);
    const session = new Session({
      ...(settings.iamToken ? { iamToken: settings.iamToken } : {}),
      ...(settings.rootCerts ? { ssl: { rootCerts: settings.rootCerts } } : {}),
    });
    const service = session.client(PayloadServiceClient, settings.endpoint);
    return async (secretId: string, versionId: string | undefined) => {
      const payload = await service.get(GetPayloadRequest.fromPartial({ secretId, versionId: versionId ?? '' }));
      return new Map(payload.entries.flatMap((e) => (e.textValue === undefined ? [] : [[e.key, e.textValue] as const])));
    };
  };
  return async (secretId, versionId) => {
    client ??= connect();
    try {
      return await (await client)(secretId, versionId);
    } catch (err) {
      const code = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
      const what = `reading Lockbox secret ${secretId} failed${code === null ? '' : ` (gRPC status ${code})`}`;
      if (code !== null && PERMANENT.has(code)) throw new ConfigError(`${what}: check the secret id and that the function's service account has lockbox.payloadViewer on it`, { cause: err });
      throw new TransientError(what, { cause: err });
    }
  };
}
