// Integration: the Lockbox resolver through the real @yandex-cloud/nodejs-sdk client over
// gRPC with TLS, against the Lockbox PayloadService double (test/support/lockbox.ts). What
// only Lockbox has — what every resolver promises is test/contract/secrets.contract.ts: the
// bearer token sent, the payload cache per warm instance, that a failed read is not cached,
// and that errors name the secret and key but never a value.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { accessKeyFromLockbox } from '../../../../shared/adapters/secrets/access-key.ts';
import { EnvSecretResolver } from '../../../../shared/adapters/secrets/env.ts';
import { LockboxSecretResolver, lockboxPayloadReader } from '../../../../shared/adapters/secrets/lockbox.ts';
import { ConfigError, TransientError } from '../../../../shared/domain/errors.ts';
import { startLockbox, type LockboxDouble } from '../../../support/lockbox.ts';

let lockbox: LockboxDouble;

beforeAll(async () => {
  lockbox = await startLockbox();
  lockbox.secrets.set('e6qpipeline', { aws_access_key_id: 'YCAJEexample', aws_secret_access_key: 'YCexample-secret-value' });
});

afterAll(() => lockbox?.[Symbol.asyncDispose]());

const resolver = () => new LockboxSecretResolver(lockboxPayloadReader({ endpoint: lockbox.endpoint, iamToken: 't0ken', rootCerts: lockbox.rootCerts }), new EnvSecretResolver({ HOOK_SECRET: 'from-env' }));

describe('LockboxSecretResolver over the payload service', () => {
  test('without a fixed token it signs in as the service account through the metadata service, once while the token is valid', async () => {
    lockbox.calls.length = 0;
    const asked: (string | undefined)[] = [];
    const meta = createServer((req, res) => {
      asked.push(req.headers['metadata-flavor'] as string | undefined);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'meta-token-1', expires_in: 3600, token_type: 'Bearer' }));
    });
    await new Promise<void>((r) => meta.listen(0, '127.0.0.1', r));
    try {
      const metadataUrl = `http://127.0.0.1:${(meta.address() as AddressInfo).port}/computeMetadata/v1/instance/service-accounts/default/token`;
      const read = lockboxPayloadReader({ endpoint: lockbox.endpoint, rootCerts: lockbox.rootCerts, metadataUrl });
      await read('e6qpipeline', undefined);
      await read('e6qpipeline', undefined);
      expect(asked).toEqual(['Google']);
      expect(lockbox.calls.map((c) => c.auth)).toEqual(['Bearer meta-token-1', 'Bearer meta-token-1']);
    } finally {
      meta.close();
    }
  });

  test('resolves entries as the service account, reading each secret once per instance', async () => {
    lockbox.calls.length = 0;
    const r = resolver();
    const key = await accessKeyFromLockbox(r, 'e6qpipeline')();
    expect(key).toEqual({ accessKeyId: 'YCAJEexample', secretAccessKey: 'YCexample-secret-value' });
    await accessKeyFromLockbox(r, 'e6qpipeline')();
    expect(lockbox.calls).toEqual([{ secretId: 'e6qpipeline', auth: 'Bearer t0ken' }]);
    expect((await r.resolve({ env: 'HOOK_SECRET' })).reveal()).toBe('from-env');
  });

  test('a failed read is transient and not cached; the next call reads again', async () => {
    lockbox.calls.length = 0;
    lockbox.failNext = 1;
    const r = resolver();
    const ref = { lockbox: { secretId: 'e6qpipeline', key: 'aws_access_key_id' } };
    await expect(r.resolve(ref)).rejects.toBeInstanceOf(TransientError);
    expect((await r.resolve(ref)).reveal()).toBe('YCAJEexample');
    expect(lockbox.calls).toHaveLength(2);
  });

  test('an unknown secret or entry is a configuration error naming it, without any value', async () => {
    const r = resolver();
    const missing = await r.resolve({ lockbox: { secretId: 'e6qnone', key: 'x' } }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as Error).message).toContain('e6qnone');
    const noEntry = await r.resolve({ lockbox: { secretId: 'e6qpipeline', key: 'vk_token' } }).catch((e: unknown) => e);
    expect(noEntry).toBeInstanceOf(ConfigError);
    expect((noEntry as Error).message).toContain('"vk_token"');
    expect((noEntry as Error).message).not.toContain('YCexample');
  });
});
