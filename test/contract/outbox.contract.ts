// Contract suite: what every Outbox adapter promises (SQLite, and YDB through the executing
// wire double; a real YDB when YDB_ENDPOINT is set). The behaviours are those the SQLite
// adapter established and the notify integration tests rely on.
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { deliveryIdFor } from '../../shared/domain/notify/grouping.ts';
import type { DeliveryChange, DeliveryMark, StoredDelivery } from '../../shared/domain/store-rules/delivery.ts';
import type { DeliveryQuery, Outbox } from '../../shared/ports/outbox.ts';
import { claimDue, enqueue, finish, readDeliveries, readDelivery, replay, type ClaimedDelivery } from '../../shared/usecases/outbox.ts';
import { breach, deliveryItem, enqueueRequest, MUNI, storedDelivery } from '../support/builders.ts';
import { withOverrides } from '../support/faults.ts';

/** A fresh outbox per call; disposing it removes whatever the test wrote. */
export type OutboxFactory = () => Promise<{ readonly outbox: Outbox } & AsyncDisposable>;

/**
 * The Outbox's storage primitives, then the outbox's rules (usecases/outbox.ts over
 * domain/store-rules/delivery.ts) run on them. Every test takes its own store from the
 * factory (a claim reads across the store) and `await using` disposes of it; the storage
 * tests also name their own keys (`keys()`), so they hold in a shared database too.
 */
