// Integration: the SecretResolver contract run by both resolvers: `{ env }` references over
// an environment, and `{ lockbox }` references through the real Lockbox client over gRPC
// with TLS to the payload service double (test/support/lockbox.ts), one server for the
// file, each factory call planting its own secret id.
import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { EnvSecretResolver } from '../../../../shared/adapters/secrets/env.ts';
import { LockboxSecretResolver, lockboxPayloadReader } from '../../../../shared/adapters/secrets/lockbox.ts';
import { secretResolverContract } from '../../../contract/secrets.contract.ts';
import { startLockbox, type LockboxDouble } from '../../../support/lockbox.ts';

secretResolverContract('environment', async (planted) => ({
  resolver: new EnvSecretResolver({ ...planted }),
  ref: (name) => ({ env: name }),
  [Symbol.asyncDispose]: async () => {},
}));

let lockbox: Promise<LockboxDouble> | undefined;
afterAll(async () => (await lockbox)?.[Symbol.asyncDispose]());

secretResolverContract('Lockbox', async (planted) => {
  const double = await (lockbox ??= startLockbox());
  const secretId = `e6q${randomUUID().replaceAll('-', '')}`;
  double.secrets.set(secretId, { ...planted });
  return {
    // the fallback holds nothing: every reference here must be answered by Lockbox itself
    resolver: new LockboxSecretResolver(lockboxPayloadReader({ endpoint: double.endpoint, iamToken: 'contract-token', rootCerts: double.rootCerts }), new EnvSecretResolver({})),
    ref: (name) => ({ lockbox: { secretId, key: name } }),
    [Symbol.asyncDispose]: async () => void double.secrets.delete(secretId),
  };
});
