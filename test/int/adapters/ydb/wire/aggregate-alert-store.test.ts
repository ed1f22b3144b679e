// The YDB aggregate and alert stores through the wire server: what a period replacement and
// an alert save send (one transaction: stale units deleted, rows upserted, the period
// indexed, the region's read token renewed), and what the reads make of the rows a YDB returns.
import { describe, expect, test } from 'vitest';
import {
  AGGREGATE_READ_PERIOD,
  AGGREGATE_REPLACE_PERIOD,
  AGGREGATE_TIMESERIES,
  ALERTS_FOR_REGION,
  ALERTS_SAVE,
} from '../../../../../shared/adapters/ydb/queries.ts';
import { aggregateToRow } from '../../../../../shared/adapters/ydb/tables.ts';
import type { AlertState } from '../../../../../shared/domain/alerts.ts';
import { alertState, filledAggregateRow, P1, unitScope } from '../../../../support/builders.ts';
import { useAdapterWire, day, sent, value } from './harness.ts';

const h = useAdapterWire();

describe('aggregate store', () => {
  const rows = [filledAggregateRow({ level: 'region' }), filledAggregateRow({ id: 'budennovsky' })];

  test('replacePeriod is one committing statement: the rows, the period index row and a new read token', async () => {
    await h.stores.aggregates.replacePeriod('26', P1, rows);
    const [w] = sent(h.wire, AGGREGATE_REPLACE_PERIOD);
    expect(w!.tx).toEqual({ begin: 'serializableReadWrite', commit: true, txId: null });
    expect([value(w, '$region'), value(w, '$period_start'), value(w, '$period_end')]).toEqual(['26', day(P1.start), day(P1.end)]);
    const sentRows = value(w, '$rows') as Record<string, unknown>[];
    expect(sentRows.map((r) => [r.level, r.unit])).toEqual([['region', '26'], ['municipality', 'budennovsky']]);
    expect(sentRows[1]).toMatchObject({ teachers_total_delta: -3n, teachers_in_sferum_share_delta: 0.05, missing_json: { missing: { teachers_calls: 2 }, data_coverage: { teachers_calls_share: 0.75, teachers_msg3_share: 1, students_in_sferum_share: null } }, has_export: true });
    expect(value(w, '$period')).toEqual([expect.objectContaining({ region: '26', period_start: day(P1.start), period_end: day(P1.end) })]);
    const [token] = value(w, '$read_token') as { region: string; version: string }[];
    expect(token!.region).toBe('26');
    expect(h.wire.queries()).toHaveLength(1);
    await h.stores.aggregates.replacePeriod('26', P1, rows);
    const [, again] = sent(h.wire, AGGREGATE_REPLACE_PERIOD);
    expect((value(again, '$read_token') as { version: string }[])[0]!.version).not.toBe(token!.version);
  });

  test('readPeriod reads the period in one statement and returns the rows as stored, region first', async () => {
    h.wire.script((q) => q.text === AGGREGATE_READ_PERIOD, [h.wire.rows('aggregate_metrics', [rows[1]!, rows[0]!].map(aggregateToRow))]);
    expect(await h.stores.aggregates.readPeriod('26', P1)).toEqual(rows);
    expect(sent(h.wire, AGGREGATE_READ_PERIOD)[0]!.params.$limit).toBeUndefined();
  });

  test('timeseries reads one metric column through the scope index', async () => {
    const q = AGGREGATE_TIMESERIES.teachers_msg10_share;
    h.wire.script((x) => x.text === q, [
      h.wire.resultSet({ period_start: 'Date', period_end: 'Date', value: 'Optional<Double>', delta: 'Optional<Double>' }, [
        { period_start: P1.start, period_end: P1.end, value: 0.25, delta: null },
      ]),
    ]);
    expect(await h.stores.aggregates.timeseries('26', 'teachers_msg10_share', { level: 'municipality', id: 'budennovsky' })).toEqual([
      { period: P1, value: 0.25, delta: null },
    ]);
    const [r] = sent(h.wire, q);
    expect(r!.text).toContain('VIEW by_scope');
    expect([value(r, '$region'), value(r, '$level'), value(r, '$unit')]).toEqual(['26', 'municipality', 'budennovsky']);
  });
});

describe('alert store', () => {
  test('save upserts every state in one inline transaction; nothing is sent for none', async () => {
    const states = [alertState(), alertState({ scope: unitScope(), status: 'at_risk' })];
    await h.stores.alerts.save(states);
    await h.stores.alerts.save([]);
    const [w] = sent(h.wire, ALERTS_SAVE);
    expect(h.wire.queries()).toHaveLength(1);
    expect((value(w, '$read_token') as { region: string }[]).map((t) => t.region)).toEqual(['26']);
    expect(w!.tx).toEqual({ begin: 'serializableReadWrite', commit: true, txId: null });
    expect(value(w, '$rows')).toEqual(
      states.map((s) => ({
        region: '26', alert_id: s.alert_id, level: s.scope.level, unit: s.scope.id, status: s.status, period_start: day(P1.start),
        period_end: day(P1.end), changed_at: s.changed_at, state_json: JSON.parse(JSON.stringify(s)),
      })),
    );
  });

  test('forRegion returns the stored states ordered by level, unit and alert id', async () => {
    const a = alertState();
    const b = alertState({ alert_id: 't_a', target: { ...a.target, id: 't_a' } as AlertState['target'] });
    h.wire.script((q) => q.text === ALERTS_FOR_REGION, [
      h.wire.rows('alert_state', [a, b].map((s) => ({ alert_id: s.alert_id, level: s.scope.level, unit: s.scope.id, state_json: s })), ['alert_id', 'level', 'unit', 'state_json']),
    ]);
    expect(await h.stores.alerts.forRegion('26')).toEqual([b, a]);
    expect(sent(h.wire, ALERTS_FOR_REGION)[0]!.tx.begin).toBe('snapshotReadOnly');
  });
});
