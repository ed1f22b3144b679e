// Port: the notification outbox's storage — durable delivery state, so a retry schedule that
// spans days survives function restarts (trigger retries last minutes). Only reads and one
// conditional write: every rule (grouping, idempotency by (event id, channel id), claim and
// lease, the states, replay, disabled channels) is a pure function in
// `domain/store-rules/delivery.ts`, run over these by `usecases/outbox.ts`.
import type { DeliveryChange, DeliveryItem, DeliveryState, StoredDelivery } from '../domain/store-rules/delivery.ts';

export type DeliveryQuery =
  /** the unsealed deliveries of one channel and group (a handful; `openDelivery` picks the one an event joins) */
  | { readonly kind: 'open'; readonly channelId: string; readonly groupKey: string }
  /**
   * deliveries in one of `states` whose next attempt is at or before `nowMs`, read in due
   * order (`byDueOrder`) until `limit` of them pass `take`; those are the answer
   */
  | { readonly kind: 'due'; readonly states: readonly DeliveryState[]; readonly nowMs: number; readonly limit: number; readonly take: (d: StoredDelivery) => boolean }
  /** deliveries in `state`, least recently updated first (ties by id), at most `limit` */
  | { readonly kind: 'state'; readonly state: DeliveryState; readonly limit: number };

export type ItemQuery =
  /** the item of this key, if stored */
  | { readonly eventId: string; readonly channelId: string }
  /** a delivery's items in enqueue order (`byEnqueueOrder`) */
  | { readonly deliveryId: string };

export interface Outbox {
  get(id: string): Promise<StoredDelivery | null>;
  find(q: DeliveryQuery): Promise<StoredDelivery[]>;
  items(q: ItemQuery): Promise<DeliveryItem[]>;
  disabledChannels(): Promise<ReadonlySet<string>>;
  /**
   * Each change atomically, as `changeVerdict` says over what the store holds in the same
   * transaction: written on `apply` (its row only when `rowChanges`), nothing on `done` or
   * `conflict`. Answers, per change, whether the store now holds its result (false: a
   * conflict, nothing written).
   */
  apply(changes: readonly DeliveryChange[]): Promise<boolean[]>;
}
