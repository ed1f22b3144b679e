// Pure: the notification outbox's state machine — which deliveries a worker may claim, what
// a claim writes, how an attempt's outcome is recorded, and what a replay resets. A delivery
// is pending (waiting for its window or first attempt) → delivered | retrying | dead |
// disabled. A claim seals the delivery (no event joins it after its first attempt, so every
// retry sends the same items under the same id) and leases it; only the holder of the
// current lease token may record the outcome, and a lease that runs out lets the next claim
// resend once.
import { z } from 'zod';
import { PipelineError } from '../errors.ts';

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

/** The stored fields the grouping rule reads. */
export type GroupCandidate = { readonly id: string; readonly state: DeliveryState; readonly sealed: boolean; readonly createdAtMs: number };

/** An event joins the oldest open (unsealed, still pending) delivery of its channel and group, ties by id; undefined opens a new one. */
export function openDelivery<D extends GroupCandidate>(candidates: readonly D[]): D | undefined {
  let best: D | undefined;
  for (const d of candidates) {
    if (d.sealed || d.state !== 'pending') continue;
    if (!best || d.createdAtMs < best.createdAtMs || (d.createdAtMs === best.createdAtMs && d.id < best.id)) best = d;
  }
  return best;
}

/** The stored fields the claim rule reads. */
export type ClaimCandidate = {
  readonly id: string;
  readonly state: DeliveryState;
  readonly nextAttemptAtMs: number | null;
  readonly leaseUntilMs: number | null;
  readonly attempts: number;
};

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

/** What a claim writes on a delivery: sealed, its attempt counted (a crashed attempt counts too), leased to a fresh token. */
export type ClaimWrite = {
  readonly sealed: true;
  readonly attempts: number;
  readonly leaseUntilMs: number;
  readonly leaseToken: string;
  readonly updatedAtMs: number;
};

/** The claim of one chosen delivery; `leaseToken` is the store's fresh random token. */
export function claimWrite(d: Pick<ClaimCandidate, 'attempts'>, opts: { readonly nowMs: number; readonly leaseMs: number }, leaseToken: string): ClaimWrite {
  return { sealed: true, attempts: d.attempts + 1, leaseUntilMs: opts.nowMs + opts.leaseMs, leaseToken, updatedAtMs: opts.nowMs };
}

/** The outcome of one attempt, as a worker reports it. */
export type DeliveryMark =
  | { readonly state: 'delivered'; readonly nowMs: number }
  | { readonly state: 'retrying'; readonly nowMs: number; readonly error: string; readonly nextAttemptAtMs: number }
  | { readonly state: 'dead'; readonly nowMs: number; readonly error: string }
  | { readonly state: 'disabled'; readonly nowMs: number; readonly error: string };

/** The stored fields a finish reads. */
export type FinishCurrent = { readonly leaseToken: string | null; readonly lastError: string | null; readonly deliveredAtMs: number | null };

/** What a finish writes: the outcome, the lease cleared. */
export type FinishWrite = {
  readonly state: DeliveryState;
  readonly lastError: string | null;
  readonly nextAttemptAtMs: number | null;
  readonly deliveredAtMs: number | null;
  readonly leaseUntilMs: null;
  readonly leaseToken: null;
  readonly updatedAtMs: number;
};

/**
 * Records an attempt's outcome, or null (change nothing) when the delivery is unknown or
 * `leaseToken` is not its current lease: a stale worker whose lease was taken over must not
 * overwrite the newer attempt. A success keeps the last error for the record; a failure
 * keeps the first delivery time; only a retry has a next attempt.
 */
export function finishDelivery(current: FinishCurrent | undefined, leaseToken: string, mark: DeliveryMark): FinishWrite | null {
  if (!current || current.leaseToken !== leaseToken) return null;
  return {
    state: mark.state,
    lastError: mark.state === 'delivered' ? current.lastError : mark.error,
    nextAttemptAtMs: mark.state === 'retrying' ? mark.nextAttemptAtMs : null,
    deliveredAtMs: mark.state === 'delivered' ? mark.nowMs : current.deliveredAtMs,
    leaseUntilMs: null,
    leaseToken: null,
    updatedAtMs: mark.nowMs,
  };
}

/** What a replay writes; the delivery stays sealed, so it resends exactly its original items under its id. */
export type ReplayWrite = {
  readonly state: 'pending';
  readonly attempts: 0;
  readonly nextAttemptAtMs: number;
  readonly scheduleStartMs: number;
  readonly leaseUntilMs: null;
  readonly leaseToken: null;
  readonly updatedAtMs: number;
  /** replaying a disabled delivery re-enables its channel */
  readonly enableChannel: boolean;
};

/** A dead or disabled delivery restarts due now with a fresh attempt count and schedule; any other state (or none) is not replayable: null. */
export function replayDelivery(current: { readonly state: DeliveryState } | undefined, nowMs: number): ReplayWrite | null {
  if (!current || (current.state !== 'dead' && current.state !== 'disabled')) return null;
  return {
    state: 'pending',
    attempts: 0,
    nextAttemptAtMs: nowMs,
    scheduleStartMs: nowMs,
    leaseUntilMs: null,
    leaseToken: null,
    updatedAtMs: nowMs,
    enableChannel: current.state === 'disabled',
  };
}
