// Adapter support: a stored delivery and its items as the flat rows both outbox adapters keep
// (the same columns in SQLite and YDB). A row's state is checked on every read: a store
// without a constraint on the column must not hand a wrong value on.
import { NotificationEvent } from '../domain/events.ts';
import { storedDeliveryState, type DeliveryItem, type StoredDelivery } from '../domain/store-rules/delivery.ts';

export type DeliveryRow = {
  delivery_id: string;
  channel_id: string;
  group_key: string;
  state: string;
  sealed: boolean;
  attempts: number;
  last_error: string | null;
  next_attempt_at_ms: number | null;
  lease_until_ms: number | null;
  lease_token: string | null;
  created_at_ms: number;
  schedule_start_ms: number;
  updated_at_ms: number;
  delivered_at_ms: number | null;
};

export type ItemRow = { event_id: string; channel_id: string; delivery_id: string; event_json: unknown; enqueued_at_ms: number };

export const deliveryRow = (d: StoredDelivery): DeliveryRow => ({
  delivery_id: d.id,
  channel_id: d.channelId,
  group_key: d.groupKey,
  state: d.state,
  sealed: d.sealed,
  attempts: d.attempts,
  last_error: d.lastError,
  next_attempt_at_ms: d.nextAttemptAtMs,
  lease_until_ms: d.leaseUntilMs,
  lease_token: d.leaseToken,
  created_at_ms: d.createdAtMs,
  schedule_start_ms: d.scheduleStartMs,
  updated_at_ms: d.updatedAtMs,
  delivered_at_ms: d.deliveredAtMs,
});

export const storedDelivery = (r: DeliveryRow): StoredDelivery => ({
  id: r.delivery_id,
  channelId: r.channel_id,
  groupKey: r.group_key,
  state: storedDeliveryState(r.delivery_id, r.state),
  sealed: r.sealed,
  attempts: r.attempts,
  lastError: r.last_error,
  nextAttemptAtMs: r.next_attempt_at_ms,
  leaseUntilMs: r.lease_until_ms,
  leaseToken: r.lease_token,
  createdAtMs: r.created_at_ms,
  scheduleStartMs: r.schedule_start_ms,
  updatedAtMs: r.updated_at_ms,
  deliveredAtMs: r.delivered_at_ms,
});

export const itemRow = (i: DeliveryItem): ItemRow => ({ event_id: i.eventId, channel_id: i.channelId, delivery_id: i.deliveryId, event_json: i.event, enqueued_at_ms: i.enqueuedAtMs });

export const storedItem = (r: ItemRow): DeliveryItem => ({
  eventId: r.event_id,
  channelId: r.channel_id,
  deliveryId: r.delivery_id,
  event: NotificationEvent.parse(r.event_json),
  enqueuedAtMs: r.enqueued_at_ms,
});
