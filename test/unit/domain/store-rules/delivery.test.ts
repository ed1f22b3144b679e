// Unit: the outbox's state machine — what a claim may take and writes, how an attempt's
// outcome is recorded only by the current lease holder, what a replay resets, and which
// open delivery an event joins.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  byDueOrder,
  chooseDue,
  claimWrite,
  deliveryLeaseFree,
  finishDelivery,
  isClaimable,
  openDelivery,
  replayDelivery,
  type ClaimCandidate,
  type DeliveryState,
} from '../../../../shared/domain/store-rules/delivery.ts';

const STATES: readonly DeliveryState[] = ['pending', 'delivered', 'retrying', 'dead', 'disabled'];
const due = (over: Partial<ClaimCandidate> = {}): ClaimCandidate => ({ id: 'd1', state: 'pending', nextAttemptAtMs: 1000, leaseUntilMs: null, attempts: 0, ...over });

describe('claim', () => {
  test('due once its next attempt time has come', () => {
    expect(isClaimable(due(), 999)).toBe(false);
    expect(isClaimable(due(), 1000)).toBe(true);
    expect(isClaimable(due({ state: 'retrying' }), 1000)).toBe(true);
  });

  test('final states and deliveries without a next attempt are never claimed', () => {
    for (const state of ['delivered', 'dead', 'disabled'] as const) expect(isClaimable(due({ state }), 1e12)).toBe(false);
    expect(isClaimable(due({ nextAttemptAtMs: null }), 1e12)).toBe(false);
  });

  test('a delivery lease is held before its end and free from its end on', () => {
    expect(deliveryLeaseFree(6000, 5999)).toBe(false);
    expect(deliveryLeaseFree(6000, 6000)).toBe(true);
    expect(deliveryLeaseFree(null, 0)).toBe(true);
    expect(isClaimable(due({ leaseUntilMs: 6000 }), 5999)).toBe(false);
    expect(isClaimable(due({ leaseUntilMs: 6000 }), 6000)).toBe(true);
  });

  test('chooseDue takes the claimable ones, longest waiting first, ties by id, at most limit', () => {
    const rows = [
      due({ id: 'c', nextAttemptAtMs: 500 }),
      due({ id: 'b', nextAttemptAtMs: 100 }),
      due({ id: 'a', nextAttemptAtMs: 500 }),
      due({ id: 'leased', nextAttemptAtMs: 0, leaseUntilMs: 2000 }),
      due({ id: 'later', nextAttemptAtMs: 5000 }),
    ];
    expect(chooseDue(rows, 1000, 10).map((d) => d.id)).toEqual(['b', 'a', 'c']);
    expect(chooseDue(rows, 1000, 2).map((d) => d.id)).toEqual(['b', 'a']);
    expect(chooseDue(rows, 1000, 0)).toEqual([]);
  });

  test('a claim seals, counts the attempt and leases to the given token', () => {
    expect(claimWrite({ attempts: 2 }, { nowMs: 1000, leaseMs: 60_000 }, 'tok')).toEqual({
      sealed: true,
      attempts: 3,
      leaseUntilMs: 61_000,
      leaseToken: 'tok',
      updatedAtMs: 1000,
    });
  });

  test('property: chooseDue is the sorted claimable prefix, and nothing chosen is leased or final', () => {
    const candidate = fc.record({
      id: fc.string({ maxLength: 3 }),
      state: fc.constantFrom(...STATES),
      nextAttemptAtMs: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
      leaseUntilMs: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
      attempts: fc.nat(5),
    });
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 12 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 6 }), (rows, now, limit) => {
        const chosen = chooseDue(rows, now, limit);
        const claimable = rows.filter((d) => isClaimable(d, now));
        expect(chosen.length).toBe(Math.min(limit, claimable.length));
        for (const d of chosen) {
          expect(d.state === 'pending' || d.state === 'retrying').toBe(true);
          expect(d.nextAttemptAtMs !== null && d.nextAttemptAtMs <= now).toBe(true);
          expect(d.leaseUntilMs === null || d.leaseUntilMs <= now).toBe(true);
        }
        for (let i = 1; i < chosen.length; i++) expect(byDueOrder(chosen[i - 1]!, chosen[i]!)).toBeLessThanOrEqual(0);
        const left = claimable.filter((d) => !chosen.includes(d));
        if (chosen.length) for (const d of left) expect(byDueOrder(chosen[chosen.length - 1]!, d)).toBeLessThanOrEqual(0);
      }),
    );
  });
});

