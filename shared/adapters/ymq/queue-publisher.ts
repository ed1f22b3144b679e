// Adapter: publishes JSON messages to a Yandex Message Queue through its SQS-compatible
// API. Used for the ingest → aggregate hand-off (PeriodChanged) and aggregate → notify.
// A failed send is a TransientError: the producing function throws and its trigger retries.
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TransientError } from '../../domain/errors.ts';

export type QueueSettings = { endpoint: string; region: string; queueUrl: string };

/** SQS SendMessageBatch takes at most 10 entries and 256 KiB per call. */
const MAX_BATCH = 10;

export class YmqPublisher<T> {
  readonly #client: SQSClient;

  constructor(
    private readonly settings: QueueSettings,
    client?: SQSClient,
  ) {
    this.#client = client ?? new SQSClient({ endpoint: settings.endpoint, region: settings.region });
  }

  async publish(messages: readonly T[]): Promise<void> {
    for (let i = 0; i < messages.length; i += MAX_BATCH) {
      const slice = messages.slice(i, i + MAX_BATCH);
      try {
        const r = await this.#client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.settings.queueUrl,
            Entries: slice.map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) })),
          }),
        );
        if (r.Failed && r.Failed.length > 0) {
          throw new TransientError(`queue rejected ${r.Failed.length} of ${slice.length} messages (${r.Failed.map((f) => f.Code).join(', ')})`);
        }
      } catch (err) {
        if (err instanceof TransientError) throw err;
        throw new TransientError(`queue send failed: ${err instanceof Error ? err.name : 'unknown'}`, { cause: err });
      }
    }
  }
}
