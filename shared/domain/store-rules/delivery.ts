// Pure: the notification outbox's rules, written once for every store. A delivery is one
// message to one channel; it collects the events of one group until its first attempt seals
// it, so every retry and every replay sends the same items under the same id. It is pending
// (waiting for its window or first attempt) → delivered | retrying | dead | disabled. A
// claim seals and leases it; only the holder of the current lease token may record the
// outcome, and a lease that runs out lets the next claim resend once.
//
// Each rule reads stored rows and answers a `DeliveryChange`: the row as read, the row to
// write, the items and the channel state written with it. A store applies a change only
// while it still holds the row as read (`changeVerdict`): a compare-and-set on the whole
// row, so two workers deciding from the same read cannot both write.
import { z } from 'zod';
import { PipelineError } from '../errors.ts';
import type { NotificationEvent } from '../events.ts';

export const DeliveryState = z.enum(['pending', 'delivered', 'retrying', 'dead', 'disabled']);
export type DeliveryState = z.infer<typeof DeliveryState>;

/** A stored delivery whose state is none of DeliveryState's: the store holds a row no version of this code wrote. */
export class UnknownDeliveryStateError extends PipelineError {
  constructor(
    readonly deliveryId: string,
    readonly state: string,
  ) {
    super(`delivery ${deliveryId} is stored in an unknown state ${JSON.stringify(state)}`, 'outbox.unknown_state', false);
  }
}

/** The state a store read for a delivery, checked: a store without a constraint on the column must not hand a wrong value on. */
export function storedDeliveryState(deliveryId: string, state: string): DeliveryState {
  const r = DeliveryState.safeParse(state);
  if (!r.success) throw new UnknownDeliveryStateError(deliveryId, state);
  return r.data;
}

/** One delivery as a store holds it. */
export type StoredDelivery = {
  readonly id: string;
  readonly channelId: string;
  readonly groupKey: string;
  readonly state: DeliveryState;
  /** no event joins it any more: set by its first claim */
  readonly sealed: boolean;
  /** attempts of the current schedule; a crashed attempt counts */
  readonly attempts: number;
  /** an error code such as `http.503` or `net.timeout`; never a URL or a response body */
  readonly lastError: string | null;
  readonly nextAttemptAtMs: number | null;
  readonly leaseUntilMs: number | null;
  readonly leaseToken: string | null;
  readonly createdAtMs: number;
  /** start of the current retry schedule: creation, or the last replay */
  readonly scheduleStartMs: number;
  readonly updatedAtMs: number;
  readonly deliveredAtMs: number | null;
};

/** One event on one channel, carried by one delivery; (event id, channel id) is its key. */
export type DeliveryItem = {
  readonly eventId: string;
  readonly channelId: string;
  readonly deliveryId: string;
  readonly event: NotificationEvent;
  readonly enqueuedAtMs: number;
};

/** A channel disabled by a refusal (410), or re-enabled by a replay. */
export type ChannelChange =
  | { readonly kind: 'disable'; readonly channelId: string; readonly atMs: number; readonly reason: string }
  | { readonly kind: 'enable'; readonly channelId: string };

/** One atomic write of a store: `next` over `expect` (null: not stored yet), with new items and a channel state. */
export type DeliveryChange = {
  readonly expect: StoredDelivery | null;
  readonly next: StoredDelivery;
  /** each must not be stored yet: its key is what makes a redelivered event a no-op */
  readonly items: readonly DeliveryItem[];
  /** a disablement is recorded once: the first reason stays */
  readonly channel: ChannelChange | null;
};

/** What the store holds where a change writes: the delivery row, and which delivery holds each item's key (null: none). */
export type ChangeTarget = { readonly delivery: StoredDelivery | null; readonly itemOwners: readonly (string | null)[] };

const FIELDS = [
  'id', 'channelId', 'groupKey', 'state', 'sealed', 'attempts', 'lastError', 'nextAttemptAtMs',
  'leaseUntilMs', 'leaseToken', 'createdAtMs', 'scheduleStartMs', 'updatedAtMs', 'deliveredAtMs',
] as const satisfies readonly (keyof StoredDelivery)[];

function sameDelivery(a: StoredDelivery | null, b: StoredDelivery | null): boolean {
  if (a === null || b === null) return a === b;
  return FIELDS.every((f) => a[f] === b[f]);
}

