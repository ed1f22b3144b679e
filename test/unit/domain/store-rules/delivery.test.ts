// Unit: the outbox's rules — which open delivery an event joins and when it is a duplicate,
// what a claim may take and writes, how an attempt's outcome is recorded only by the
// current lease holder (disabling its channel on a 410), what a replay resets, and when a
// store applies a change (compare-and-set on the row as read, a re-run's own write done).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  byDueOrder,
  byEnqueueOrder,
  changeVerdict,
  chooseDue,
  claimChange,
  deliveryLeaseFree,
  deliveryRecord,
  enqueueChange,
  finishChange,
  isClaimable,
  openDelivery,
  replayChange,
  rowChanges,
  type ClaimCandidate,
  type DeliveryChange,
  type DeliveryState,
} from '../../../../shared/domain/store-rules/delivery.ts';
import { breach, deliveryItem, enqueueRequest, storedDelivery } from '../../../support/builders.ts';

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

  test('a claim seals, counts the attempt and leases to the given token, over the row as read', () => {
    const d = storedDelivery({ attempts: 2, lastError: 'http.503' });
    expect(claimChange(d, { nowMs: 1000, leaseMs: 60_000 }, 'tok')).toEqual({
      expect: d,
      next: { ...d, sealed: true, attempts: 3, leaseUntilMs: 61_000, leaseToken: 'tok', updatedAtMs: 1000 },
      items: [],
      channel: null,
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

describe('finishChange', () => {
  const held = storedDelivery({ state: 'pending', sealed: true, attempts: 1, leaseToken: 'tok', leaseUntilMs: 61_000, lastError: 'http.503' });
  const finished = { leaseUntilMs: null, leaseToken: null };

  test('a stale or unknown lease token changes nothing', () => {
    expect(finishChange(held, 'old', { state: 'delivered', nowMs: 1 })).toBeNull();
    expect(finishChange({ ...held, leaseToken: null }, 'tok', { state: 'delivered', nowMs: 1 })).toBeNull();
    expect(finishChange(null, 'tok', { state: 'delivered', nowMs: 1 })).toBeNull();
  });

  test('delivered: records the time, keeps the last error, clears the lease and the next attempt', () => {
    expect(finishChange(held, 'tok', { state: 'delivered', nowMs: 7000 })).toEqual({
      expect: held,
      next: { ...held, ...finished, state: 'delivered', lastError: 'http.503', nextAttemptAtMs: null, deliveredAtMs: 7000, updatedAtMs: 7000 },
      items: [],
      channel: null,
    });
  });

  test('retrying: the new error and the next attempt time', () => {
    expect(finishChange(held, 'tok', { state: 'retrying', nowMs: 1100, error: 'net.timeout', nextAttemptAtMs: 5000 })?.next).toEqual({
      ...held,
      ...finished,
      state: 'retrying',
      lastError: 'net.timeout',
      nextAttemptAtMs: 5000,
      deliveredAtMs: null,
      updatedAtMs: 1100,
    });
  });

  test('dead: the error, no next attempt, an earlier delivery time kept, the channel as it is', () => {
    const c = finishChange({ ...held, deliveredAtMs: 42 }, 'tok', { state: 'dead', nowMs: 9100, error: 'http.400' });
    expect(c?.next).toMatchObject({ state: 'dead', lastError: 'http.400', nextAttemptAtMs: null, deliveredAtMs: 42, ...finished, updatedAtMs: 9100 });
    expect(c?.channel).toBeNull();
  });

  test('disabled: the delivery ends disabled and its channel is disabled with the reason', () => {
    const c = finishChange(held, 'tok', { state: 'disabled', nowMs: 9100, error: 'http.410' });
    expect(c?.next).toMatchObject({ state: 'disabled', lastError: 'http.410', nextAttemptAtMs: null, ...finished });
    expect(c?.channel).toEqual({ kind: 'disable', channelId: 'hook', atMs: 9100, reason: 'http.410' });
  });
});

describe('replayChange', () => {
  const ended = (state: DeliveryState) => storedDelivery({ state, sealed: true, attempts: 5, lastError: 'http.503', nextAttemptAtMs: null, createdAtMs: 10, scheduleStartMs: 10 });

  test('dead restarts pending and due now with a fresh count and schedule, still sealed; the channel stays as it is', () => {
    const d = ended('dead');
    expect(replayChange(d, 5000)).toEqual({
      expect: d,
      next: { ...d, state: 'pending', attempts: 0, nextAttemptAtMs: 5000, scheduleStartMs: 5000, leaseUntilMs: null, leaseToken: null, updatedAtMs: 5000 },
      items: [],
      channel: null,
    });
  });

  test('disabled restarts too and re-enables its channel', () => {
    const c = replayChange(ended('disabled'), 5000);
    expect(c?.next).toMatchObject({ state: 'pending', sealed: true });
    expect(c?.channel).toEqual({ kind: 'enable', channelId: 'hook' });
  });

  test('any other state, or an unknown delivery, is not replayable', () => {
    for (const state of ['pending', 'delivered', 'retrying'] as const) expect(replayChange(ended(state), 5000)).toBeNull();
    expect(replayChange(null, 5000)).toBeNull();
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

describe('enqueueChange', () => {
  const event = breach();
  const req = { ...enqueueRequest(event, 500), groupKey: 'g', newDeliveryId: 'd-new', readyAtMs: 800 };

  test('a key already held is a duplicate of the delivery that holds it: nothing to write', () => {
    expect(enqueueChange(req, 'd-old', [storedDelivery()])).toEqual({ kind: 'duplicate', deliveryId: 'd-old' });
  });

  test('with no open delivery in the group, a new one opens: pending, unsealed, due after the window, the item on it', () => {
    const r = enqueueChange(req, null, [storedDelivery({ sealed: true })]);
    const next = storedDelivery({ id: 'd-new', nextAttemptAtMs: 800, createdAtMs: 500, scheduleStartMs: 500, updatedAtMs: 500 });
    expect(r).toEqual({ kind: 'write', joined: false, change: { expect: null, next, items: [deliveryItem(next, event, 500)], channel: null } });
  });

  test('an open delivery is joined: its row must stay as read, only the item is new', () => {
    const open = storedDelivery({ id: 'd-open', createdAtMs: 100 });
    const r = enqueueChange(req, null, [storedDelivery({ id: 'd-later', createdAtMs: 200 }), open]);
    expect(r).toEqual({ kind: 'write', joined: true, change: { expect: open, next: open, items: [deliveryItem(open, event, 500)], channel: null } });
  });
});

describe('changeVerdict', () => {
  const d = storedDelivery();
  const claim = claimChange(d, { nowMs: 1000, leaseMs: 1000 }, 'tok');
  const open: DeliveryChange = { expect: null, next: d, items: [deliveryItem(d)], channel: null };

  test('applied while the row is as read and the items are free', () => {
    expect(changeVerdict(claim, { delivery: d, itemOwners: [] })).toBe('apply');
    expect(changeVerdict(open, { delivery: null, itemOwners: [null] })).toBe('apply');
  });

  test('a row changed in any field since the read is a conflict', () => {
    for (const over of [{ leaseToken: 'other' }, { sealed: true }, { attempts: 1 }, { updatedAtMs: 1 }, { state: 'retrying' as const }]) {
      expect(changeVerdict(claim, { delivery: { ...d, ...over }, itemOwners: [] })).toBe('conflict');
    }
    expect(changeVerdict(claim, { delivery: null, itemOwners: [] })).toBe('conflict');
    expect(changeVerdict(open, { delivery: storedDelivery({ createdAtMs: 7 }), itemOwners: [null] })).toBe('conflict');
  });

  test('an item key another delivery holds is a conflict', () => {
    expect(changeVerdict(open, { delivery: null, itemOwners: ['d-other'] })).toBe('conflict');
  });

  test('a join writes only its item; every other change its row', () => {
    const join = enqueueChange(enqueueRequest(breach(), 5), null, [d]);
    expect(join.kind === 'write' && rowChanges(join.change)).toBe(false);
    expect(rowChanges(open)).toBe(true);
    expect(rowChanges(claim)).toBe(true);
  });

  test('the store already holding the result (a re-run after a lost commit answer) is done, not a conflict', () => {
    expect(changeVerdict(claim, { delivery: claim.next, itemOwners: [] })).toBe('done');
    expect(changeVerdict(open, { delivery: d, itemOwners: [d.id] })).toBe('done');
  });
});

describe('records', () => {
  test("an operator's record names the delivery's events, and no lease", () => {
    const d = storedDelivery({ leaseToken: 'secret', leaseUntilMs: 5 });
    const r = deliveryRecord(d, [{ eventId: 'e1' }, { eventId: 'e2' }]);
    expect(r).toEqual({ id: 'd1', channelId: 'hook', groupKey: 'g', state: 'pending', attempts: 0, lastError: null, nextAttemptAtMs: 1000, createdAtMs: 0, updatedAtMs: 0, eventIds: ['e1', 'e2'] });
  });

  test('items come in enqueue order, ties by event id', () => {
    const items = [
      { eventId: 'b', enqueuedAtMs: 5 },
      { eventId: 'c', enqueuedAtMs: 1 },
      { eventId: 'a', enqueuedAtMs: 5 },
    ];
    expect(items.sort(byEnqueueOrder).map((i) => i.eventId)).toEqual(['c', 'a', 'b']);
  });
});
