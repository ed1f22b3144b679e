// Our tables' rows: each domain row (zod-inferred) goes into its table's columns and comes
// back equal, through the real protobuf wire encoding of a result set.
import { describe, expect, test } from 'vitest';
import { decodeRows } from '../../../../shared/adapters/ydb/codec.ts';
import {
  T,
  aggregateToRow,
  alertToRow,
  municipalityToRow,
  rowToAggregate,
  rowToAlert,
  rowToMunicipality,
  rowToSchool,
  schoolToRow,
} from '../../../../shared/adapters/ydb/tables.ts';
import { MetricId } from '../../../../shared/domain/schemas.ts';
import type { AggregateRow } from '../../../../shared/domain/metrics.ts';
import { aggregateRow, alertState, municipalityRow, schoolRow, unitScope } from '../../../support/builders.ts';
import { receivedResultSet } from '../../../support/ydb-results.ts';

describe('domain rows', () => {
  const school = schoolRow({ school_kpp: '263401001', school_name: 'МБОУ «СОШ № 1»', admin_active: false, students_total: 0, students_in_sferum: null });

  test('a school row survives the table encoding both ways', () => {
    const rs = receivedResultSet(T.schoolSnapshot.columns, [schoolToRow('up_1', school)]);
    const [row] = decodeRows(rs, T.schoolSnapshot.columns);
    expect(row!.batch_id).toBe('up_1');
    expect(rowToSchool(row!)).toEqual(school);
  });

  test('a municipality row survives the table encoding both ways', () => {
    const m = municipalityRow({ municipality_id: 'kursky', in_sferum: false, admin_active: true });
    const [row] = decodeRows(receivedResultSet(T.municipalitySnapshot.columns, [municipalityToRow('b', m)]), T.municipalitySnapshot.columns);
    expect(rowToMunicipality(row!)).toEqual(m);
  });

  test('an aggregate row keeps every metric, delta, null and warning', () => {
    const values = Object.fromEntries(MetricId.options.map((m, i) => [m, m.endsWith('_share') ? i / 100 : i % 3 === 0 ? null : i * 1000])) as AggregateRow['values'];
    const deltas = Object.fromEntries(MetricId.options.map((m, i) => [m, m.endsWith('_share') ? -i / 1000 : 5 - i])) as AggregateRow['deltas'];
    const agg = aggregateRow({
      scope: { level: 'municipality', id: 'budennovsky', name: 'Будённовский МО' },
      values,
      deltas,
      missing: { teachers_calls: 3 },
      warnings: [{ code: 'warn.missing_counts', level: 'scope', municipality_id: 'budennovsky', school_key: null, field: 'teachers_calls', message: 'нет данных' }],
    });
    const db = aggregateToRow(agg);
    expect(db.period_label).toBe('06.03-10.03.2023');
    const [row] = decodeRows(receivedResultSet(T.aggregateMetrics.columns, [db]), T.aggregateMetrics.columns);
    expect(rowToAggregate(row!)).toEqual(agg);
  });

  test('an alert state is stored with its query columns and read back whole', () => {
    const s = alertState({
      alert_id: 'teachers-share-90',
      scope: unitScope('region'),
      target: { id: 'teachers-share-90', metric: 'teachers_in_sferum_share', op: '>=', threshold: 0.9, due: '2023-06-01' },
      value: 0.82,
    });
    const [row] = decodeRows(receivedResultSet(T.alertState.columns, [alertToRow(s)]), T.alertState.columns);
    expect(row!.status).toBe('breach');
    expect(rowToAlert(row!)).toEqual(s);
  });
});
