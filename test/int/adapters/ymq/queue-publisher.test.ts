// Integration: the YMQ publisher against a loopback server that checks the SQS query
// protocol request the way Yandex Message Queue receives it.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { YmqPublisher } from '../../../../shared/adapters/ymq/queue-publisher.ts';
import { TransientError } from '../../../../shared/domain/errors.ts';

type Seen = { headers: IncomingMessage['headers']; form: URLSearchParams };

async function queueServer(answer: (form: URLSearchParams) => { status: number; body: string }) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      seen.push({ headers: req.headers, form });
      const a = answer(form);
      res.writeHead(a.status, { 'content-type': 'text/xml' }).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, endpoint, [Symbol.asyncDispose]: () => new Promise<void>((r) => server.close(() => r())) };
}

const OK = '<SendMessageBatchResponse><SendMessageBatchResult></SendMessageBatchResult></SendMessageBatchResponse>';
const creds = async () => ({ accessKeyId: 'YCAJEexample', secretAccessKey: 'secret-never-logged' });

describe('YmqPublisher', () => {
  test('sends signed SendMessageBatch requests of at most ten JSON messages', async () => {
    await using q = await queueServer(() => ({ status: 200, body: OK }));
    const queueUrl = `${q.endpoint}/b1gcloud/dj6folder/period-changed`;
    const p = new YmqPublisher<{ n: number }>({ queueUrl, endpoint: q.endpoint, region: 'ru-central1', credentials: creds });

    await p.publish(Array.from({ length: 12 }, (_, n) => ({ n })));

    expect(q.seen).toHaveLength(2);
    const [first, second] = q.seen;
    expect(first!.form.get('Action')).toBe('SendMessageBatch');
    expect(first!.form.get('QueueUrl')).toBe(queueUrl);
    expect(first!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(first!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=YCAJEexample\/\d{8}\/ru-central1\/sqs\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/);
    const bodies = (s: Seen) => [...s.form.entries()].filter(([k]) => k.endsWith('.MessageBody')).map(([, v]) => JSON.parse(v).n);
    expect(bodies(first!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(bodies(second!)).toEqual([10, 11]);
  });

  test('a rejected entry or an HTTP error is a transient failure', async () => {
    let status = 200;
    await using q = await queueServer(() =>
      status === 200
        ? { status, body: '<SendMessageBatchResponse><SendMessageBatchResult><BatchResultErrorEntry><Id>m0</Id><Code>InternalError</Code></BatchResultErrorEntry></SendMessageBatchResult></SendMessageBatchResponse>' }
        : { status, body: '<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error></ErrorResponse>' },
    );
    const p = new YmqPublisher({ queueUrl: `${q.endpoint}/q`, endpoint: q.endpoint, region: 'ru-central1', credentials: creds });

    await expect(p.publish([{}])).rejects.toThrow(/rejected 1 of 1 messages \(InternalError\)/);
    status = 503;
    const err = await p.publish([{}]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(String(err)).toContain('HTTP 503 (ServiceUnavailable)');
    expect(String(err)).not.toContain('secret-never-logged');
  });
});
