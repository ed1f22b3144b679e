// Integration: the Lockbox resolver through the real @yandex-cloud/nodejs-sdk client over
// gRPC with TLS, against a Lockbox PayloadService served on 127.0.0.1 with a throw-away
// certificate. Checks the bearer token sent, the payload cache per warm instance, that a
// failed read is not cached, and that errors name the secret and key but never a value.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { PayloadServiceService } from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/lockbox/v1/payload_service.js';
import { Payload } from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/lockbox/v1/payload.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { accessKeyFromLockbox } from '../../../../shared/adapters/secrets/access-key.ts';
import { EnvSecretResolver } from '../../../../shared/adapters/secrets/env.ts';
import { LockboxSecretResolver, lockboxPayloadReader } from '../../../../shared/adapters/secrets/lockbox.ts';
import { ConfigError, TransientError } from '../../../../shared/domain/errors.ts';

const SECRETS: Record<string, Record<string, string>> = {
  e6qpipeline: { aws_access_key_id: 'YCAJEexample', aws_secret_access_key: 'YCexample-secret-value' },
};
const calls: { secretId: string; auth: string | undefined }[] = [];
let failNext = 0;
let server: grpc.Server;
let endpoint: string;
let rootCerts: Buffer;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  rootCerts = readFileSync(join(dir, 'cert.pem'));
  server = new grpc.Server();
  server.addService(PayloadServiceService as unknown as grpc.ServiceDefinition, {
    get: (call: grpc.ServerUnaryCall<{ secretId: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      calls.push({ secretId: call.request.secretId, auth: call.metadata.get('authorization')[0]?.toString() });
      if (failNext > 0) {
        failNext--;
        return cb({ code: grpc.status.UNAVAILABLE, details: 'try later' });
      }
      const entries = SECRETS[call.request.secretId];
      if (!entries) return cb({ code: grpc.status.NOT_FOUND, details: 'no such secret' });
      cb(null, Payload.fromPartial({ versionId: 'v1', entries: Object.entries(entries).map(([key, textValue]) => ({ key, textValue })) }));
    },
  });
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{ private_key: readFileSync(join(dir, 'key.pem')), cert_chain: rootCerts }]), (e, p) => (e ? fail(e) : ok(p))),
  );
  endpoint = `localhost:${port}`;
});

afterAll(() => server?.forceShutdown());

const resolver = () => new LockboxSecretResolver(lockboxPayloadReader({ endpoint, iamToken: 't0ken', rootCerts }), new EnvSecretResolver({ HOOK_SECRET: 'from-env' }));

describe('LockboxSecretResolver over the payload service', () => {
  test('without a fixed token it signs in as the service account through the metadata service, once while the token is valid', async () => {
    calls.length = 0;
    const asked: (string | undefined)[] = [];
    const meta = createServer((req, res) => {
      asked.push(req.headers['metadata-flavor'] as string | undefined);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'meta-token-1', expires_in: 3600, token_type: 'Bearer' }));
    });
    await new Promise<void>((r) => meta.listen(0, '127.0.0.1', r));
    try {
      const metadataUrl = `http://127.0.0.1:${(meta.address() as AddressInfo).port}/computeMetadata/v1/instance/service-accounts/default/token`;
      const read = lockboxPayloadReader({ endpoint, rootCerts, metadataUrl });
      await read('e6qpipeline', undefined);
      await read('e6qpipeline', undefined);
      expect(asked).toEqual(['Google']);
      expect(calls.map((c) => c.auth)).toEqual(['Bearer meta-token-1', 'Bearer meta-token-1']);
    } finally {
      meta.close();
    }
  });

  test('resolves entries as the service account, reading each secret once per instance', async () => {
    calls.length = 0;
    const r = resolver();
    const key = await accessKeyFromLockbox(r, 'e6qpipeline')();
    expect(key).toEqual({ accessKeyId: 'YCAJEexample', secretAccessKey: 'YCexample-secret-value' });
    await accessKeyFromLockbox(r, 'e6qpipeline')();
    expect(calls).toEqual([{ secretId: 'e6qpipeline', auth: 'Bearer t0ken' }]);
    expect((await r.resolve({ env: 'HOOK_SECRET' })).reveal()).toBe('from-env');
  });

  test('a failed read is transient and not cached; the next call reads again', async () => {
    calls.length = 0;
    failNext = 1;
    const r = resolver();
    const ref = { lockbox: { secretId: 'e6qpipeline', key: 'aws_access_key_id' } };
    await expect(r.resolve(ref)).rejects.toBeInstanceOf(TransientError);
    expect((await r.resolve(ref)).reveal()).toBe('YCAJEexample');
    expect(calls).toHaveLength(2);
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
