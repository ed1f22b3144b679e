// Contract suites: what every AggregateStore, AlertStore and Outbox adapter promises
// (SQLite always, YDB when YDB_ENDPOINT is set). The behaviours are those the SQLite
// adapters established and the aggregate and notify integration tests rely on.
import { describe, expect, test } from 'vitest';
import { MetricId } from '../../shared/domain/schemas.ts';
import { deliveryIdFor } from '../../shared/domain/notify/grouping.ts';
import type { AggregateStore } from '../../shared/ports/aggregate-store.ts';
import type { AlertStore } from '../../shared/ports/alert-store.ts';
import type { Outbox } from '../../shared/ports/outbox.ts';
import { alertState, breach, enqueueRequest, filledAggregateRow, MUNI, P1, P2, unitScope } from '../support/builders.ts';

export type Fresh<T> = () => Promise<{ store: T; close(): Promise<void> }>;

export function aggregateStoreContract(name: string, make: Fresh<AggregateStore>) {
  describe(`AggregateStore contract: ${name}`, () => {
    test('replacing a period leaves exactly the new rows, region first then municipalities by id', async () => {
      const s = await make();
      try {
        await s.store.replacePeriod('26', P1, [filledAggregateRow({ id: 'zelenokumsk' }), filledAggregateRow({ id: 'old' })]);
        const rows = [filledAggregateRow({ id: 'kursky', base: 2 }), filledAggregateRow({ level: 'region' }), filledAggregateRow({ id: 'budennovsky' })];
        await s.store.replacePeriod('26', P1, rows);
        expect(await s.store.readPeriod('26', P1)).toEqual([rows[1], rows[2], rows[0]]);
        expect(await s.store.readPeriod('26', P2)).toEqual([]);
      } finally {
        await s.close();
      }
    });

    test('a row of another period is refused before anything is written', async () => {
      const s = await make();
      try {
        await expect(s.store.replacePeriod('26', P1, [filledAggregateRow({ period: P2 })])).rejects.toThrow(RangeError);
        expect(await s.store.periods('26')).toEqual([]);
      } finally {
        await s.close();
      }
    });

    test('a time series of one metric and scope is ascending by period, with deltas and nulls', async () => {
      const s = await make();
      try {
        await s.store.replacePeriod('26', P2, [filledAggregateRow({ period: P2, base: 3 })]);
        await s.store.replacePeriod('26', P1, [filledAggregateRow({ period: P1, base: 2 }), filledAggregateRow({ period: P1, id: 'kursky' })]);
        const series = await s.store.timeseries('26', 'teachers_total', { level: 'municipality', id: 'budennovsky' });
        const i = MetricId.options.indexOf('teachers_total');
        expect(series).toEqual([
          { period: P1, value: 2 * i, delta: -3 },
          { period: P2, value: 3 * i, delta: -3 },
        ]);
        expect((await s.store.timeseries('26', 'schools_total', { level: 'municipality', id: 'budennovsky' }))[0]?.value).toBeNull();
        expect(await s.store.periods('26')).toEqual([P1, P2]);
        expect(await s.store.periods('07')).toEqual([]);
      } finally {
        await s.close();
      }
    });
  });
}

export function alertStoreContract(name: string, make: Fresh<AlertStore>) {
  describe(`AlertStore contract: ${name}`, () => {
    test('saved states come back whole, replaced by key, ordered by level, unit and alert', async () => {
      const s = await make();
      try {
        const region = alertState({ scope: unitScope(), target: null, alert_id: 'export_missing', status: 'export_missing', since: null, value: null });
        const b = alertState({ alert_id: 'a_first' });
        await s.store.save([alertState(), b, region]);
        const resolved = alertState({ status: 'inactive', since: null, period: P2, changed_at: '2023-03-20T09:00:00.000Z' });
        await s.store.save([resolved]);
        expect(await s.store.forRegion('26')).toEqual([b, resolved, region]);
        expect(await s.store.forRegion('07')).toEqual([]);
        await s.store.save([]);
        expect(await s.store.forRegion('26')).toHaveLength(3);
      } finally {
        await s.close();
      }
    });
  });
}

