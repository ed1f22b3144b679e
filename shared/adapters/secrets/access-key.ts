// Adapter: the static access key (AWS SigV4: Object Storage, Message Queue) of a function's
// service account, read from a Lockbox secret at run time instead of from the function
// version's environment. The entry names are the ones docs/deploy.md writes.
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
