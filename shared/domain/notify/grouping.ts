// Pure: identities of deliveries. One delivery is one message to one channel; the events of
// one (region, scope, period) that reach a channel within the grouping window share it. Ids
// are derived from content, so a redelivered event maps to the delivery it already has and
// a resend carries the same `webhook-id` / VK `random_id`.
import { createHash } from 'node:crypto';
import type { NotificationEvent } from '../events.ts';

/**
 * Events with equal keys (per channel) become one message. A digest is already a summary,
 * so it is never merged with the alerts of its scope.
 */
export function groupKey(event: NotificationEvent): string {
  return [event.region, event.scope.level, event.scope.id, event.period.start, event.period.end, event.type === 'digest' ? 'digest' : 'alerts'].join('|');
}

/** The delivery started by `eventId` on `channelId`; also its `webhook-id`. */
export function deliveryIdFor(eventId: string, channelId: string): string {
  return `dlv_${createHash('sha256').update(`${channelId}\u0000${eventId}`).digest('hex').slice(0, 32)}`;
}

/** A group opened at `firstAtMs` is sent no earlier than this. */
export function groupReadyAt(firstAtMs: number, windowMs: number): number {
  return firstAtMs + windowMs;
}

/**
 * VK `random_id`: a positive 31-bit int derived from the delivery id, so the API itself
 * drops a resend of the same message (0 would disable that check, so it is avoided).
 */
export function vkRandomId(id: string): number {
  const n = createHash('sha256').update(id).digest().readUInt32BE(0) & 0x7fffffff;
  return n === 0 ? 1 : n;
}

const TYPE_ORDER = ['export_missing', 'breach_opened', 'at_risk', 'breach_resolved', 'digest'] as const;

/** Stable item order inside a message: by type, then metric, then target id, then event id. */
export function sortItems(events: readonly NotificationEvent[]): NotificationEvent[] {
  return [...events].sort(
    (a, b) =>
      TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) ||
      (a.target?.metric ?? '').localeCompare(b.target?.metric ?? '') ||
      (a.target?.id ?? '').localeCompare(b.target?.id ?? '') ||
      a.id.localeCompare(b.id),
  );
}