export function outboxContract(name: string, make: Fresh<Outbox>) {
  describe(`Outbox contract: ${name}`, () => {
    test('enqueue is idempotent by (event, channel) and joins the open delivery of its group', async () => {
      const s = await make();
      try {
        const [a, b] = [breach({ municipality: MUNI }), breach({ municipality: MUNI, metric: 'teachers_msg3_share' })];
        const ra = await s.store.enqueue(enqueueRequest(a, 0));
        expect(await s.store.enqueue(enqueueRequest(a, 10))).toEqual({ deliveryId: ra.deliveryId, created: false, joined: false });
        expect(await s.store.enqueue(enqueueRequest(b, 20))).toEqual({ deliveryId: ra.deliveryId, created: true, joined: true });
        expect((await s.store.enqueue(enqueueRequest(a, 30, 'vk'))).deliveryId).toBe(deliveryIdFor(a.id, 'vk'));
        expect((await s.store.get(ra.deliveryId))?.eventIds).toEqual([a.id, b.id]);
        expect(await s.store.get('nope')).toBeNull();
      } finally {
        await s.close();
      }
    });

    test('the first claim seals and leases; a leased delivery is not claimed twice; a stale token cannot mark', async () => {
      const s = await make();
      try {
        const [a, b] = [breach(), breach({ metric: 'teachers_msg3_share' })];
        await s.store.enqueue(enqueueRequest(a, 0));
        expect(await s.store.claimDue({ nowMs: 999, leaseMs: 60_000, limit: 10 })).toEqual([]);
        const [c] = await s.store.claimDue({ nowMs: 1000, leaseMs: 60_000, limit: 10 });
        expect(c).toMatchObject({ attempt: 1, channelId: 'hook', scheduleStartMs: 0 });
        expect(c!.events).toEqual([a]);
        expect((await s.store.enqueue(enqueueRequest(b, 1001))).joined).toBe(false);
        expect(await s.store.claimDue({ nowMs: 2000, leaseMs: 60_000, limit: 10 })).toEqual([]);
        expect(await s.store.markDelivered(c!.id, 'stale-token', 2000)).toBe(false);
        // the lease runs out: the next claim resends with a new token and counts the attempt
        const [again] = (await s.store.claimDue({ nowMs: 61_000, leaseMs: 60_000, limit: 10 })).filter((d) => d.id === c!.id);
        expect(again?.attempt).toBe(2);
        expect(await s.store.markDelivered(c!.id, c!.leaseToken, 61_001)).toBe(false);
        expect(await s.store.markDelivered(again!.id, again!.leaseToken, 61_001)).toBe(true);
        expect((await s.store.get(c!.id))?.state).toBe('delivered');
      } finally {
        await s.close();
      }
    });

    test('retry, dead, disable and replay move the delivery and its channel as documented', async () => {
      const s = await make();
      try {
        const a = breach();
        const { deliveryId } = await s.store.enqueue(enqueueRequest(a, 0));
        let [c] = await s.store.claimDue({ nowMs: 1000, leaseMs: 1000, limit: 1 });
        expect(await s.store.markRetry(deliveryId, c!.leaseToken, { nowMs: 1100, error: 'http.503', nextAttemptAtMs: 5000 })).toBe(true);
        expect(await s.store.get(deliveryId)).toMatchObject({ state: 'retrying', lastError: 'http.503', nextAttemptAtMs: 5000, attempts: 1 });
        expect(await s.store.claimDue({ nowMs: 4999, leaseMs: 1000, limit: 1 })).toEqual([]);
        [c] = await s.store.claimDue({ nowMs: 5000, leaseMs: 1000, limit: 1 });
        expect(await s.store.markDisabled(deliveryId, c!.leaseToken, { nowMs: 5100, error: 'http.410' })).toBe(true);
        expect([...(await s.store.disabledChannels())]).toEqual(['hook']);
        expect((await s.store.list('disabled')).map((d) => d.id)).toEqual([deliveryId]);
        const replayed = await s.store.replay(deliveryId, 9000);
        expect(replayed).toMatchObject({ id: deliveryId, state: 'pending', attempts: 0, nextAttemptAtMs: 9000, eventIds: [a.id] });
        expect([...(await s.store.disabledChannels())]).toEqual([]);
        expect(await s.store.replay(deliveryId, 9001)).toBeNull();
        [c] = await s.store.claimDue({ nowMs: 9000, leaseMs: 1000, limit: 1 });
        expect(c).toMatchObject({ attempt: 1, scheduleStartMs: 9000 });
        expect(c!.events).toEqual([a]);
        expect(await s.store.markDead(deliveryId, c!.leaseToken, { nowMs: 9100, error: 'net.timeout' })).toBe(true);
        expect((await s.store.list('dead', { limit: 5 })).map((d) => d.lastError)).toEqual(['net.timeout']);
      } finally {
        await s.close();
      }
    });

    test('claims respect the limit and the due order', async () => {
      const s = await make();
      try {
        const events = ['a', 'b', 'c'].map((x, i) => breach({ municipality: { id: `m${x}`, name: x }, value: i }));
        for (const [i, e] of events.entries()) await s.store.enqueue({ ...enqueueRequest(e, 0), readyAtMs: 100 - i * 10 });
        const claimed = await s.store.claimDue({ nowMs: 1000, leaseMs: 1000, limit: 2 });
        expect(claimed.map((d) => d.events[0]!.id)).toEqual([events[2]!.id, events[1]!.id]);
      } finally {
        await s.close();
      }
    });
  });
}
