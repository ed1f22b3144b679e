// Integration: the SQLite AggregateStore and AlertStore on real files: the flat table a
// BI tool reads directly, atomic replacement per period, time series and round trips; and
// the SnapshotStore's read of the current schools the aggregate recomputes from.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SqliteAggregateStore } from '../../../../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../../../../shared/adapters/sqlite/alert-store.ts';
import { openDatabase, type Db } from '../../../../shared/adapters/sqlite/database.ts';
import { SqliteSnapshotStore } from '../../../../shared/adapters/sqlite/snapshot-store.ts';
import { emptyMetricValues, type AggregateRow } from '../../../../shared/domain/metrics.ts';
import type { Period, SchoolRow } from '../../../../shared/domain/schemas.ts';
import { aggregateRow, alertState, batchCommit, commitUnit, P1, P2, schoolRow, unitScope } from '../../../support/builders.ts';

function row(period: Period, level: 'region' | 'municipality', id: string, teachers: number | null, share: number | null): AggregateRow {
  return aggregateRow({
    period,
    scope: unitScope(level, id),
    has_export: teachers !== null,
    values: { ...emptyMetricValues(), teachers_total: teachers, teachers_chat_creators_share: share },
    deltas: { ...emptyMetricValues(), teachers_total: teachers === null ? null : -399 },
    missing: { teachers_msg3: 2 },
    warnings: [{ code: 'warn.missing_counts', level: 'scope', municipality_id: null, school_key: null, field: 'teachers_msg3', message: '2 of 9' }],
  });
}

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-aggstore-'));
  db = openDatabase(join(dir, 'store.sqlite'));
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteAggregateStore', () => {
  test('rows round-trip, region first, and the table is flat with one column per metric and delta', async () => {
    const store = new SqliteAggregateStore(db);
    const rows = [row(P1, 'municipality', 'b', 10, 0.2), row(P1, 'region', '26', 20, 0.25), row(P1, 'municipality', 'a', null, null)];
    await store.replacePeriod('26', P1, rows);
    expect(await store.readPeriod('26', P1)).toEqual([rows[1], rows[2], rows[0]]);
    const flat = db.prepare(`SELECT period_label, level, unit, teachers_total, teachers_total_delta, teachers_chat_creators_share FROM aggregate_metrics WHERE level = 'region'`).get();
    expect(flat).toEqual({ period_label: '06.03-10.03.2023', level: 'region', unit: '26', teachers_total: 20, teachers_total_delta: -399, teachers_chat_creators_share: 0.25 });
  });

  test('replacing a period removes rows the new computation no longer has and leaves other periods alone', async () => {
    const store = new SqliteAggregateStore(db);
    await store.replacePeriod('26', P1, [row(P1, 'region', '26', 20, 0.25), row(P1, 'municipality', 'a', 5, 0.1)]);
    await store.replacePeriod('26', P2, [row(P2, 'region', '26', 30, 0.3)]);
    await store.replacePeriod('26', P1, [row(P1, 'region', '26', 21, 0.26)]);
    expect((await store.readPeriod('26', P1)).map((r) => r.scope.id)).toEqual(['26']);
    expect(await store.periods('26')).toEqual([P1, P2]);
    expect(await store.timeseries('26', 'teachers_total', { level: 'region', id: '26' })).toEqual([
      { period: P1, value: 21, delta: -399 },
      { period: P2, value: 30, delta: -399 },
    ]);
  });

  test('a row of another period is refused and nothing is written', async () => {
    const store = new SqliteAggregateStore(db);
    await expect(store.replacePeriod('26', P1, [row(P1, 'region', '26', 20, 0.25), row(P2, 'municipality', 'a', 5, 0.1)])).rejects.toThrow(RangeError);
    expect(await store.periods('26')).toEqual([]);
  });

  test('a metric name outside the metric ids is refused before any SQL is built', async () => {
    const store = new SqliteAggregateStore(db);
    await expect(store.timeseries('26', 'teachers_total; DROP TABLE x' as never, { level: 'region', id: '26' })).rejects.toThrow();
  });
});

describe('SqliteAlertStore', () => {
  test('saves and replaces states per (region, alert, scope)', async () => {
    const store = new SqliteAlertStore(db);
    const s = alertState({
      alert_id: 'teachers_chat_creators',
      scope: { level: 'municipality', id: 'budennovsky', name: 'Будённовский муниципальный округ' },
      target: { id: 'teachers_chat_creators', metric: 'teachers_chat_creators_share', op: '>=', threshold: 0.35, due: '2023-09-01' },
      changed_at: '2023-03-13T00:00:00.000Z',
    });
    await store.save([s]);
    await store.save([{ ...s, status: 'inactive', since: null, period: P2 }]);
    expect(await store.forRegion('26')).toEqual([{ ...s, status: 'inactive', since: null, period: P2 }]);
    expect(await store.forRegion('27')).toEqual([]);
  });
});

describe('SqliteSnapshotStore.currentSchools', () => {
  const school = (municipality_id: string, school_key: string, o: Partial<SchoolRow> = {}): SchoolRow =>
    schoolRow({
      municipality_id,
      school_key,
      school_name: `Школа ${school_key}`,
      admin_active: false,
      teachers_total: 10,
      teachers_in_sferum: null,
      students_total: 0,
      students_in_sferum: 5,
      teachers_chat_creators: null,
      teachers_msg3: 1,
      teachers_msg10: 0,
      ...o,
    });

  test('reads the rows as staged, through the pointers, by municipality then school key, whatever the batches', async () => {
    const store = new SqliteSnapshotStore(db);
    const old = [school('kursky', 'k1', { teachers_total: 1 }), school('budennovsky', 'b9')];
    await store.stageSchoolRows('u1', old);
    await store.commitBatch(batchCommit({ batchId: 'u1', units: [commitUnit('kursky'), commitUnit('budennovsky')] }));
    // a later upload replaces kursky only, staged out of order; another period and region stay apart
    const fix = [school('kursky', 'k2', { school_kpp: '263401001', in_sferum: false, admin_active: true }), school('kursky', 'k1', { teachers_total: 2 })];
    await store.stageSchoolRows('u2', fix);
    await store.stageSchoolRows('u2', [school('kursky', 'k0', { period: P2 })]);
    await store.commitBatch(batchCommit({ batchId: 'u2', uploadId: 'u2', source: { lastModifiedMs: 2, sequence: 2 }, units: [commitUnit('kursky'), commitUnit('kursky', P2)] }));
    await store.stageSchoolRows('u3', [school('aaa', 'a1', { region: '27' })]);
    await store.commitBatch(batchCommit({ batchId: 'u3', uploadId: 'u3', region: '27', source: { lastModifiedMs: 3, sequence: 3 }, units: [commitUnit('aaa')] }));

    expect(await store.currentSchools('26', P1)).toStrictEqual([old[1], fix[1], fix[0]]);
    expect(await store.currentSchools('26', P2)).toStrictEqual([school('kursky', 'k0', { period: P2 })]);
    expect(await store.currentSchools('28', P1)).toStrictEqual([]);
  });
});