/**
 * Whether a store applies a change to what it holds: `apply` (write the row if
 * `rowChanges`, and the rest) while the row is as read and the items' keys are free; `done` when the store already holds the change's result (a
 * re-run of a transaction whose commit went unanswered must not report a conflict with its
 * own write); otherwise `conflict`, and nothing is written.
 */
export function changeVerdict(c: DeliveryChange, now: ChangeTarget): 'apply' | 'done' | 'conflict' {
  if (sameDelivery(now.delivery, c.expect) && now.itemOwners.every((o) => o === null)) return 'apply';
  if (sameDelivery(now.delivery, c.next) && now.itemOwners.every((o) => o === c.next.id)) return 'done';
  return 'conflict';
}

/** Whether a change writes its row: a join leaves the open delivery as read and adds only its item. */
export function rowChanges(c: DeliveryChange): boolean {
  return !sameDelivery(c.expect, c.next);
}

/** What an event's arrival on a channel asks for. */
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

/** An event joins the oldest open (unsealed, still pending) delivery of its channel and group, ties by id; undefined opens a new one. */
export function openDelivery<D extends Pick<StoredDelivery, 'id' | 'state' | 'sealed' | 'createdAtMs'>>(candidates: readonly D[]): D | undefined {
  let best: D | undefined;
  for (const d of candidates) {
    if (d.sealed || d.state !== 'pending') continue;
    if (!best || d.createdAtMs < best.createdAtMs || (d.createdAtMs === best.createdAtMs && d.id < best.id)) best = d;
  }
  return best;
}

/**
 * An event on a channel: nothing when its key already has a delivery (`heldBy`); else its
 * item joins the group's open delivery, whose row must stay as read (a claim sealing it in
 * between refuses the join), or opens a new one due after the grouping window.
 */
export function enqueueChange(
  req: EnqueueRequest,
  heldBy: string | null,
  group: readonly StoredDelivery[],
): { readonly kind: 'duplicate'; readonly deliveryId: string } | { readonly kind: 'write'; readonly joined: boolean; readonly change: DeliveryChange } {
  if (heldBy !== null) return { kind: 'duplicate', deliveryId: heldBy };
  const open = openDelivery(group);
  const next: StoredDelivery = open ?? {
    id: req.newDeliveryId,
    channelId: req.channelId,
    groupKey: req.groupKey,
    state: 'pending',
    sealed: false,
    attempts: 0,
    lastError: null,
    nextAttemptAtMs: req.readyAtMs,
    leaseUntilMs: null,
    leaseToken: null,
    createdAtMs: req.nowMs,
    scheduleStartMs: req.nowMs,
    updatedAtMs: req.nowMs,
    deliveredAtMs: null,
  };
  const item: DeliveryItem = { eventId: req.event.id, channelId: req.channelId, deliveryId: next.id, event: req.event, enqueuedAtMs: req.nowMs };
  return { kind: 'write', joined: open !== undefined, change: { expect: open ?? null, next, items: [item], channel: null } };
}

/** The stored fields the claim rule reads. */
export type ClaimCandidate = Pick<StoredDelivery, 'id' | 'state' | 'nextAttemptAtMs' | 'leaseUntilMs' | 'attempts'>;

/** The states a worker picks up; the others are final until a replay. */
export const DUE_STATES: readonly DeliveryState[] = ['pending', 'retrying'];

/** A delivery lease is free once its end has come (the instant itself included), unlike the upload lease. */
export function deliveryLeaseFree(leaseUntilMs: number | null, nowMs: number): boolean {
  return leaseUntilMs === null || leaseUntilMs <= nowMs;
}

/** Claimable: in a due state, its next attempt time reached, and no live lease on it. */
export function isClaimable(d: ClaimCandidate, nowMs: number): boolean {
  return DUE_STATES.includes(d.state) && d.nextAttemptAtMs !== null && d.nextAttemptAtMs <= nowMs && deliveryLeaseFree(d.leaseUntilMs, nowMs);
}

