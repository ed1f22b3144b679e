// Function `aggregate`: the Message Queue trigger's handler. Each message body is a JSON
// PeriodChanged from ingest; each is aggregated through the use case. A malformed message
// or a non-retryable failure is logged and dropped (retrying cannot fix it); a transient
// infrastructure fault makes the invocation throw after every message was attempted, so
// the trigger returns the batch to the queue (and, past its limit, to the dead-letter queue).
import { isRetryable } from '../../shared/domain/errors.ts';
import { PeriodChanged } from '../../shared/domain/schemas.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import { errorCode, eventHandler, queueHandler } from '../../shared/runtime/batch.ts';
import { entryPoint } from '../../shared/runtime/entry.ts';
import { aggregateDeps } from '../../shared/runtime/wiring.ts';
import { QueueEvent, type FunctionContext, type QueueMessage } from '../../shared/runtime/yandex-events.ts';
import { aggregatePeriod, type AggregateDeps, type AggregateOutcome } from '../../shared/usecases/aggregate-period.ts';

export type AggregateHandlerDeps = AggregateDeps & { readonly log: Logger };

export type AggregateReply = { statusCode: 200; body: string };

type MessageResult =
  | { kind: 'aggregated' | 'emptied'; region: string; period: string; events: number }
  | { kind: 'invalid_message'; message_id: string }
  | { kind: 'failed'; message_id: string; code: string };

function parseBody(body: string): PeriodChanged | null {
  try {
    const r = PeriodChanged.safeParse(JSON.parse(body));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

function summary(o: AggregateOutcome): MessageResult {
  const period = `${o.period.start}..${o.period.end}`;
  return o.kind === 'aggregated'
    ? { kind: o.kind, region: o.region, period, events: o.events.length }
    : { kind: o.kind, region: o.region, period, events: 0 };
}

/** One PeriodChanged message: aggregated, or dropped when no retry can help it. */
async function aggregateMessage(m: QueueMessage, _context: FunctionContext, deps: AggregateHandlerDeps): Promise<MessageResult> {
  const messageId = m.details.message.message_id;
  const change = parseBody(m.details.message.body);
  if (!change) {
    deps.log.warn('aggregate.invalid_message', { message_id: messageId });
    return { kind: 'invalid_message', message_id: messageId };
  }
  try {
    const outcome = await aggregatePeriod(deps, change);
    deps.log.info('aggregate.done', { message_id: messageId, ...summary(outcome) });
    return summary(outcome);
  } catch (err) {
    if (isRetryable(err)) throw err;
    const code = errorCode(err);
    deps.log.error('aggregate.failed', { message_id: messageId, region: change.region, code, error: err instanceof Error ? err : String(err) });
    return { kind: 'failed', message_id: messageId, code };
  }
}

/** The un-wrapped handler: tests and the local runtime call it with their own deps. */
export const aggregateHandler: (event: unknown, context: FunctionContext, deps: AggregateHandlerDeps) => Promise<AggregateReply> = eventHandler(
  'aggregate',
  queueHandler(QueueEvent, aggregateMessage),
);

/** Entry point of the deployed function (`dist/aggregate/index.handler`). */
export const handler = entryPoint('aggregate', aggregateDeps, aggregateHandler);
