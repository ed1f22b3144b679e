// Local runtime: a local Message Queue. An HTTP endpoint on 127.0.0.1 speaking the subset
// of the SQS query protocol the functions' YmqPublisher sends (form-encoded POST,
// SendMessage and SendMessageBatch, XML answers), with in-memory queues named after
// serverless.yml's yc::MessageQueue resources and URLs shaped like Yandex's:
// http://127.0.0.1:<port>/<folder>/<queue-name>. Consumption is in-process (the ymq
// triggers take, ack and return messages); nothing here invokes a function.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_FOLDER_ID, md5, type QueueMessageData } from './events.ts';

export type QueuedMessage = QueueMessageData & { receives: number; visibleAtMs: number };

export type DeadMessage = { readonly queue: string; readonly message: QueueMessageData; readonly error: string };

export class LocalQueue {
  readonly #messages: QueuedMessage[] = [];
  readonly #listeners = new Set<() => void>();
  /** every body ever sent, in order */
  readonly history: string[] = [];
  /** messages moved out after too many receives, as a redrive policy would */
  readonly dead: DeadMessage[] = [];

  constructor(
    readonly name: string,
    readonly url: string,
    private readonly now: () => number,
  ) {}

  send(body: string): QueuedMessage {
    const nowMs = this.now();
    const m: QueuedMessage = { id: randomUUID(), body, md5: md5(body), sentMs: nowMs, receives: 0, visibleAtMs: nowMs };
    this.#messages.push(m);
    this.history.push(body);
    for (const l of this.#listeners) l();
    return m;
  }

  /** Called whenever a message arrives. */
  onSend(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Receives up to `max` visible messages; they stay invisible until acked or returned. */
  receive(max: number): QueuedMessage[] {
    const nowMs = this.now();
    const out: QueuedMessage[] = [];
    for (const m of this.#messages) {
      if (out.length >= max) break;
      if (m.visibleAtMs <= nowMs) {
        m.receives++;
        m.visibleAtMs = Number.POSITIVE_INFINITY;
        out.push(m);
      }
    }
    return out;
  }

  /** Deletes processed messages. */
  ack(batch: readonly QueuedMessage[]): void {
    for (const m of batch) {
      const i = this.#messages.indexOf(m);
      if (i >= 0) this.#messages.splice(i, 1);
    }
  }

  /**
   * Returns a failed batch after `visibilityMs`; a message already received `maxReceives`
   * times moves to the dead-letter list instead. Returns the dead-lettered ones.
   */
  release(batch: readonly QueuedMessage[], visibilityMs: number, maxReceives: number, error: string): QueuedMessage[] {
    const dead: QueuedMessage[] = [];
    for (const m of batch) {
      if (m.receives >= maxReceives) {
        this.ack([m]);
        this.dead.push({ queue: this.name, message: { id: m.id, body: m.body, md5: m.md5, sentMs: m.sentMs, receives: m.receives }, error });
        dead.push(m);
      } else m.visibleAtMs = this.now() + visibilityMs;
    }
    return dead;
  }

  /** Messages in the queue, visible or not. */
  get depth(): number {
    return this.#messages.length;
  }

  /** Messages a receive would return now. */
  get visibleCount(): number {
    const nowMs = this.now();
    return this.#messages.filter((m) => m.visibleAtMs <= nowMs).length;
  }

  /** When the next invisible message becomes visible (ms epoch), or null. */
  get nextVisibleAtMs(): number | null {
    const nowMs = this.now();
    const ts = this.#messages.map((m) => m.visibleAtMs).filter((t) => t > nowMs && Number.isFinite(t));
    return ts.length ? Math.min(...ts) : null;
  }
}

const esc = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export type QueueService = {
  readonly endpoint: string;
  readonly queues: ReadonlyMap<string, LocalQueue>;
  urlOf(name: string): string;
  close(): Promise<void>;
};

/** Starts the endpoint with one queue per name. */
export async function startQueueService(names: readonly string[], opts: { port?: number; now?: () => number } = {}): Promise<QueueService> {
  const now = opts.now ?? Date.now;
  const queues = new Map<string, LocalQueue>();
  const byPath = new Map<string, LocalQueue>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, xml: string) => res.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
      const fail = (status: number, code: string, message: string) =>
        reply(status, `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
      if (req.method !== 'POST') return fail(405, 'MethodNotAllowed', 'the query protocol is POST with a form body');
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const requestPath = new URL(req.url ?? '/', 'http://x').pathname;
      // SQS accepts the queue either as QueueUrl or as the request path
      const queueUrl = form.get('QueueUrl');
      const queue = byPath.get(queueUrl ? new URL(queueUrl, 'http://x').pathname : requestPath);
      const action = form.get('Action');
      const requestId = `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
      if (action === 'GetQueueUrl') {
        const q = queues.get(form.get('QueueName') ?? '');
        if (!q) return fail(400, 'AWS.SimpleQueueService.NonExistentQueue', `no queue ${form.get('QueueName')}`);
        return reply(200, `<GetQueueUrlResponse><GetQueueUrlResult><QueueUrl>${esc(q.url)}</QueueUrl></GetQueueUrlResult>${requestId}</GetQueueUrlResponse>`);
      }
      if (!queue) return fail(400, 'AWS.SimpleQueueService.NonExistentQueue', `no queue at ${queueUrl ?? requestPath}; the local queues are ${[...queues.values()].map((q) => q.url).join(', ')}`);
      if (action === 'SendMessage') {
        const m = queue.send(form.get('MessageBody') ?? '');
        return reply(200, `<SendMessageResponse><SendMessageResult><MessageId>${m.id}</MessageId><MD5OfMessageBody>${m.md5}</MD5OfMessageBody></SendMessageResult>${requestId}</SendMessageResponse>`);
      }
      if (action === 'SendMessageBatch') {
        const ids: string[] = [];
        for (let i = 1; form.has(`SendMessageBatchRequestEntry.${i}.Id`); i++) ids.push(form.get(`SendMessageBatchRequestEntry.${i}.Id`)!);
        if (ids.length === 0) return fail(400, 'AWS.SimpleQueueService.EmptyBatchRequest', 'no SendMessageBatchRequestEntry.N.Id');
        if (ids.length > 10) return fail(400, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', `${ids.length} entries; at most 10`);
        if (new Set(ids).size !== ids.length) return fail(400, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 'entry ids repeat');
        const entries = ids.map((id, j) => {
          const m = queue.send(form.get(`SendMessageBatchRequestEntry.${j + 1}.MessageBody`) ?? '');
          return `<SendMessageBatchResultEntry><Id>${esc(id)}</Id><MessageId>${m.id}</MessageId><MD5OfMessageBody>${m.md5}</MD5OfMessageBody></SendMessageBatchResultEntry>`;
        });
        return reply(200, `<SendMessageBatchResponse><SendMessageBatchResult>${entries.join('')}</SendMessageBatchResult>${requestId}</SendMessageBatchResponse>`);
      }
      return fail(400, 'InvalidAction', `the local queue supports SendMessage, SendMessageBatch and GetQueueUrl, not ${action ?? '(no Action)'}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const name of names) {
    const path = `/${LOCAL_FOLDER_ID}/${name}`;
    const q = new LocalQueue(name, `${endpoint}${path}`, now);
    queues.set(name, q);
    byPath.set(path, q);
  }
  return {
    endpoint,
    queues,
    urlOf: (name) => {
      const q = queues.get(name);
      if (!q) throw new Error(`no local queue ${name}`);
      return q.url;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