/** Claim order: the longest-waiting first, ties by id, so every store hands out the same deliveries. */
export function byDueOrder(a: Pick<ClaimCandidate, 'id' | 'nextAttemptAtMs'>, b: Pick<ClaimCandidate, 'id' | 'nextAttemptAtMs'>): number {
  return (a.nextAttemptAtMs ?? 0) - (b.nextAttemptAtMs ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The deliveries one claim takes from the candidates a store read: claimable ones, in claim order, at most `limit`. */
export function chooseDue<D extends ClaimCandidate>(candidates: readonly D[], nowMs: number, limit: number): D[] {
  if (limit <= 0) return [];
  return candidates.filter((d) => isClaimable(d, nowMs)).sort(byDueOrder).slice(0, limit);
}

/** The claim of one chosen delivery: sealed, its attempt counted (a crashed attempt counts too), leased to `leaseToken`, a fresh random token. */
export function claimChange(d: StoredDelivery, opts: { readonly nowMs: number; readonly leaseMs: number }, leaseToken: string): DeliveryChange {
  const next = { ...d, sealed: true, attempts: d.attempts + 1, leaseUntilMs: opts.nowMs + opts.leaseMs, leaseToken, updatedAtMs: opts.nowMs };
  return { expect: d, next, items: [], channel: null };
}

/** The outcome of one attempt, as a worker reports it. */
export type DeliveryMark =
  | { readonly state: 'delivered'; readonly nowMs: number }
  | { readonly state: 'retrying'; readonly nowMs: number; readonly error: string; readonly nextAttemptAtMs: number }
  | { readonly state: 'dead'; readonly nowMs: number; readonly error: string }
  | { readonly state: 'disabled'; readonly nowMs: number; readonly error: string };

/**
 * Records an attempt's outcome, or null (change nothing) when the delivery is unknown or
 * `leaseToken` is not its current lease: a stale worker whose lease was taken over must not
 * overwrite the newer attempt. A success keeps the last error for the record; a failure
 * keeps the first delivery time; only a retry has a next attempt; a disabled delivery
 * disables its channel for later deliveries.
 */
export function finishChange(d: StoredDelivery | null, leaseToken: string, mark: DeliveryMark): DeliveryChange | null {
  if (!d || d.leaseToken !== leaseToken) return null;
  const next: StoredDelivery = {
    ...d,
    state: mark.state,
    lastError: mark.state === 'delivered' ? d.lastError : mark.error,
    nextAttemptAtMs: mark.state === 'retrying' ? mark.nextAttemptAtMs : null,
    deliveredAtMs: mark.state === 'delivered' ? mark.nowMs : d.deliveredAtMs,
    leaseUntilMs: null,
    leaseToken: null,
    updatedAtMs: mark.nowMs,
  };
  const channel: ChannelChange | null = mark.state === 'disabled' ? { kind: 'disable', channelId: d.channelId, atMs: mark.nowMs, reason: mark.error } : null;
  return { expect: d, next, items: [], channel };
}

/**
 * A dead or disabled delivery restarts due now with a fresh attempt count and schedule,
 * still sealed, so it resends exactly its original items under its id; replaying a disabled
 * one re-enables its channel. Any other state (or none) is not replayable: null.
 */
export function replayChange(d: StoredDelivery | null, nowMs: number): DeliveryChange | null {
  if (!d || (d.state !== 'dead' && d.state !== 'disabled')) return null;
  const next: StoredDelivery = { ...d, state: 'pending', attempts: 0, nextAttemptAtMs: nowMs, scheduleStartMs: nowMs, leaseUntilMs: null, leaseToken: null, updatedAtMs: nowMs };
  return { expect: d, next, items: [], channel: d.state === 'disabled' ? { kind: 'enable', channelId: d.channelId } : null };
}

/** A delivery as an operator and the reports see it: no lease, its events' ids in enqueue order. */
export type DeliveryRecord = {
  readonly id: string;
  readonly channelId: string;
  readonly groupKey: string;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAtMs: number | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly eventIds: readonly string[];
};

export function deliveryRecord(d: StoredDelivery, items: readonly Pick<DeliveryItem, 'eventId'>[]): DeliveryRecord {
  const { id, channelId, groupKey, state, attempts, lastError, nextAttemptAtMs, createdAtMs, updatedAtMs } = d;
  return { id, channelId, groupKey, state, attempts, lastError, nextAttemptAtMs, createdAtMs, updatedAtMs, eventIds: items.map((i) => i.eventId) };
}

/** Items in the order they were enqueued, ties by event id: the order a message lists them and a record names them. */
export function byEnqueueOrder(a: Pick<DeliveryItem, 'eventId' | 'enqueuedAtMs'>, b: Pick<DeliveryItem, 'eventId' | 'enqueuedAtMs'>): number {
  return a.enqueuedAtMs - b.enqueuedAtMs || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}
