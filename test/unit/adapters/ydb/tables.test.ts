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
import type { AlertState } from '../../../../shared/domain/alerts.ts';
import { MetricId } from '../../../../shared/domain/events.ts';
import type { AggregateRow } from '../../../../shared/domain/metrics.ts';
import type { MunicipalityRow, SchoolRow } from '../../../../shared/domain/schemas.ts';
import { receivedResultSet } from '../../../support/ydb-results.ts';

describe('domain rows', () => {
  const school: SchoolRow = {
    region: '26',
    period: { start: '2023-03-06', end: '2023-03-10' },
    municipality_id: 'budennovsky',
    school_key: '2634000001#школа',
    school_inn: '2634000001',
    school_kpp: '263401001',
    school_name: 'МБОУ «СОШ № 1»',
    in_sferum: true,
    admin_active: false,
    teachers_total: 40,
    teachers_in_sferum: 38,
    students_total: 0,
    students_in_sferum: null,
    teachers_chat_creators: 10,
    teachers_msg3: 2,
    teachers_msg10: 1,
    teachers_calls: null,
  };

  test('a school row survives the table encoding both ways', () => {
    const rs = receivedResultSet(T.schoolSnapshot.columns, [schoolToRow('up_1', school)]);
    const [row] = decodeRows(rs, T.schoolSnapshot.columns);
    expect(row!.batch_id).toBe('up_1');
    expect(rowToSchool(row!)).toEqual(school);
  });

  test('a municipality row survives the table encoding both ways', () => {
    const m: MunicipalityRow = { region: '26', period: school.period, municipality_id: 'kursky', in_sferum: false, admin_active: true };
    const [row] = decodeRows(receivedResultSet(T.municipalitySnapshot.columns, [municipalityToRow('b', m)]), T.municipalitySnapshot.columns);
    expect(rowToMunicipality(row!)).toEqual(m);
  });

  test('an aggregate row keeps every metric, delta, null and warning', () => {
    const values = Object.fromEntries(MetricId.options.map((m, i) => [m, m.endsWith('_share') ? i / 100 : i % 3 === 0 ? null : i * 1000])) as AggregateRow['values'];
    const deltas = Object.fromEntries(MetricId.options.map((m, i) => [m, m.endsWith('_share') ? -i / 1000 : 5 - i])) as AggregateRow['deltas'];
    const agg: AggregateRow = {
      region: '26',
      period: school.period,
      scope: { level: 'municipality', id: 'budennovsky', name: 'Будённовский МО' },
      has_export: true,
      values,
      deltas,
      missing: { teachers_calls: 3 },
      warnings: [{ code: 'warn.missing_counts', level: 'scope', municipality_id: 'budennovsky', school_key: null, field: 'teachers_calls', message: 'нет данных' }],
    };
    const db = aggregateToRow(agg);
    expect(db.period_label).toBe('06.03-10.03.2023');
    const [row] = decodeRows(receivedResultSet(T.aggregateMetrics.columns, [db]), T.aggregateMetrics.columns);
    expect(rowToAggregate(row!)).toEqual(agg);
  });

  test('an alert state is stored with its query columns and read back whole', () => {
    const s: AlertState = {
      region: '26',
      alert_id: 'teachers-share-90',
      scope: { level: 'region', id: '26', name: 'Ставропольский край' },
      status: 'breach',
      target: { id: 'teachers-share-90', metric: 'teachers_in_sferum_share', op: '>=', threshold: 0.9, due: '2023-06-01' },
      period: school.period,
      since: school.period,
      value: 0.82,
      inhibited: false,
      changed_at: '2023-03-13T09:00:00.000Z',
    };
    const [row] = decodeRows(receivedResultSet(T.alertState.columns, [alertToRow(s)]), T.alertState.columns);
    expect(row!.status).toBe('breach');
    expect(rowToAlert(row!)).toEqual(s);
  });
});
