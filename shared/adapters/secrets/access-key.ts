// Adapter: the static access key (AWS SigV4: Object Storage, Message Queue) of a function's
// service account, read from a Lockbox secret at run time instead of from the function
// version's environment. The entry names are the ones docs/deploy.md writes.
import { ConfigError } from '../../domain/errors.ts';
import type { SecretResolver } from '../../ports/secrets.ts';

export const ACCESS_KEY_ENTRIES = { accessKeyId: 'aws_access_key_id', secretAccessKey: 'aws_secret_access_key' } as const;

export type AccessKey = { readonly accessKeyId: string; readonly secretAccessKey: string };

/** A credentials provider for the AWS SDK and the SigV4 signer; the resolver caches the payload. */
export function accessKeyFromLockbox(secrets: SecretResolver, secretId: string): () => Promise<AccessKey> {
  return async () => {
    const [id, secret] = await Promise.all([
      secrets.resolve({ lockbox: { secretId, key: ACCESS_KEY_ENTRIES.accessKeyId } }),
      secrets.resolve({ lockbox: { secretId, key: ACCESS_KEY_ENTRIES.secretAccessKey } }),
    ]);
    return { accessKeyId: id.reveal(), secretAccessKey: secret.reveal() };
  };
}

/**
 * The key from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (local runs), read at each call as
 * the AWS SDK's `fromEnv` does — without loading the SDK's credential chain into a function
 * bundle. Yandex static keys carry no session token.
 */
export function accessKeyFromEnv(env: NodeJS.ProcessEnv = process.env): () => Promise<AccessKey> {
  return async () => {
    const accessKeyId = env['AWS_ACCESS_KEY_ID'];
    const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
    if (!accessKeyId || !secretAccessKey) throw new ConfigError('no access key: set ACCESS_KEY_SECRET_ID (a Lockbox secret), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    return { accessKeyId, secretAccessKey };
  };
}
