// The YDB aggregate and alert stores through the executing wire double: what a period
// replacement leaves stored (every metric, delta and JSON column read back as written; units
// the period no longer has removed), what a read costs (one period's rows, never another
// period's), and the alert states saved in one round trip and read back in order.
import { describe, expect, test } from 'vitest';
import type { AlertState } from '../../../../../shared/domain/alerts.ts';
import { alertState, filledAggregateRow, P1, P2, unitScope } from '../../../../support/builders.ts';
import { useAdapterWire, day } from './harness.ts';

const h = useAdapterWire();
const execs = () => h.wire.calls.filter((c) => c.method === 'ExecuteQuery');

describe('aggregate store', () => {
  const rows = [filledAggregateRow({ level: 'region' }), filledAggregateRow({ id: 'budennovsky' })];

  test('replacePeriod stores every column as written: deltas, shares, JSON, has_export', async () => {
    await h.stores.aggregates.replacePeriod('26', P1, rows);
    expect(await h.stores.aggregates.readPeriod('26', P1)).toEqual(rows);
    const stored = h.wire.tableRows('aggregate_metrics');
    expect(stored.map((r) => [r.level, r.unit])).toEqual([['municipality', 'budennovsky'], ['region', '26']]);
    expect(stored[0]).toMatchObject({ teachers_total_delta: -3n, teachers_in_sferum_share_delta: 0.05, has_export: true });
    expect(JSON.parse(stored[0]!.missing_json as string)).toEqual({ missing: { teachers_calls: 2 }, data_coverage: { teachers_calls_share: 0.75, teachers_msg3_share: 1, students_in_sferum_share: null } });
  });

  test('replacePeriod is one round trip that begins and commits its transaction: the rows, the period index row and a new read token', async () => {
    await h.stores.aggregates.replacePeriod('26', P1, rows);
    expect(execs().map((c) => c.tx)).toEqual([{ begin: 'serializableReadWrite', commit: true, txId: null }]);
    expect(h.wire.tableRows('region_period')).toEqual([expect.objectContaining({ region: '26', period_start: day(P1.start), period_end: day(P1.end) })]);
    const [token] = h.wire.tableRows('read_version');
    expect(token!.region).toBe('26');
    await h.stores.aggregates.replacePeriod('26', P1, rows);
    expect(h.wire.tableRows('read_version').map((r) => r.version)).not.toEqual([token!.version]);
  });

  test('units the period held and no longer has are gone after a replacement; other periods are untouched', async () => {
    await h.stores.aggregates.replacePeriod('26', P2, [filledAggregateRow({ period: P2, id: 'gone' })]);
    await h.stores.aggregates.replacePeriod('26', P1, [...rows, filledAggregateRow({ id: 'gone' })]);
    await h.stores.aggregates.replacePeriod('26', P1, rows);
    expect((await h.stores.aggregates.readPeriod('26', P1)).map((r) => r.scope.id)).toEqual(['26', 'budennovsky']);
    expect((await h.stores.aggregates.readPeriod('26', P2)).map((r) => r.scope.id)).toEqual(['gone']);
  });

  test('reading a period reads that period\'s rows only (a key prefix), whatever else is stored', async () => {
    await h.stores.aggregates.replacePeriod('26', P2, Array.from({ length: 5 }, (_, i) => filledAggregateRow({ period: P2, id: `m${i}` })));
    await h.stores.aggregates.replacePeriod('26', P1, rows);
    h.wire.calls.length = 0;
    expect(await h.stores.aggregates.readPeriod('26', P1)).toEqual(rows);
    expect(h.wire.io(execs()).rowsRead).toBe(rows.length);
  });

  test('a time series of one scope reads that scope\'s rows, ascending by period', async () => {
    await h.stores.aggregates.replacePeriod('26', P2, [filledAggregateRow({ period: P2, base: 3 }), filledAggregateRow({ period: P2, id: 'kursky' })]);
    await h.stores.aggregates.replacePeriod('26', P1, [filledAggregateRow({ period: P1, base: 2 }), filledAggregateRow({ period: P1, id: 'kursky' })]);
    const series = await h.stores.aggregates.timeseries('26', 'teachers_msg10_share', { level: 'municipality', id: 'budennovsky' });
    expect(series.map((p) => p.period)).toEqual([P1, P2]);
    expect(series.every((p) => typeof p.value === 'number')).toBe(true);
  });
});

describe('alert store', () => {
  test('save upserts every state in one round trip that begins and commits its transaction; nothing is sent for none', async () => {
    const states = [alertState(), alertState({ scope: unitScope(), status: 'at_risk' })];
    await h.stores.alerts.save(states);
    await h.stores.alerts.save([]);
    expect(execs().map((c) => c.tx)).toEqual([{ begin: 'serializableReadWrite', commit: true, txId: null }]);
    expect(h.wire.tableRows('alert_state').map((r) => [r.level, r.unit, r.status])).toEqual([
      ['municipality', states[0]!.scope.id, states[0]!.status],
      ['region', '26', 'at_risk'],
    ]);
  });

  test('forRegion returns the stored states ordered by level, unit and alert id, in a snapshot read', async () => {
    const a = alertState();
    const b = alertState({ alert_id: 't_a', target: { ...a.target, id: 't_a' } as AlertState['target'] });
    await h.stores.alerts.save([a, b]);
    h.wire.calls.length = 0;
    expect(await h.stores.alerts.forRegion('26')).toEqual([b, a]);
    expect(execs()[0]!.tx!.begin).toBe('snapshotReadOnly');
  });
});