describe('finishDelivery', () => {
  const held = { leaseToken: 'tok', lastError: 'http.503', deliveredAtMs: null };

  test('a stale or unknown lease token changes nothing', () => {
    expect(finishDelivery(held, 'old', { state: 'delivered', nowMs: 1 })).toBeNull();
    expect(finishDelivery({ ...held, leaseToken: null }, 'tok', { state: 'delivered', nowMs: 1 })).toBeNull();
    expect(finishDelivery(undefined, 'tok', { state: 'delivered', nowMs: 1 })).toBeNull();
  });

  test('delivered: records the time, keeps the last error, clears the lease and the next attempt', () => {
    expect(finishDelivery(held, 'tok', { state: 'delivered', nowMs: 7000 })).toEqual({
      state: 'delivered',
      lastError: 'http.503',
      nextAttemptAtMs: null,
      deliveredAtMs: 7000,
      leaseUntilMs: null,
      leaseToken: null,
      updatedAtMs: 7000,
    });
  });

  test('retrying: the new error and the next attempt time', () => {
    expect(finishDelivery(held, 'tok', { state: 'retrying', nowMs: 1100, error: 'net.timeout', nextAttemptAtMs: 5000 })).toMatchObject({
      state: 'retrying',
      lastError: 'net.timeout',
      nextAttemptAtMs: 5000,
      deliveredAtMs: null,
      leaseToken: null,
      leaseUntilMs: null,
      updatedAtMs: 1100,
    });
  });

  test('dead and disabled: the error, no next attempt, an earlier delivery time kept', () => {
    for (const state of ['dead', 'disabled'] as const) {
      expect(finishDelivery({ ...held, deliveredAtMs: 42 }, 'tok', { state, nowMs: 9100, error: 'http.410' })).toEqual({
        state,
        lastError: 'http.410',
        nextAttemptAtMs: null,
        deliveredAtMs: 42,
        leaseUntilMs: null,
        leaseToken: null,
        updatedAtMs: 9100,
      });
    }
  });
});

describe('replayDelivery', () => {
  test('dead restarts pending and due now with a fresh count; the channel stays as it is', () => {
    expect(replayDelivery({ state: 'dead' }, 5000)).toEqual({
      state: 'pending',
      attempts: 0,
      nextAttemptAtMs: 5000,
      scheduleStartMs: 5000,
      leaseUntilMs: null,
      leaseToken: null,
      updatedAtMs: 5000,
      enableChannel: false,
    });
  });

  test('disabled restarts too and re-enables its channel', () => {
    expect(replayDelivery({ state: 'disabled' }, 5000)).toMatchObject({ state: 'pending', enableChannel: true });
  });

  test('any other state, or an unknown delivery, is not replayable', () => {
    for (const state of ['pending', 'delivered', 'retrying'] as const) expect(replayDelivery({ state }, 5000)).toBeNull();
    expect(replayDelivery(undefined, 5000)).toBeNull();
  });
});

describe('openDelivery', () => {
  const d = (id: string, createdAtMs: number, over: { sealed?: boolean; state?: DeliveryState } = {}) => ({ id, createdAtMs, sealed: false, state: 'pending' as DeliveryState, ...over });

  test('the oldest unsealed pending delivery, ties by id', () => {
    expect(openDelivery([d('z', 200), d('b', 100), d('a', 100)])?.id).toBe('a');
  });

  test('sealed or no longer pending deliveries take no new events', () => {
    expect(openDelivery([d('s', 1, { sealed: true }), d('r', 2, { state: 'retrying' })])).toBeUndefined();
    expect(openDelivery([])).toBeUndefined();
  });
});
