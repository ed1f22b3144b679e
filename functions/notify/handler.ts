// Function `notify`: the Message Queue trigger's handler (NotificationEvents from the
// aggregate stage), the timer trigger's handler (send deliveries whose retry or grouping
// window is due) and the admin entry point (list deliveries by state, replay a dead one).
// It parses the Yandex event with zod, calls the use case and maps the result. Delivery
// failures live in the outbox, not in the trigger: the invocation throws only when the
// outbox itself failed in a retryable way, so the trigger redelivers the batch (enqueue is
// idempotent). A message body that is not a NotificationEvent is logged and skipped:
// redelivering it would never help.
import { z } from 'zod';
import { isRetryable } from '../../shared/domain/errors.ts';
import { NotificationEvent } from '../../shared/domain/events.ts';
import { DeliveryState } from '../../shared/domain/store-rules/delivery.ts';
import { entryPoint } from '../../shared/runtime/entry.ts';
import { notifyDeps } from '../../shared/runtime/wiring.ts';
import { QueueEvent, TimerEvent, type FunctionContext } from '../../shared/runtime/yandex-events.ts';
import {
  deliverNotifications,
  listDeliveries,
  replayDelivery,
  sendDue,
  type NotifyDeps,
} from '../../shared/usecases/deliver-notifications.ts';

export type NotifyReply = { statusCode: 200; body: string };

/** Direct invocations by an operator (a CLI will call these later). */
export const AdminEvent = z.discriminatedUnion('action', [
  z.object({ action: z.literal('list'), state: DeliveryState, limit: z.number().int().positive().max(1000).optional() }).strict(),
  z.object({ action: z.literal('replay'), delivery_id: z.string().min(1) }).strict(),
]);

const Body = z.union([NotificationEvent, z.array(NotificationEvent).min(1)]);

/** The un-wrapped handler: tests and the local runtime call it with their own deps. */
export async function notifyHandler(event: unknown, _context: FunctionContext, deps: NotifyDeps): Promise<NotifyReply> {
  try {
    return reply(await dispatch(event, deps));
  } catch (err) {
    if (isRetryable(err)) throw err;
    deps.log.error('notify.failed', { error: err instanceof Error ? err : String(err) });
    return reply({ error: err instanceof Error && 'code' in err ? String((err as { code: unknown }).code) : 'unknown' });
  }
}

async function dispatch(event: unknown, deps: NotifyDeps): Promise<unknown> {
  const admin = AdminEvent.safeParse(event);
  if (admin.success) return administer(deps, admin.data);
  const queue = QueueEvent.safeParse(event);
  if (queue.success) return deliverQueued(deps, queue.data);
  const timer = TimerEvent.safeParse(event);
  if (timer.success) return { sent: await sendDue(deps) };
  // an unknown shape is a wiring error; retrying the same event cannot fix it
  deps.log.error('notify.unknown_event', {});
  return { error: 'unknown_event' };
}

async function administer(deps: NotifyDeps, a: z.infer<typeof AdminEvent>): Promise<unknown> {
  if (a.action === 'list') return { deliveries: await listDeliveries(deps, a.state, a.limit) };
  const rec = await replayDelivery(deps, a.delivery_id);
  // the replayed delivery goes out now, not at the next timer tick
  const sent = rec ? await sendDue(deps) : null;
  return { replayed: rec, sent };
}

async function deliverQueued(deps: NotifyDeps, queue: QueueEvent): Promise<unknown> {
  const events: NotificationEvent[] = [];
  let skipped = 0;
  for (const m of queue.messages) {
    const parsed = parseBody(m.details.message.body);
    if (parsed) for (const e of parsed) events.push(e);
    else {
      skipped++;
      deps.log.warn('notify.bad_message', { message_id: m.details.message.message_id });
    }
  }
  const res = await deliverNotifications(deps, events);
  return { ...res, skipped };
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

function reply(body: unknown): NotifyReply {
  return { statusCode: 200, body: JSON.stringify(body) };
}

/** Entry point of the deployed function (`dist/notify/index.handler`): queue, timer and admin events. */
export const handler = entryPoint('notify', notifyDeps, notifyHandler);
