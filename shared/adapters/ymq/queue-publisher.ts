// Adapter: publishes JSON messages to a Yandex Message Queue. YMQ speaks the SQS *query*
// protocol (form-encoded POST, XML answer) and rejects the JSON protocol that current
// @aws-sdk/client-sqs versions send, so this adapter builds the SendMessageBatch request
// itself and signs it with SigV4 (../sigv4.ts, over node:crypto: no AWS SDK code in the
// functions that publish). The local runtime's queue endpoint speaks the same
// protocol. A failed send is a TransientError: the producing function throws and its
// trigger retries.
import { TransientError } from '../../domain/errors.ts';
import { signedPostHeaders } from '../sigv4.ts';

export type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

export type QueueSettings = {
  /** the queue's URL, e.g. https://message-queue.api.cloud.yandex.net/b1g.../dj6.../period-changed */
  queueUrl: string;
  /** the API endpoint the request is sent to (YMQ: https://message-queue.api.cloud.yandex.net) */
  endpoint: string;
  region: string;
  credentials: () => Promise<Credentials>;
  timeoutMs?: number;
};

/** SendMessageBatch takes at most 10 entries and 256 KiB per call. */
const MAX_BATCH = 10;

export class YmqPublisher<T> {
  constructor(private readonly settings: QueueSettings) {}

  async publish(messages: readonly T[]): Promise<void> {
    for (let i = 0; i < messages.length; i += MAX_BATCH) await this.#sendBatch(messages.slice(i, i + MAX_BATCH));
  }

  async #sendBatch(batch: readonly T[]): Promise<void> {
    const form = new URLSearchParams({ Action: 'SendMessageBatch', Version: '2012-11-05', QueueUrl: this.settings.queueUrl });
    batch.forEach((m, j) => {
      form.set(`SendMessageBatchRequestEntry.${j + 1}.Id`, `m${j}`);
      form.set(`SendMessageBatchRequestEntry.${j + 1}.MessageBody`, JSON.stringify(m));
    });
    const url = new URL(this.settings.endpoint);
    const body = form.toString();
    const headers = signedPostHeaders({
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      creds: await this.settings.credentials(),
      region: this.settings.region,
      service: 'sqs',
      now: new Date(),
    });
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new TransientError(`queue send failed: ${err instanceof Error ? err.name : 'unknown'}`, { cause: err });
    }
    const text = await res.text();
    if (!res.ok) throw new TransientError(`queue answered HTTP ${res.status} (${errorCode(text) ?? 'no code'})`);
    const failed = text.match(/<BatchResultErrorEntry>/g)?.length ?? 0;
    if (failed > 0) throw new TransientError(`queue rejected ${failed} of ${batch.length} messages (${errorCode(text) ?? 'no code'})`);
  }
}

function errorCode(xml: string): string | null {
  return /<Code>([^<]{1,100})<\/Code>/.exec(xml)?.[1] ?? null;
}
