// Function `aggregate`: the Message Queue trigger's handler. Each message body is a JSON
// PeriodChanged from ingest; each is aggregated through the use case. A malformed message
// or a non-retryable failure is logged and dropped (retrying cannot fix it); a transient
// infrastructure fault makes the invocation throw after every message was attempted, so
// the trigger returns the batch to the queue (and, past its limit, to the dead-letter queue).
import { isRetryable } from '../../shared/domain/errors.ts';
import { PeriodChanged } from '../../shared/domain/schemas.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import { processEach } from '../../shared/runtime/batch.ts';
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

/** The un-wrapped handler: tests and the local runtime call it with their own deps. */
export async function aggregateHandler(event: unknown, _context: FunctionContext, deps: AggregateHandlerDeps): Promise<AggregateReply> {
  const parsed = QueueEvent.safeParse(event);
  if (!parsed.success) {
    // Not a queue event at all: a wiring mistake, which no redelivery fixes.
    deps.log.error('aggregate.invalid_event', { issues: parsed.error.issues.length });
    return { statusCode: 200, body: JSON.stringify({ error: 'invalid_event' }) };
  }
  const results = await processEach(parsed.data.messages, (m) => aggregateMessage(deps, m), deps.log);
  return { statusCode: 200, body: JSON.stringify(results.map((r) => (r.ok ? r.value : { index: r.index }))) };
}

/** One PeriodChanged message: aggregated, or dropped when no retry can help it. */
async function aggregateMessage(deps: AggregateHandlerDeps, m: QueueMessage): Promise<MessageResult> {
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
    const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'error';
    deps.log.error('aggregate.failed', { message_id: messageId, region: change.region, code, error: err instanceof Error ? err : String(err) });
    return { kind: 'failed', message_id: messageId, code };
  }
}

/** Entry point of the deployed function (`dist/aggregate/index.handler`). */
export const handler = entryPoint('aggregate', aggregateDeps, aggregateHandler);
