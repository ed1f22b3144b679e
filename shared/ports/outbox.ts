// Port: the notification outbox — durable delivery state, so a retry schedule that spans
// days survives function restarts (trigger retries last minutes). One delivery is one
// message to one channel; it collects the events of one group until its first attempt
// seals it, so every retry and every replay sends the same items under the same id.
//
// States: pending (waiting for its window or its first attempt) → delivered | retrying |
// dead | disabled. `claimDue` takes a lease; a worker that dies after the receiver's 2xx
// but before `markDelivered` leaves the lease to expire, and the next claim resends once
// with the same delivery id (the `webhook-id`).
//
// The state machine's rules (what is claimable, what a claim, a finish and a replay write)
// are pure functions in `domain/store-rules/delivery.ts`; adapters read and write around them.
import type { NotificationEvent } from '../domain/events.ts';
import type { DeliveryState } from '../domain/store-rules/delivery.ts';

export type EnqueueRequest = {
  readonly event: NotificationEvent;
  readonly channelId: string;
  readonly groupKey: string;
  /** the id a new delivery gets (derived from the event and channel) */
  readonly newDeliveryId: string;
  readonly nowMs: number;
  /** a new delivery is due no earlier than this (the grouping window) */
  readonly readyAtMs: number;
};

export type EnqueueResult = {
  readonly deliveryId: string;
  /** false when this (event id, channel id) was already enqueued: nothing changed */
  readonly created: boolean;
  /** true when the event joined an open delivery of its group */
  readonly joined: boolean;
};

export type ClaimedDelivery = {
  readonly id: string;
  readonly channelId: string;
  readonly groupKey: string;
  /** 1-based number of this attempt (a crashed attempt counts) */
  readonly attempt: number;
  /** start of the current retry schedule: creation, or the last replay */
  readonly scheduleStartMs: number;
  /** proves ownership to the mark methods; a stale worker's marks are ignored */
  readonly leaseToken: string;
  readonly events: readonly NotificationEvent[];
};

export type DeliveryRecord = {
  readonly id: string;
  readonly channelId: string;
  readonly groupKey: string;
  readonly state: DeliveryState;
  readonly attempts: number;
  /** an error code such as `http.503` or `net.timeout`; never a URL or a response body */
  readonly lastError: string | null;
  readonly nextAttemptAtMs: number | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly eventIds: readonly string[];
};

export type MarkFailure = { readonly nowMs: number; readonly error: string };

export interface Outbox {
  /** Idempotent by (event id, channel id); joins the group's open delivery or opens one. */
  enqueue(req: EnqueueRequest): Promise<EnqueueResult>;
  /** Due pending/retrying deliveries whose lease is free, sealed and leased for `leaseMs`. */
  claimDue(opts: { readonly nowMs: number; readonly leaseMs: number; readonly limit: number }): Promise<ClaimedDelivery[]>;
  /** Each mark returns false (and changes nothing) when the lease token is no longer current. */
  markDelivered(id: string, leaseToken: string, nowMs: number): Promise<boolean>;
  markRetry(id: string, leaseToken: string, f: MarkFailure & { readonly nextAttemptAtMs: number }): Promise<boolean>;
  markDead(id: string, leaseToken: string, f: MarkFailure): Promise<boolean>;
  /** The delivery ends `disabled` and its channel is disabled for later deliveries. */
  markDisabled(id: string, leaseToken: string, f: MarkFailure): Promise<boolean>;
  disabledChannels(): Promise<ReadonlySet<string>>;
  get(id: string): Promise<DeliveryRecord | null>;
  list(state: DeliveryState, opts?: { readonly limit?: number }): Promise<DeliveryRecord[]>;
  /**
   * A dead or disabled delivery becomes pending and due at `nowMs`, with a fresh attempt
   * count and schedule, keeping its id and items; replaying a disabled one re-enables its
   * channel. Null when the id is unknown or the delivery is not dead/disabled.
   */
  replay(id: string, nowMs: number): Promise<DeliveryRecord | null>;
}
