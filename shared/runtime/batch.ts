// Runtime: per-message processing of a trigger batch (the Powertools batch pattern, mapped
// to Yandex, which has no partial-batch response). Every message is attempted; a message
// with bad data is a completed outcome; if any message failed transiently the invocation
// throws once, after all were attempted, so the trigger redelivers the batch and the
// completed messages are no-ops by their own idempotency. A failure that is not retryable
// (a deploy mistake, a fault a retry would only repeat) is logged and kept in the results:
// redelivering the batch for it would repeat it until the message is dead-lettered.
import type { z } from 'zod';
import { isRetryable } from '../domain/errors.ts';
import type { Logger } from '../ports/logger.ts';
import type { FunctionContext } from './yandex-events.ts';

export class BatchRetryError extends Error {
  override readonly name = 'BatchRetryError';
  constructor(readonly failures: readonly { index: number; error: unknown }[], total: number) {
    super(`${failures.length} of ${total} messages failed transiently; the trigger will retry the batch`);
  }
}

export type ItemResult<R> = { index: number; ok: true; value: R } | { index: number; ok: false; error: unknown };

export async function processEach<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>, log: Pick<Logger, 'warn' | 'error'>): Promise<ItemResult<R>[]> {
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

/** What a trigger-driven function answers: a 200 with a JSON body (Yandex has no partial-batch response). */
export type HandlerReply = { statusCode: 200; body: string };

/** The code of a failure for a reply or a log line: its `code` when it has one. */
export function errorCode(err: unknown): string {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : err instanceof Error ? err.name : 'unknown';
}

type Deps = { readonly log: Pick<Logger, 'info' | 'warn' | 'error'> };

/** One kind of event a function accepts: its envelope, and what to do with it once parsed. */
export type EventRoute<D extends Deps> = {
  readonly parse: (event: unknown) => { success: true; data: unknown } | { success: false; error: { issues: readonly unknown[] } };
  readonly run: (event: never, context: FunctionContext, deps: D) => Promise<unknown>;
};

/** An event kind that is not a batch (an operator's direct call, a timer that is one job): parsed, then run. */
export function eventRoute<T, D extends Deps>(envelope: z.ZodType<T>, run: (event: T, context: FunctionContext, deps: D) => Promise<unknown>): EventRoute<D> {
  return { parse: (e) => envelope.safeParse(e), run: run as EventRoute<D>['run'] };
}

/**
 * A batch of messages (the Object Storage, Message Queue and Timer triggers): each message
 * through `perMessage` under `processEach`'s policy; the reply lists each message's result
 * (a failed one as its index and error code), or what `reply` makes of the results.
 */
export function queueHandler<M, D extends Deps, R>(
  envelope: z.ZodType<{ messages: M[] }>,
  perMessage: (message: M, context: FunctionContext, deps: D) => Promise<R>,
  reply: (results: ItemResult<R>[], context: FunctionContext, deps: D) => Promise<unknown> = async (results) =>
    results.map((r) => (r.ok ? r.value : { index: r.index, error: errorCode(r.error) })),
): EventRoute<D> {
  return eventRoute(envelope, async (event, context, deps: D) => {
    const results = await processEach(event.messages, (m) => perMessage(m, context, deps), deps.log);
    return reply(results, context, deps);
  });
}

/**
 * The one policy of every trigger-driven function: the first route whose envelope parses
 * runs. An event no envelope accepts is a wiring mistake or a malformed delivery: logged
 * once and answered, never thrown, because redelivering the same bytes fails the same way
 * (a thrown ZodError was retried for ever). A failure a retry can fix throws, so the
 * trigger redelivers; any other is logged and answered with its code.
 */
export function eventHandler<D extends Deps>(fn: string, ...routes: readonly EventRoute<D>[]) {
  return async (event: unknown, context: FunctionContext, deps: D): Promise<HandlerReply> => {
    let issues = 0;
    for (const route of routes) {
      const parsed = route.parse(event);
      if (!parsed.success) {
        issues = Math.max(issues, parsed.error.issues.length);
        continue;
      }
      try {
        return answer(await route.run(parsed.data as never, context, deps));
      } catch (err) {
        if (isRetryable(err)) throw err;
        deps.log.error(`${fn}.failed`, { code: errorCode(err), error: err instanceof Error ? err : String(err) });
        return answer({ error: errorCode(err) });
      }
    }
    // only the count: an event's fields may carry object keys or message bodies
    deps.log.error(`${fn}.invalid_event`, { issues, request_id: context.requestId ?? null });
    return answer({ error: 'invalid_event' });
  };
}

function answer(body: unknown): HandlerReply {
  return { statusCode: 200, body: JSON.stringify(body) };
}
