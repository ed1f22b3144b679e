// A Lockbox PayloadService on 127.0.0.1 over gRPC with TLS (a throw-away certificate made by
// openssl), for the real @yandex-cloud/nodejs-sdk client the Lockbox resolver uses. Secrets
// are planted in `secrets` (secret id → entry key → text value); each request is recorded
// with its bearer token; `failNext` answers that many requests UNAVAILABLE; a secret not
// planted is NOT_FOUND, as Lockbox answers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { PayloadServiceService } from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/lockbox/v1/payload_service.js';
import { Payload } from '@yandex-cloud/nodejs-sdk/dist/generated/yandex/cloud/lockbox/v1/payload.js';

export type LockboxDouble = AsyncDisposable & {
  /** host:port for `lockboxPayloadReader({ endpoint })` */
  readonly endpoint: string;
  /** the certificate to trust (`rootCerts`) */
  readonly rootCerts: Buffer;
  readonly secrets: Map<string, Record<string, string>>;
  readonly calls: { secretId: string; auth: string | undefined }[];
  failNext: number;
};

export async function startLockbox(): Promise<LockboxDouble> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const rootCerts = readFileSync(join(dir, 'cert.pem'));
  const server = new grpc.Server();
  const double = {
    endpoint: '',
    rootCerts,
    secrets: new Map<string, Record<string, string>>(),
    calls: [] as { secretId: string; auth: string | undefined }[],
    failNext: 0,
    [Symbol.asyncDispose]: async () => void server.forceShutdown(),
  };
  server.addService(PayloadServiceService as unknown as grpc.ServiceDefinition, {
    get: (call: grpc.ServerUnaryCall<{ secretId: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      double.calls.push({ secretId: call.request.secretId, auth: call.metadata.get('authorization')[0]?.toString() });
      if (double.failNext > 0) {
        double.failNext--;
        return cb({ code: grpc.status.UNAVAILABLE, details: 'try later' });
      }
      const entries = double.secrets.get(call.request.secretId);
      if (!entries) return cb({ code: grpc.status.NOT_FOUND, details: 'no such secret' });
      cb(null, Payload.fromPartial({ versionId: 'v1', entries: Object.entries(entries).map(([key, textValue]) => ({ key, textValue })) }));
    },
  });
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{ private_key: readFileSync(join(dir, 'key.pem')), cert_chain: rootCerts }]), (e, p) => (e ? fail(e) : ok(p))),
  );
  double.endpoint = `localhost:${port}`;
  return double;
}
