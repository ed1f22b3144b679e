// Runtime: per-message processing of a trigger batch (the Powertools batch pattern, mapped
// to Yandex, which has no partial-batch response). Every message is attempted; a message
// with bad data is a completed outcome; if any message failed transiently the invocation
// throws once, after all were attempted, so the trigger redelivers the batch and the
// completed messages are no-ops by their own idempotency. A failure that is not retryable
// (a deploy mistake, a fault a retry would only repeat) is logged and kept in the results:
// redelivering the batch for it would repeat it until the message is dead-lettered.
import { isRetryable } from '../domain/errors.ts';
import type { Logger } from '../ports/logger.ts';

export class BatchRetryError extends Error {
  override readonly name = 'BatchRetryError';
  constructor(readonly failures: readonly { index: number; error: unknown }[], total: number) {
    super(`${failures.length} of ${total} messages failed transiently; the trigger will retry the batch`);
  }
}

export type ItemResult<R> = { index: number; ok: true; value: R } | { index: number; ok: false; error: unknown };

export async function processEach<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>, log: Logger): Promise<ItemResult<R>[]> {
  const results: ItemResult<R>[] = [];
  for (const [index, item] of items.entries()) {
    try {
      results.push({ index, ok: true, value: await fn(item, index) });
    } catch (error) {
      const retryable = isRetryable(error);
      (retryable ? log.warn : log.error).call(log, 'batch.item_failed', { index, error: error instanceof Error ? error : String(error), retryable });
      results.push({ index, ok: false, error });
    }
  }
  const retry = results.filter((r): r is Extract<ItemResult<R>, { ok: false }> => !r.ok && isRetryable(r.error));
  if (retry.length > 0) throw new BatchRetryError(retry, items.length);
  return results;
}
