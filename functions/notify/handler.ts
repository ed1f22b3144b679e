// Function `notify`, one entry per event kind: the Message Queue trigger (NotificationEvents
// from the aggregate stage → the outbox, then whatever is due goes out), the timer trigger
// (send deliveries whose retry or grouping window is due) and the operator's direct call
// (list deliveries by state, replay a dead one). Delivery failures live in the outbox, not
// in the trigger: the invocation throws only when the outbox itself failed in a retryable
// way, so the trigger redelivers the batch (enqueue is idempotent). A message body that is
// not a NotificationEvent is logged and skipped: redelivering it would never help.
import { z } from 'zod';
import { NotificationEvent } from '../../shared/domain/events.ts';
import { DeliveryState } from '../../shared/domain/store-rules/delivery.ts';
import { eventHandler, eventRoute, queueHandler, type ItemResult } from '../../shared/runtime/batch.ts';
import { entryPoint } from '../../shared/runtime/entry.ts';
import { notifyDeps } from '../../shared/runtime/wiring.ts';
import { QueueEvent, TimerEvent, type FunctionContext, type QueueMessage } from '../../shared/runtime/yandex-events.ts';
import {
  acceptEvents,
  listDeliveries,
  replayDelivery,
  sendDue,
  type AcceptSummary,
  type NotifyDeps,
} from '../../shared/usecases/deliver-notifications.ts';

export type NotifyReply = { statusCode: 200; body: string };

/** Direct invocations by an operator (`sferum-pulse deliveries`). */
export const AdminEvent = z.discriminatedUnion('action', [
  z.object({ action: z.literal('list'), state: DeliveryState, limit: z.number().int().positive().max(1000).optional() }).strict(),
  z.object({ action: z.literal('replay'), delivery_id: z.string().min(1) }).strict(),
]);

const Body = z.union([NotificationEvent, z.array(NotificationEvent).min(1)]);

async function administer(a: z.infer<typeof AdminEvent>, context: FunctionContext, deps: NotifyDeps): Promise<unknown> {
  if (a.action === 'list') return { deliveries: await listDeliveries(deps, a.state, a.limit) };
  const rec = await replayDelivery(deps, a.delivery_id);
  // the replayed delivery goes out now, not at the next timer tick
  const sent = rec ? await sendDue(deps, remaining(context)) : null;
  return { replayed: rec, sent };
}

/** One queue message: its events into the outbox, or skipped when its body is not theirs. */
async function acceptMessage(m: QueueMessage, _context: FunctionContext, deps: NotifyDeps): Promise<AcceptSummary | null> {
  const events = parseBody(m.details.message.body);
  if (events) return acceptEvents(deps, events);
  deps.log.warn('notify.bad_message', { message_id: m.details.message.message_id });
  return null;
}

/** After the batch: what the messages added up to, and the sends that are due now. */
async function acceptedThenSent(results: ItemResult<AcceptSummary | null>[], context: FunctionContext, deps: NotifyDeps): Promise<unknown> {
  const accepted = { enqueued: 0, duplicates: 0, joined: 0 };
  let skipped = 0;
  for (const r of results) {
    if (!r.ok || r.value === null) skipped++;
    else for (const k of ['enqueued', 'duplicates', 'joined'] as const) accepted[k] += r.value[k];
  }
  return { accepted, sent: await sendDue(deps, remaining(context)), skipped };
}

function parseBody(body: string): NotificationEvent[] | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const r = Body.safeParse(json);
  if (!r.success) return null;
  return Array.isArray(r.data) ? r.data : [r.data];
}

const remaining = (context: FunctionContext) => ({ remainingMs: context.getRemainingTimeInMillis?.() });

/** The un-wrapped handler: tests and the local runtime call it with their own deps. */
export const notifyHandler: (event: unknown, context: FunctionContext, deps: NotifyDeps) => Promise<NotifyReply> = eventHandler(
  'notify',
  eventRoute(AdminEvent, administer),
  queueHandler(QueueEvent, acceptMessage, acceptedThenSent),
  eventRoute(TimerEvent, async (_timer, context, deps: NotifyDeps) => ({ sent: await sendDue(deps, remaining(context)) })),
);

/** Entry point of the deployed function (`dist/notify/index.handler`): queue, timer and admin events. */
export const handler = entryPoint('notify', notifyDeps, notifyHandler);
