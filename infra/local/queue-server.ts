// A local Message Queue: an HTTP endpoint on 127.0.0.1 speaking the subset of the SQS
// query protocol the functions' publisher sends (SendMessage, SendMessageBatch), with
// in-memory queues named after serverless.yml's yc::MessageQueue resources. Failed
// deliveries come back after a visibility delay; past `maxReceives` they move to the
// queue's dead-letter list, as a redrive policy would.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type QueuedMessage = { id: string; body: string; md5: string; sentMs: number; receives: number; visibleAtMs: number };

export class LocalQueue {
  readonly messages: QueuedMessage[] = [];
  readonly dead: QueuedMessage[] = [];
  /** every body ever sent, in order: what the CLI reports as published */
  readonly history: string[] = [];
  constructor(readonly name: string) {}

  push(body: string, nowMs: number): QueuedMessage {
    const m = { id: randomUUID(), body, md5: createHash('md5').update(body).digest('hex'), sentMs: nowMs, receives: 0, visibleAtMs: nowMs };
    this.messages.push(m);
    this.history.push(body);
    return m;
  }

  /** Takes up to `max` visible messages (they stay invisible until acked or returned). */
  take(max: number, nowMs: number): QueuedMessage[] {
    const out: QueuedMessage[] = [];
    for (const m of this.messages) {
      if (out.length >= max) break;
      if (m.visibleAtMs <= nowMs) {
        m.receives++;
        m.visibleAtMs = Number.POSITIVE_INFINITY;
        out.push(m);
      }
    }
    return out;
  }

  ack(batch: readonly QueuedMessage[]): void {
    for (const m of batch) this.messages.splice(this.messages.indexOf(m), 1);
  }

  /** Returns a failed batch; a message received `maxReceives` times goes to the dead-letter list. */
  nack(batch: readonly QueuedMessage[], nowMs: number, delayMs: number, maxReceives: number): void {
    for (const m of batch) {
      if (m.receives >= maxReceives) {
        this.messages.splice(this.messages.indexOf(m), 1);
        this.dead.push(m);
      } else {
        m.visibleAtMs = nowMs + delayMs;
      }
    }
  }

  get pending(): number {
    return this.messages.length;
  }
}

const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startQueueServer(names: readonly string[], opts: { port?: number; onMessage?: () => void; now?: () => number } = {}) {
  const queues = new Map(names.map((n) => [n, new LocalQueue(n)]));
  const now = opts.now ?? Date.now;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const url = form.get('QueueUrl') ?? '';
      const queue = queues.get(url.split('/').pop() ?? '');
      const fail = (status: number, code: string) => res.writeHead(status, { 'content-type': 'text/xml' }).end(`<ErrorResponse><Error><Code>${code}</Code></Error></ErrorResponse>`);
      if (req.method !== 'POST') return fail(405, 'MethodNotAllowed');
      if (!queue) return fail(400, 'AWS.SimpleQueueService.NonExistentQueue');
      const action = form.get('Action');
      if (action === 'SendMessage') {
        const m = queue.push(form.get('MessageBody') ?? '', now());
        opts.onMessage?.();
        return res.writeHead(200, { 'content-type': 'text/xml' }).end(`<SendMessageResponse><SendMessageResult><MessageId>${m.id}</MessageId><MD5OfMessageBody>${m.md5}</MD5OfMessageBody></SendMessageResult></SendMessageResponse>`);
      }
      if (action === 'SendMessageBatch') {
        const entries: string[] = [];
        for (let i = 1; form.has(`SendMessageBatchRequestEntry.${i}.Id`); i++) {
          const m = queue.push(form.get(`SendMessageBatchRequestEntry.${i}.MessageBody`) ?? '', now());
          entries.push(`<SendMessageBatchResultEntry><Id>${xml(form.get(`SendMessageBatchRequestEntry.${i}.Id`)!)}</Id><MessageId>${m.id}</MessageId><MD5OfMessageBody>${m.md5}</MD5OfMessageBody></SendMessageBatchResultEntry>`);
        }
        opts.onMessage?.();
        return res.writeHead(200, { 'content-type': 'text/xml' }).end(`<SendMessageBatchResponse><SendMessageBatchResult>${entries.join('')}</SendMessageBatchResult></SendMessageBatchResponse>`);
      }
      return fail(400, 'InvalidAction');
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    queues,
    urlOf: (name: string) => `${endpoint}/local/${name}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