export function outboxContract(name: string, make: OutboxFactory) {
  const keys = () => {
    const ns = randomUUID().slice(0, 8);
    return { ns, channel: `hook-${ns}`, d: (id: string, over: Partial<StoredDelivery> = {}) => storedDelivery({ id: `${ns}-${id}`, channelId: `hook-${ns}`, ...over }) };
  };
  const change = (expect: StoredDelivery | null, next: StoredDelivery, over: Partial<DeliveryChange> = {}): DeliveryChange => ({ expect, next, items: [], channel: null, ...over });

  describe(`Outbox contract: ${name} (storage)`, () => {
    test('a change over nothing stores the delivery and its items; get, the open group and both item reads give them back', async () => {
      await using s = await make();
      const k = keys();
      const d = k.d('a', { groupKey: `g-${k.ns}` });
      const item = deliveryItem(d, breach());
      expect(await s.outbox.apply([change(null, d, { items: [item] })])).toEqual([true]);
      expect(await s.outbox.get(d.id)).toEqual(d);
      expect(await s.outbox.get(`${k.ns}-none`)).toBeNull();
      expect(await s.outbox.find({ kind: 'open', channelId: k.channel, groupKey: d.groupKey })).toEqual([d]);
      expect(await s.outbox.items({ deliveryId: d.id })).toEqual([item]);
      expect(await s.outbox.items({ eventId: item.eventId, channelId: k.channel })).toEqual([item]);
      expect(await s.outbox.items({ eventId: item.eventId, channelId: `${k.channel}-other` })).toEqual([]);
    });

    test('a change applies only while the row is as read: a stale one writes nothing, neither its items nor its channel state', async () => {
      await using s = await make();
      const k = keys();
      const d = k.d('a');
      await s.outbox.apply([change(null, d)]);
      const sealed = { ...d, sealed: true, attempts: 1, leaseToken: 't1', leaseUntilMs: 5000 };
      expect(await s.outbox.apply([change(d, sealed)])).toEqual([true]);
      const stale = change(d, { ...d, state: 'disabled' }, { items: [deliveryItem(d)], channel: { kind: 'disable', channelId: k.channel, atMs: 1, reason: 'http.410' } });
      expect(await s.outbox.apply([stale])).toEqual([false]);
      expect(await s.outbox.get(d.id)).toEqual(sealed);
      expect(await s.outbox.items({ deliveryId: d.id })).toEqual([]);
      expect(await s.outbox.disabledChannels()).not.toContain(k.channel);
      expect(await s.outbox.apply([change(null, d)])).toEqual([false]);
    });

    test('an item key another delivery holds refuses the change whole', async () => {
      await using s = await make();
      const k = keys();
      const [a, b] = [k.d('a'), k.d('b')];
      const event = breach();
      await s.outbox.apply([change(null, a, { items: [deliveryItem(a, event)] })]);
      expect(await s.outbox.apply([change(null, b, { items: [deliveryItem(b, event)] })])).toEqual([false]);
      expect(await s.outbox.get(b.id)).toBeNull();
      expect((await s.outbox.items({ eventId: event.id, channelId: k.channel })).map((i) => i.deliveryId)).toEqual([a.id]);
    });

    test('a change applied again (a re-run after a lost answer) answers true and writes nothing more', async () => {
      await using s = await make();
      const k = keys();
      const d = k.d('a');
      const open = change(null, d, { items: [deliveryItem(d)] });
      expect(await s.outbox.apply([open])).toEqual([true]);
      expect(await s.outbox.apply([open])).toEqual([true]);
      const claim = change(d, { ...d, sealed: true, leaseToken: 't' });
      expect(await s.outbox.apply([claim, claim])).toEqual([true, true]);
      expect(await s.outbox.get(d.id)).toEqual(claim.next);
      expect(await s.outbox.items({ deliveryId: d.id })).toHaveLength(1);
    });

    test('the changes of one call stand alone: each applied or refused on its own', async () => {
      await using s = await make();
      const k = keys();
      const [a, b] = [k.d('a'), k.d('b')];
      await s.outbox.apply([change(null, a), change(null, b)]);
      const next = (d: StoredDelivery) => ({ ...d, attempts: 1 });
      expect(await s.outbox.apply([change(a, next(a)), change({ ...b, attempts: 9 }, next(b))])).toEqual([true, false]);
      expect((await s.outbox.get(a.id))?.attempts).toBe(1);
      expect((await s.outbox.get(b.id))?.attempts).toBe(0);
    });

    test('due: the asked states whose next attempt has come, in due order (ties by id), until `limit` pass `take`', async () => {
      await using s = await make();
      const k = keys();
      const rows = [
        k.d('leased', { nextAttemptAtMs: 100, leaseUntilMs: 5000, leaseToken: 'x' }),
        k.d('b', { state: 'retrying', nextAttemptAtMs: 200 }),
        k.d('d', { nextAttemptAtMs: 300 }),
        k.d('c', { nextAttemptAtMs: 300 }),
        k.d('dead', { state: 'dead', nextAttemptAtMs: 50 }),
        k.d('later', { nextAttemptAtMs: 1001 }),
      ];
      await s.outbox.apply(rows.map((d) => change(null, d)));
      const due = (limit: number) =>
        s.outbox.find({ kind: 'due', states: ['pending', 'retrying'], nowMs: 1000, limit, take: (d) => d.channelId === k.channel && d.leaseUntilMs === null });
      expect((await due(10)).map((d) => d.id)).toEqual(['b', 'c', 'd'].map((x) => `${k.ns}-${x}`));
      expect((await due(2)).map((d) => d.id)).toEqual(['b', 'c'].map((x) => `${k.ns}-${x}`));
      expect((await due(1))[0]).toEqual(rows[1]);
    });

    test('by state: least recently updated first, ties by id, at most `limit`', async () => {
      await using s = await make();
      const k = keys();
      const rows = [k.d('z', { state: 'dead', updatedAtMs: 5 }), k.d('y', { state: 'dead', updatedAtMs: 9 }), k.d('x', { state: 'dead', updatedAtMs: 5 }), k.d('p')];
      await s.outbox.apply(rows.map((d) => change(null, d)));
      const dead = (await s.outbox.find({ kind: 'state', state: 'dead', limit: 100 })).filter((d) => d.channelId === k.channel);
      expect(dead.map((d) => d.id)).toEqual(['x', 'z', 'y'].map((x) => `${k.ns}-${x}`));
      expect(await s.outbox.find({ kind: 'state', state: 'dead', limit: 1 })).toHaveLength(1);
    });

    test('the open group is the unsealed deliveries of its channel and group only', async () => {
      await using s = await make();
      const k = keys();
      const rows = [k.d('open'), k.d('sealed', { sealed: true }), k.d('other', { groupKey: 'h' }), storedDelivery({ id: `${k.ns}-elsewhere`, channelId: `${k.channel}-2` })];
      await s.outbox.apply(rows.map((d) => change(null, d)));
      expect(await s.outbox.find({ kind: 'open', channelId: k.channel, groupKey: 'g' })).toEqual([rows[0]]);
    });

    test("a delivery's items come in enqueue order, ties by event id", async () => {
      await using s = await make();
      const k = keys();
      const d = k.d('a');
      const events = ['x', 'y', 'z'].map((m, i) => breach({ municipality: { id: `${k.ns}${m}`, name: m }, value: i }));
      const items = [deliveryItem(d, events[0], 20), deliveryItem(d, events[1], 10), deliveryItem(d, events[2], 10)];
      await s.outbox.apply([change(null, d, { items })]);
      const byId = [items[1]!, items[2]!].sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
      expect(await s.outbox.items({ deliveryId: d.id })).toEqual([...byId, items[0]]);
    });

    test('a channel disabled twice is disabled once; an enable clears it', async () => {
      await using s = await make();
      const k = keys();
      const [a, b] = [k.d('a'), k.d('b')];
      const disable = (atMs: number) => ({ kind: 'disable' as const, channelId: k.channel, atMs, reason: 'http.410' });
      await s.outbox.apply([change(null, a, { channel: disable(1) })]);
      await s.outbox.apply([change(null, b, { channel: disable(2) })]);
      expect([...(await s.outbox.disabledChannels())].filter((c) => c === k.channel)).toEqual([k.channel]);
      await s.outbox.apply([change(a, { ...a, attempts: 1 }, { channel: { kind: 'enable', channelId: k.channel } })]);
      expect(await s.outbox.disabledChannels()).not.toContain(k.channel);
    });
  });

  describe(`Outbox contract: ${name} (the rules over it)`, () => {
    test('enqueue is idempotent by (event, channel) and joins the open delivery of its group', async () => {
      await using s = await make();
      const [a, b] = [breach({ municipality: MUNI }), breach({ municipality: MUNI, metric: 'teachers_msg3_share' })];
      const ra = await enqueue(s.outbox, enqueueRequest(a, 0));
      expect(await enqueue(s.outbox, enqueueRequest(a, 10))).toEqual({ deliveryId: ra.deliveryId, created: false, joined: false });
      expect(await enqueue(s.outbox, enqueueRequest(b, 20))).toEqual({ deliveryId: ra.deliveryId, created: true, joined: true });
      expect((await enqueue(s.outbox, enqueueRequest(a, 30, 'vk'))).deliveryId).toBe(deliveryIdFor(a.id, 'vk'));
      expect((await readDelivery(s.outbox, ra.deliveryId))?.eventIds).toEqual([a.id, b.id]);
      expect(await readDelivery(s.outbox, 'nope')).toBeNull();
    });

    test('the first claim seals and leases; a leased delivery is not claimed twice; a stale token cannot mark', async () => {
      await using s = await make();
      const [a, b] = [breach(), breach({ metric: 'teachers_msg3_share' })];
      await enqueue(s.outbox, enqueueRequest(a, 0));
      const claim = (nowMs: number, leaseMs = 60_000, limit = 10) => claimDue(s.outbox, { nowMs, leaseMs, limit });
      expect(await claim(999)).toEqual([]);
      const [c] = await claim(1000);
      expect(c).toMatchObject({ attempt: 1, channelId: 'hook', scheduleStartMs: 0 });
      expect(c!.events).toEqual([a]);
      expect((await enqueue(s.outbox, enqueueRequest(b, 1001))).joined).toBe(false);
      expect(await claim(2000)).toEqual([]);
      expect(await finish(s.outbox, c!.id, 'stale-token', { state: 'delivered', nowMs: 2000 })).toBe(false);
      // the lease runs out: the next claim resends with a new token and counts the attempt
      const [again] = (await claim(61_000)).filter((d) => d.id === c!.id);
      expect(again?.attempt).toBe(2);
      // the stale worker starts from the row its claim wrote: the store no longer holds it, the read shows the token gone
      expect(await finish(s.outbox, c!.id, c!.leaseToken, { state: 'delivered', nowMs: 61_001 }, c!.claimed)).toBe(false);
      expect(await finish(s.outbox, again!.id, again!.leaseToken, { state: 'delivered', nowMs: 61_001 }, again!.claimed)).toBe(true);
      expect((await readDelivery(s.outbox, c!.id))?.state).toBe('delivered');
    });

    test('retry, dead, disable and replay move the delivery and its channel as documented', async () => {
      await using s = await make();
      const a = breach();
      const { deliveryId } = await enqueue(s.outbox, enqueueRequest(a, 0));
      const mark = (token: string, m: DeliveryMark) => finish(s.outbox, deliveryId, token, m);
      let [c] = await claimDue(s.outbox, { nowMs: 1000, leaseMs: 1000, limit: 1 });
      expect(await mark(c!.leaseToken, { state: 'retrying', nowMs: 1100, error: 'http.503', nextAttemptAtMs: 5000 })).toBe(true);
      expect(await readDelivery(s.outbox, deliveryId)).toMatchObject({ state: 'retrying', lastError: 'http.503', nextAttemptAtMs: 5000, attempts: 1 });
      expect(await claimDue(s.outbox, { nowMs: 4999, leaseMs: 1000, limit: 1 })).toEqual([]);
      [c] = await claimDue(s.outbox, { nowMs: 5000, leaseMs: 1000, limit: 1 });
      expect(await mark(c!.leaseToken, { state: 'disabled', nowMs: 5100, error: 'http.410' })).toBe(true);
      expect([...(await s.outbox.disabledChannels())]).toEqual(['hook']);
      expect((await readDeliveries(s.outbox, 'disabled')).map((d) => d.id)).toEqual([deliveryId]);
      const replayed = await replay(s.outbox, deliveryId, 9000);
      expect(replayed).toMatchObject({ id: deliveryId, state: 'pending', attempts: 0, nextAttemptAtMs: 9000, eventIds: [a.id] });
      expect([...(await s.outbox.disabledChannels())]).toEqual([]);
      expect(await replay(s.outbox, deliveryId, 9001)).toBeNull();
      [c] = await claimDue(s.outbox, { nowMs: 9000, leaseMs: 1000, limit: 1 });
      expect(c).toMatchObject({ attempt: 1, scheduleStartMs: 9000 });
      expect(c!.events).toEqual([a]);
      expect(await mark(c!.leaseToken, { state: 'dead', nowMs: 9100, error: 'net.timeout' })).toBe(true);
      expect((await readDeliveries(s.outbox, 'dead', 5)).map((d) => d.lastError)).toEqual(['net.timeout']);
    });

    test('an event that read its group open while a claim sealed it opens a new delivery: nothing joins a sealed one', async () => {
      await using s = await make();
      const [a, b] = [breach(), breach({ metric: 'teachers_msg3_share' })];
      const first = await enqueue(s.outbox, enqueueRequest(a, 0));
      let claimed: ClaimedDelivery[] = [];
      // the claim runs between the enqueue's read of its group and its write
      const racing = withOverrides(s.outbox, {
        find: async (q: DeliveryQuery) => {
          const read = await s.outbox.find(q);
          if (q.kind === 'open' && claimed.length === 0) claimed = await claimDue(s.outbox, { nowMs: 1000, leaseMs: 60_000, limit: 10 });
          return read;
        },
      });
      const rb = await enqueue(racing, enqueueRequest(b, 1000));
      expect(claimed.map((c) => [c.id, c.events])).toEqual([[first.deliveryId, [a]]]);
      expect(rb).toMatchObject({ created: true, joined: false });
      expect(rb.deliveryId).not.toBe(first.deliveryId);
      expect((await readDelivery(s.outbox, first.deliveryId))?.eventIds).toEqual([a.id]);
      expect((await readDelivery(s.outbox, rb.deliveryId))?.eventIds).toEqual([b.id]);
    });

    test('two workers that read the same due deliveries: the first claim takes them, the second none', async () => {
      await using s = await make();
      for (const m of ['a', 'b']) await enqueue(s.outbox, enqueueRequest(breach({ municipality: { id: m, name: m } }), 0));
      let first: ClaimedDelivery[] = [];
      const late = withOverrides(s.outbox, {
        find: async (q: DeliveryQuery) => {
          const read = await s.outbox.find(q);
          if (q.kind === 'due') first = await claimDue(s.outbox, { nowMs: 1000, leaseMs: 60_000, limit: 10 });
          return read;
        },
      });
      expect(await claimDue(late, { nowMs: 1000, leaseMs: 60_000, limit: 10 })).toEqual([]);
      expect(first.map((c) => c.attempt)).toEqual([1, 1]);
      expect((await readDeliveries(s.outbox, 'pending')).map((d) => d.attempts)).toEqual([1, 1]);
    });

    test('claims respect the limit and the due order', async () => {
      await using s = await make();
      const events = ['a', 'b', 'c'].map((x, i) => breach({ municipality: { id: `m${x}`, name: x }, value: i }));
      for (const [i, e] of events.entries()) await enqueue(s.outbox, { ...enqueueRequest(e, 0), readyAtMs: 100 - i * 10 });
      const claimed = await claimDue(s.outbox, { nowMs: 1000, leaseMs: 1000, limit: 2 });
      expect(claimed.map((d) => d.events[0]!.id)).toEqual([events[2]!.id, events[1]!.id]);
    });
  });
}
