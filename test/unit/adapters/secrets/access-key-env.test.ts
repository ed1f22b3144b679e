// Unit: the access key from the environment (local runs; the cloud reads it from Lockbox):
// read at each call, like the AWS SDK's fromEnv it replaces, and a missing half is a
// configuration error that says which variables to set, never a value.
import { describe, expect, test } from 'vitest';
import { accessKeyFromEnv } from '../../../../shared/adapters/secrets/access-key.ts';
import { ConfigError } from '../../../../shared/domain/errors.ts';

describe('accessKeyFromEnv', () => {
  test('the key pair from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as they are when called', async () => {
    const env: NodeJS.ProcessEnv = {};
    const key = accessKeyFromEnv(env);
    env['AWS_ACCESS_KEY_ID'] = 'S3RVER';
    env['AWS_SECRET_ACCESS_KEY'] = 'S3RVER-secret';
    expect(await key()).toEqual({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER-secret' });
  });

  test('either half missing is a ConfigError naming the variables, without the other half', async () => {
    for (const env of [{ AWS_ACCESS_KEY_ID: 'id-only' }, { AWS_SECRET_ACCESS_KEY: 'secret-only' }, {}]) {
      const err = await accessKeyFromEnv(env)().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain('AWS_SECRET_ACCESS_KEY');
      expect((err as Error).message).not.toMatch(/id-only|secret-only/);
    }
  });
});
