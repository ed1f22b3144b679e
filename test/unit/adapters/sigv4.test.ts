// Unit: Signature V4 over node:crypto (shared/adapters/sigv4.ts) is the reference
// implementation's, @smithy/signature-v4 (what the AWS SDK signs with, and what these
// requests were signed with before): the upload page's POST policy signature and presigned
// GET, for keys with spaces, Cyrillic, reserved characters, on a path-style local endpoint
// with a port and on Object Storage's; the Message Queue publisher's signed POST, on queue
// endpoints with and without a path, with and without a session token. A different secret,
// day or region gives another signature.
// That Object Storage's rules accept a form is test/int/web/upload.browser.test.ts's part
// (posted to the local storage, whose check derives the key with @smithy/signature-v4).
import { Sha256 } from '@aws-crypto/sha256-js';
import { getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { S3UploadForms } from '../../../shared/adapters/s3/upload-forms.ts';
import { amzDate, postPolicySignature, presignGet, signedPostHeaders } from '../../../shared/adapters/sigv4.ts';

const creds = { accessKeyId: 'YCAJEexampleKeyId', secretAccessKey: 'YCexample/Secret+Key=0123456789abcdef' };
const now = new Date('2026-12-07T12:34:56.789Z');
const KEYS = ['reports/uploads/26/2026-12-07T12-34-56Z-0123456789ab/07a_schools.csv.json', 'reports/uploads/26/a b/Файл (1).csv.json', "reports/x/b~c!*'()&=+$,;@.json"];
const ENDPOINTS = ['http://127.0.0.1:4569', 'https://storage.yandexcloud.net'];

/** The URL @smithy/signature-v4 presigns for the same request. */
async function smithyPresigned(endpoint: string, bucket: string, key: string, expiresIn: number): Promise<string> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ credentials: creds, region: 'ru-central1', service: 's3', sha256: Sha256, uriEscapePath: false });
  const path = `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const signed = await signer.presign(
    { method: 'GET', protocol: url.protocol, hostname: url.hostname, ...(url.port ? { port: Number(url.port) } : {}), path, headers: { host: url.host }, query: {} },
    { expiresIn, signingDate: now },
  );
  return `${url.origin}${path}?${new URLSearchParams(Object.entries(signed.query ?? {}).map(([k, v]) => [k, String(v)])).toString()}`;
}

const params = (u: string) => Object.fromEntries(new URL(u).searchParams);

describe('SigV4 over node:crypto', () => {
  test('a presigned GET is the one @smithy/signature-v4 computes, for every key and endpoint', async () => {
    for (const endpoint of ENDPOINTS) {
      const forms = new S3UploadForms({ endpoint, bucket: 'sferum-pulse-exports', region: 'ru-central1', credentials: async () => creds });
      for (const key of KEYS) {
        const ours = await forms.presignedGet({ key, now, expiresInS: 600 });
        const theirs = await smithyPresigned(endpoint, 'sferum-pulse-exports', key, 600);
        expect(new URL(ours).origin + new URL(ours).pathname).toBe(new URL(theirs).origin + new URL(theirs).pathname);
        expect(params(ours)).toEqual(params(theirs));
        expect(params(ours)['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });

  test('a POST policy signature is the HMAC under @smithy/signature-v4’s signing key', async () => {
    const date = amzDate(now);
    const policy = Buffer.from(JSON.stringify({ expiration: '2026-12-07T12:39:56.789Z', conditions: [{ bucket: 'b' }, ['eq', '$key', KEYS[1]]] })).toString('base64');
    const key = await getSigningKey(Sha256, creds, date.slice(0, 8), 'ru-central1', 's3');
    expect(postPolicySignature(policy, creds, date, 'ru-central1')).toBe(createHmac('sha256', key).update(policy, 'utf8').digest('hex'));
  });

  test('another secret, day, region, expiry or path signs differently', () => {
    const base = { url: new URL(ENDPOINTS[1]!), path: '/b/k.json', creds, region: 'ru-central1', now, expiresInS: 600 };
    const sig = (over: Partial<typeof base>) => params(presignGet({ ...base, ...over }))['X-Amz-Signature'];
    const signatures = [
      sig({}),
      sig({ creds: { ...creds, secretAccessKey: `${creds.secretAccessKey}x` } }),
      sig({ now: new Date(now.getTime() + 86_400_000) }),
      sig({ region: 'us-east-1' }),
      sig({ expiresInS: 601 }),
      sig({ path: '/b/k2.json' }),
    ];
    expect(new Set(signatures).size).toBe(signatures.length);
    const date = amzDate(now);
    expect(postPolicySignature('cG9saWN5', creds, date, 'ru-central1')).not.toBe(postPolicySignature('cG9saWN5', { ...creds, secretAccessKey: 'other' }, date, 'ru-central1'));
  });

  test('a signed POST (the Message Queue publisher’s) carries the headers and Authorization @smithy/signature-v4 computes', async () => {
    const body = new URLSearchParams({ Action: 'SendMessageBatch', 'SendMessageBatchRequestEntry.1.MessageBody': JSON.stringify({ region: '26', note: 'неделя 1 & 2' }) }).toString();
    const cases = [
      { endpoint: 'https://message-queue.api.cloud.yandex.net', creds },
      { endpoint: 'http://127.0.0.1:9324/b1gcloud/dj6folder/period-changed', creds },
      { endpoint: 'http://127.0.0.1:9324/b1g//dj6/queue%20(x)/', creds },
      { endpoint: 'https://message-queue.api.cloud.yandex.net/', creds: { ...creds, sessionToken: 'temporary-token' } },
    ];
    for (const c of cases) {
      const url = new URL(c.endpoint);
      const ours = signedPostHeaders({ url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, creds: c.creds, region: 'ru-central1', service: 'sqs', now });
      const signer = new SignatureV4({ service: 'sqs', region: 'ru-central1', credentials: c.creds, sha256: Sha256 });
      const theirs = await signer.sign(
        { method: 'POST', protocol: url.protocol, hostname: url.hostname, ...(url.port ? { port: Number(url.port) } : {}), path: url.pathname || '/', headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' }, body },
        { signingDate: now },
      );
      expect(ours).toEqual(theirs.headers);
      expect(ours['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=YCAJEexampleKeyId\/20261207\/ru-central1\/sqs\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
    }
  });
});
