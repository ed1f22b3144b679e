// Contract suite: what every AlertStore adapter promises the aggregate stage, the API and the
// digest (SQLite, and YDB through the executing wire double; a real YDB when YDB_ENDPOINT is
// set). As for the aggregates, a region code is too short to be a test's own key in a shared
// table: the factory gives each test a store in which `regions` are its alone, and
// `await using` disposes of it.
import { describe, expect, test } from 'vitest';
import type { AlertState } from '../../shared/domain/alerts.ts';
import type { AlertStore } from '../../shared/ports/alert-store.ts';
import { alertState, P2, unitScope } from '../support/builders.ts';

/** A store per call; `regions` hold nothing another test writes while it lives. */
export type AlertStoreFactory = () => Promise<{ readonly store: AlertStore; readonly regions: readonly [string, string] } & AsyncDisposable>;

export function alertStoreContract(name: string, make: AlertStoreFactory) {
  describe(`AlertStore contract: ${name}`, () => {
    test('saved states come back whole, replaced by key, ordered by level, unit and alert; an empty save changes nothing', async () => {
      await using s = await make();
      const [region] = s.regions;
      const state = (over: Partial<AlertState> = {}) => alertState({ region, ...over });
      const regionWide = state({ scope: unitScope('region', region), target: null, alert_id: 'export_missing', status: 'export_missing', since: null, value: null });
      const b = state({ alert_id: 'a_first' });
      await s.store.save([state(), b, regionWide]);
      const resolved = state({ status: 'inactive', since: null, period: P2, changed_at: '2023-03-20T09:00:00.000Z' });
      await s.store.save([resolved]);
      expect(await s.store.forRegion(region)).toEqual([b, resolved, regionWide]);
      await s.store.save([]);
      expect(await s.store.forRegion(region)).toHaveLength(3);
    });

    test("a region's states are its own: the same alert and scope in another region is another state", async () => {
      await using s = await make();
      const [region, other] = s.regions;
      const here = alertState({ region });
      const there = alertState({ region: other, status: 'at_risk' });
      await s.store.save([here, there]);
      expect(await s.store.forRegion(region)).toEqual([here]);
      expect(await s.store.forRegion(other)).toEqual([there]);
    });
  });
}
