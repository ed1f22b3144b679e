// Contract suite: what every AggregateStore adapter promises the aggregate stage and the API
// (SQLite, and YDB through the executing wire double; a real YDB when YDB_ENDPOINT is set).
// A region code is two digits, too few to give each test keys of its own in a shared table,
// so the factory gives each test a store in which `regions` are its alone (a fresh database;
// on a real YDB, the runner's tables emptied for it), and `await using` disposes of it.
import { describe, expect, test } from 'vitest';
import type { Completeness } from '../../shared/domain/schemas.ts';
import { MetricId } from '../../shared/domain/schemas.ts';
import type { AggregateStore } from '../../shared/ports/aggregate-store.ts';
import { aggregateRow, filledAggregateRow, P1, P2 } from '../support/builders.ts';

/** A store per call; `regions` hold nothing another test writes while it lives. */
export type AggregateStoreFactory = () => Promise<{ readonly store: AggregateStore; readonly regions: readonly [string, string] } & AsyncDisposable>;

const completeness = (reported: number): Completeness => ({
  complete: reported === 2,
  state: reported === 2 ? 'complete' : 'provisional',
  label: reported === 2 ? null : `предварительно: ${reported} из 2 МОУО`,
  schools: { expected: 2, reported, missing: reported === 2 ? [] : ['kursky'] },
  municipalities: { expected: 2, reported: 2, missing: [] },
});

export function aggregateStoreContract(name: string, make: AggregateStoreFactory) {
  describe(`AggregateStore contract: ${name}`, () => {
    test('replacing a period leaves exactly the new rows, region first then municipalities by id', async () => {
      await using s = await make();
      const [region] = s.regions;
      const row = (over: Parameters<typeof filledAggregateRow>[0]) => ({ ...filledAggregateRow(over), region });
      await s.store.replacePeriod(region, P1, [row({ id: 'zelenokumsk' }), row({ id: 'old' })]);
      const rows = [row({ id: 'kursky', base: 2 }), row({ level: 'region', id: region }), row({ id: 'budennovsky' })];
      await s.store.replacePeriod(region, P1, rows);
      expect(await s.store.readPeriod(region, P1)).toEqual([rows[1], rows[2], rows[0]]);
      expect(await s.store.readPeriod(region, P2)).toEqual([]);
    });

    test('a row of another period or region is refused before anything is written', async () => {
      await using s = await make();
      const [region, other] = s.regions;
      await expect(s.store.replacePeriod(region, P1, [{ ...filledAggregateRow({ period: P2 }), region }])).rejects.toThrow(RangeError);
      await expect(s.store.replacePeriod(region, P1, [{ ...filledAggregateRow(), region: other }])).rejects.toThrow(RangeError);
      expect(await s.store.periods(region)).toEqual([]);
      expect(await s.store.periods(other)).toEqual([]);
    });

    test('a time series of one metric and scope is ascending by period, with deltas and nulls; periods are per region', async () => {
      await using s = await make();
      const [region, other] = s.regions;
      const row = (over: Parameters<typeof filledAggregateRow>[0]) => ({ ...filledAggregateRow(over), region });
      await s.store.replacePeriod(region, P2, [row({ period: P2, base: 3 })]);
      await s.store.replacePeriod(region, P1, [row({ period: P1, base: 2 }), row({ period: P1, id: 'kursky' })]);
      const series = await s.store.timeseries(region, 'teachers_total', { level: 'municipality', id: 'budennovsky' });
      const i = MetricId.options.indexOf('teachers_total');
      expect(series).toEqual([
        { period: P1, value: 2 * i, delta: -3 },
        { period: P2, value: 3 * i, delta: -3 },
      ]);
      expect((await s.store.timeseries(region, 'schools_total', { level: 'municipality', id: 'budennovsky' }))[0]?.value).toBeNull();
      expect(await s.store.periods(region)).toEqual([P1, P2]);
      expect(await s.store.periods(other)).toEqual([]);
    });

    test("a period's completeness is written with its rows, kept by a refresh without one, and removed with the rows", async () => {
      await using s = await make();
      const [region, other] = s.regions;
      const rows = [aggregateRow({ region, scope: { level: 'region', id: region, name: 'край' } })];
      await s.store.replacePeriod(region, P2, [{ ...rows[0]!, period: P2 }], completeness(2));
      await s.store.replacePeriod(region, P1, rows, completeness(1));
      expect(await s.store.completeness(region)).toEqual([
        { period: P1, completeness: completeness(1) },
        { period: P2, completeness: completeness(2) },
      ]);
      // a refresh of deltas passes no completeness: the stored one stays
      await s.store.replacePeriod(region, P1, rows);
      expect((await s.store.completeness(region))[0]).toEqual({ period: P1, completeness: completeness(1) });
      await s.store.replacePeriod(region, P1, [], completeness(2));
      expect(await s.store.completeness(region)).toEqual([{ period: P2, completeness: completeness(2) }]);
      expect(await s.store.completeness(other)).toEqual([]);
    });
  });
}
