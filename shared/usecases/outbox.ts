// Use case support: the outbox's operations. Each reads through the Outbox port, asks a rule
// of `domain/store-rules/delivery.ts` what to write, and writes it as one conditional change.
// A conflict means another worker wrote the row since the read: an enqueue, a finish and a
// replay read again and ask the rule again (which then sees the sealed group, the stale
// token, the delivery no longer dead); a claim leaves the delivery to the worker that won it.
import { randomUUID } from 'node:crypto';
import { TransientError } from '../domain/errors.ts';
import type { NotificationEvent } from '../domain/events.ts';
import {
  DUE_STATES,
  chooseDue,
  claimChange,
  deliveryRecord,
  enqueueChange,
  finishChange,
  isClaimable,
  replayChange,
  type DeliveryMark,
  type DeliveryRecord,
  type DeliveryState,
  type EnqueueRequest,
  type StoredDelivery,
} from '../domain/store-rules/delivery.ts';
import type { Outbox } from '../ports/outbox.ts';

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
  /** proves ownership to `finish`; a stale worker's outcome is ignored */
  readonly leaseToken: string;
  readonly events: readonly NotificationEvent[];
  /** the row as the claim wrote it: what its finish expects the store to hold still */
  readonly claimed: StoredDelivery;
};

const CONFLICT = Symbol('conflict');

/** Read → decide → write until the write holds. Each conflict is another worker's progress, so a few rounds suffice; past them the invocation is retried. */
async function untilWritten<T>(what: string, round: () => Promise<T | typeof CONFLICT>): Promise<T> {
  for (let i = 0; i < 8; i++) {
    const r = await round();
    if (r !== CONFLICT) return r;
  }
  throw new TransientError(`${what}: the outbox rows kept changing under it`);
}

/** Idempotent by (event id, channel id); joins the group's open delivery or opens one. */
export function enqueue(outbox: Outbox, req: EnqueueRequest): Promise<EnqueueResult> {
  return untilWritten(`enqueueing ${req.event.id} on ${req.channelId}`, async () => {
    const [held] = await outbox.items({ eventId: req.event.id, channelId: req.channelId });
    const group = held ? [] : await outbox.find({ kind: 'open', channelId: req.channelId, groupKey: req.groupKey });
    const d = enqueueChange(req, held?.deliveryId ?? null, group);
    if (d.kind === 'duplicate') return { deliveryId: d.deliveryId, created: false, joined: false };
    const [written] = await outbox.apply([d.change]);
    return written ? { deliveryId: d.change.next.id, created: true, joined: d.joined } : CONFLICT;
  });
}

/** Due pending/retrying deliveries whose lease is free, sealed and leased for `leaseMs`, with their events. */
export async function claimDue(outbox: Outbox, opts: { readonly nowMs: number; readonly leaseMs: number; readonly limit: number }): Promise<ClaimedDelivery[]> {
  if (opts.limit <= 0) return [];
  const due = await outbox.find({ kind: 'due', states: DUE_STATES, nowMs: opts.nowMs, limit: opts.limit, take: (d) => isClaimable(d, opts.nowMs) });
  const claims = chooseDue(due, opts.nowMs, opts.limit).map((d) => claimChange(d, opts, randomUUID()));
  if (claims.length === 0) return [];
  const won = await outbox.apply(claims);
  const out: ClaimedDelivery[] = [];
  for (const [i, { next: d }] of claims.entries()) {
    if (!won[i]) continue;
    const items = await outbox.items({ deliveryId: d.id });
    out.push({ id: d.id, channelId: d.channelId, groupKey: d.groupKey, attempt: d.attempts, scheduleStartMs: d.scheduleStartMs, leaseToken: d.leaseToken!, events: items.map((it) => it.event), claimed: d });
  }
  return out;
}

/**
 * Records an attempt's outcome; false (nothing changed) when `leaseToken` is no longer the
 * delivery's lease. `seen`, the row as last seen (the claim's), saves the first read: if the
 * store no longer holds it, the row is read and the rule asked again.
 */
export function finish(outbox: Outbox, id: string, leaseToken: string, mark: DeliveryMark, seen?: StoredDelivery): Promise<boolean> {
  let known = seen;
  return untilWritten(`marking ${id} ${mark.state}`, async () => {
    const change = finishChange(known ?? (await outbox.get(id)), leaseToken, mark);
    known = undefined;
    if (!change) return false;
    return (await outbox.apply([change]))[0] ? true : CONFLICT;
  });
}

/**
 * A dead or disabled delivery becomes pending and due at `nowMs`, with a fresh attempt
 * count and schedule, keeping its id and items; replaying a disabled one re-enables its
 * channel. Null when the id is unknown or the delivery is not dead/disabled.
 */
export function replay(outbox: Outbox, id: string, nowMs: number): Promise<DeliveryRecord | null> {
  return untilWritten(`replaying ${id}`, async () => {
    const change = replayChange(await outbox.get(id), nowMs);
    if (!change) return null;
    if (!(await outbox.apply([change]))[0]) return CONFLICT;
    return deliveryRecord(change.next, await outbox.items({ deliveryId: id }));
  });
}

export async function readDelivery(outbox: Outbox, id: string): Promise<DeliveryRecord | null> {
  const d = await outbox.get(id);
  return d && deliveryRecord(d, await outbox.items({ deliveryId: id }));
}

/** Deliveries in `state`, least recently updated first. */
export async function readDeliveries(outbox: Outbox, state: DeliveryState, limit = 1000): Promise<DeliveryRecord[]> {
  if (limit <= 0) return [];
  const out: DeliveryRecord[] = [];
  for (const d of await outbox.find({ kind: 'state', state, limit })) out.push(deliveryRecord(d, await outbox.items({ deliveryId: d.id })));
  return out;
}
