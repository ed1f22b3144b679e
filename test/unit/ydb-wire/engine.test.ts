// The wire double's engine without gRPC: the statement shapes the adapters send, executed on
// the migrations' tables, with the result types YDB gives them, and Yandex's RU rule.
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { col, listParam, param, scalarListParam } from '../../../shared/adapters/ydb/codec.ts';
import { PERIOD_WINDOW, PERIOD_WINDOW_BOUNDS } from '../../../shared/adapters/ydb/queries.ts';
import { T, aggregateToRow } from '../../../shared/adapters/ydb/tables.ts';
import { JOINED_PERIOD_WINDOW } from '../../support/joined-period-window.ts';
import { YqlEngine, YqlError, bulkRu, yqlIoRu, type Param } from '../../ydb-wire/engine.ts';
import { migrationTexts } from '../../ydb-wire/yql-text.ts';
import { filledAggregateRow } from '../../support/builders.ts';

const ddl = migrationTexts(resolve(import.meta.dirname, '../../../infra/ydb/migrations'));
const DB = '/local';
const p = (tv: { type?: unknown; value?: unknown }) => tv as Param;
const alerts = (units: string[]) =>
  p(listParam(T.alertState.columns, units.map((unit) => ({ region: '26', alert_id: 'a', level: 'municipality', unit, status: 'open', period_start: '2026-01-05', period_end: '2026-01-11', changed_at: 't', state_json: { unit } }))));
function engine() {
  const e = new YqlEngine(ddl);
  e.execute(DB, 'UPSERT INTO alert_state SELECT * FROM AS_TABLE($rows);', { $rows: alerts(['m1', 'm2', 'm3']) }, null, true);
  return e;
}
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof YqlError) return [e.status, e.message];
    throw e;
  }
  return null;
};

describe("Yandex's RU rule for YQL", () => {
  test('the documented example: 2 rows / 16 bytes read, 2 rows / 2 456 bytes written → 8 RU', () => {
    expect(yqlIoRu({ rowsRead: 2, bytesRead: 16, rowsWritten: 2, bytesWritten: 2456 })).toBe(8);
  });
  test('BulkUpsert: 0.5 RU per started KB of each row', () => {
    expect(bulkRu([10, 1024, 1025, 3000])).toBe(0.5 + 0.5 + 1 + 1.5);
  });
});

describe('statements', () => {
  test('SELECT: result columns typed by the table (nullable → Optional), COUNT as Uint64, Dates and Json as stored', () => {
    const e = engine();
    const [set] = e.execute(DB, 'SELECT unit, period_start, state_json FROM alert_state WHERE region = "26" ORDER BY unit LIMIT 2;', {}, null, true).sets;
    expect(set!.columns).toEqual([{ name: 'unit', type: 'Utf8' }, { name: 'period_start', type: 'Date' }, { name: 'state_json', type: 'Json' }]);
    expect(set!.rows).toEqual([
      { unit: 'm1', period_start: new Date('2026-01-05T00:00:00Z'), state_json: '{"unit":"m1"}' },
      { unit: 'm2', period_start: new Date('2026-01-05T00:00:00Z'), state_json: '{"unit":"m2"}' },
    ]);
    const [count] = e.execute(DB, 'SELECT COUNT(*) AS n FROM alert_state;', {}, null, true).sets;
    expect(count).toEqual({ columns: [{ name: 'n', type: 'Uint64' }], rows: [{ n: 3n }] });
    const [d] = e.execute(DB, 'SELECT DISTINCT period_start, period_end FROM alert_state;', {}, null, true).sets;
    expect(d!.rows).toHaveLength(1);
  });

  test('UPDATE … SET … WHERE, DELETE … WHERE, UPDATE ON and DELETE ON change exactly the rows named', () => {
    const e = engine();
    e.execute(DB, 'DECLARE $u AS Utf8;\nUPDATE alert_state SET status = "closed" WHERE unit = $u;', { $u: p(param(col.utf8, 'm1')) }, null, true);
    e.execute(DB, 'DECLARE $us AS List<Utf8>;\nDELETE FROM alert_state WHERE unit IN $us;', { $us: p(scalarListParam(col.utf8, ['m3'])) }, null, true);
    expect(e.rows(DB, 'alert_state').map((r) => [r.unit, r.status])).toEqual([['m1', 'closed'], ['m2', 'open']]);
    const keys = p(listParam({ region: col.utf8, alert_id: col.utf8, level: col.utf8, unit: col.utf8, status: col.utf8 }, [
      { region: '26', alert_id: 'a', level: 'municipality', unit: 'm2', status: 'moved' },
      { region: '26', alert_id: 'a', level: 'municipality', unit: 'absent', status: 'moved' },
    ]));
    e.execute(DB, 'UPDATE alert_state ON SELECT * FROM AS_TABLE($rows);', { $rows: keys }, null, true);
    expect(e.rows(DB, 'alert_state').map((r) => [r.unit, r.status])).toEqual([['m1', 'closed'], ['m2', 'moved']]);
    e.execute(DB, 'DELETE FROM alert_state ON SELECT region, alert_id, level, unit FROM AS_TABLE($rows);', { $rows: keys }, null, true);
    expect(e.rows(DB, 'alert_state').map((r) => r.unit)).toEqual(['m1']);
  });

  test('a write without a key column, or naming a column the table lacks, is refused and writes nothing', () => {
    const e = engine();
    const noKey = p(listParam({ region: col.utf8, status: col.utf8 }, [{ region: '26', status: 'x' }]));
    expect(refusal(() => e.execute(DB, 'UPSERT INTO alert_state SELECT * FROM AS_TABLE($rows);', { $rows: noKey }, null, true))).toEqual([
      'GENERIC_ERROR', 'Missing key column in input: alert_id for table: /alert_state',
    ]);
    const extra = p(listParam({ region: col.utf8, alert_id: col.utf8, level: col.utf8, unit: col.utf8, colour: col.utf8 }, [{ region: '26', alert_id: 'a', level: 'municipality', unit: 'm1', colour: 'red' }]));
    expect(refusal(() => e.execute(DB, 'UPSERT INTO alert_state SELECT * FROM AS_TABLE($rows);', { $rows: extra }, null, true))?.[1]).toContain('Member not found: colour');
    expect(e.rows(DB, 'alert_state')).toHaveLength(3);
  });

  test('DDL: CREATE TABLE [IF NOT EXISTS], ALTER TABLE of an existing table, DROP TABLE; never mixed with data', () => {
    const e = engine();
    e.execute(DB, 'CREATE TABLE t1 (k Utf8 NOT NULL, v Int64, PRIMARY KEY (k));', {}, null, false);
    e.execute(DB, 'CREATE TABLE IF NOT EXISTS t1 (k Utf8 NOT NULL, PRIMARY KEY (k));', {}, null, false);
    expect(refusal(() => e.execute(DB, 'CREATE TABLE t1 (k Utf8 NOT NULL, PRIMARY KEY (k));', {}, null, false))?.[0]).toBe('SCHEME_ERROR');
    expect(refusal(() => e.execute(DB, 'ALTER TABLE nope SET (AUTO_PARTITIONING_BY_LOAD = ENABLED);', {}, null, false))?.[0]).toBe('SCHEME_ERROR');
    expect(refusal(() => e.execute(DB, 'CREATE TABLE t2 (k Utf8 NOT NULL, PRIMARY KEY (k)); SELECT 1;', {}, null, false))?.[0]).toBe('GENERIC_ERROR');
    e.execute(DB, 'DROP TABLE t1;', {}, null, false);
    expect(refusal(() => e.execute(DB, 'SELECT k FROM t1;', {}, null, true))?.[0]).toBe('SCHEME_ERROR');
  });

  test("a transaction reads its own writes (YDB's immediate effects); they reach the tables at commit, or never", () => {
    const e = engine();
    const tx = e.begin(DB, 'serializableReadWrite');
    e.execute(DB, 'DELETE FROM alert_state WHERE unit = "m1";', {}, tx, false);
    e.execute(DB, 'UPSERT INTO alert_state SELECT * FROM AS_TABLE($rows);', { $rows: alerts(['m4']) }, tx, false);
    const seen = e.execute(DB, 'SELECT unit FROM alert_state ORDER BY unit;', {}, tx, false).sets[0]!.rows.map((r) => r.unit);
    expect(seen).toEqual(['m2', 'm3', 'm4']);
    expect(e.rows(DB, 'alert_state').map((r) => r.unit)).toEqual(['m1', 'm2', 'm3']);
    expect(refusal(() => e.execute(DB, 'INSERT INTO alert_state SELECT * FROM AS_TABLE($rows);', { $rows: alerts(['m4']) }, tx, false))).toEqual(['PRECONDITION_FAILED', 'Conflict with existing key.']);
    e.commit(tx);
    expect(e.rows(DB, 'alert_state').map((r) => r.unit)).toEqual(['m2', 'm3', 'm4']);
    const dropped = e.begin(DB, 'serializableReadWrite');
    e.execute(DB, 'UPSERT INTO alert_state SELECT * FROM AS_TABLE($rows);', { $rows: alerts(['m9']) }, dropped, false);
    e.discard(dropped);
    expect(e.rows(DB, 'alert_state').map((r) => r.unit)).toEqual(['m2', 'm3', 'm4']);
  });

  test('a text sent again is translated once but bound, read and counted anew; a schema change translates it again', () => {
    const e = engine();
    const q = 'DECLARE $units AS List<Utf8>;\nDECLARE $n AS Uint64;\nSELECT unit FROM alert_state WHERE region = "26" AND alert_id = "a" AND level = "municipality" AND unit IN $units ORDER BY unit LIMIT $n;';
    const run = (units: string[], n: number) => e.execute(DB, q, { $units: p(scalarListParam(col.utf8, units)), $n: p(param(col.uint64, n)) }, null, true);
    const first = run(['m1', 'm2', 'm3'], 2);
    expect(first.sets[0]!.rows.map((r) => r.unit)).toEqual(['m1', 'm2']);
    const other = run(['m3'], 5);
    expect(other.sets[0]!.rows.map((r) => r.unit)).toEqual(['m3']);
    // a key prefix and the list: the rows named, read anew with each list
    expect([first.io.rowsRead, other.io.rowsRead]).toEqual([3, 1]);
    expect(run(['m1', 'm2', 'm3'], 2)).toEqual(first);
    // the same text over a table dropped and created again with another column type
    e.execute(DB, 'CREATE TABLE t1 (k Utf8 NOT NULL, v Int64, PRIMARY KEY (k));', {}, null, false);
    e.execute(DB, 'UPSERT INTO t1 (k, v) VALUES ("a", 1);', {}, null, true);
    expect(e.execute(DB, 'SELECT v FROM t1;', {}, null, true).sets[0]).toEqual({ columns: [{ name: 'v', type: 'Optional<Int64>' }], rows: [{ v: 1n }] });
    e.execute(DB, 'DROP TABLE t1;', {}, null, false);
    expect(refusal(() => e.execute(DB, 'SELECT v FROM t1;', {}, null, true))?.[0]).toBe('SCHEME_ERROR');
    e.execute(DB, 'CREATE TABLE t1 (k Utf8 NOT NULL, v Utf8, PRIMARY KEY (k));', {}, null, false);
    e.execute(DB, 'UPSERT INTO t1 (k, v) VALUES ("a", "x");', {}, null, true);
    expect(e.execute(DB, 'SELECT v FROM t1;', {}, null, true).sets[0]).toEqual({ columns: [{ name: 'v', type: 'Optional<Utf8>' }], rows: [{ v: 'x' }] });
  });

  test('databases are apart: each starts migrated and empty', () => {
    const e = engine();
    expect(e.rows('/local/other', 'alert_state')).toEqual([]);
    expect(e.rows(DB, 'alert_state')).toHaveLength(3);
  });
});

describe('what a period window reads (issue 22): the rows of its key ranges, whatever the history', () => {
  const DAY = 86_400_000;
  const week = (n: number) => {
    const start = new Date(Date.UTC(2026, 0, 5) + n * 7 * DAY).toISOString().slice(0, 10);
    return { start, end: new Date(Date.parse(start) + 4 * DAY).toISOString().slice(0, 10) };
  };
  /** `weeks` periods of three units each, for the region read and for another one */
  function history(weeks: number) {
    const e = new YqlEngine(ddl);
    for (const region of ['26', '27']) {
      const periods = Array.from({ length: weeks }, (_, n) => week(n));
      e.execute(DB, 'UPSERT INTO region_period SELECT * FROM AS_TABLE($rows);', {
        $rows: p(listParam(T.regionPeriod.columns, periods.map((w) => ({ region, period_start: w.start, period_end: w.end, changed_at_ms: 1 })))),
      }, null, true);
      const rows = periods.flatMap((w) => ['m1', 'm2', 'm3'].map((id) => aggregateToRow({ ...filledAggregateRow({ period: w, id }), region })));
      e.execute(DB, 'UPSERT INTO aggregate_metrics SELECT * FROM AS_TABLE($rows);', { $rows: p(listParam(T.aggregateMetrics.columns, rows)) }, null, true);
    }
    return { e, last: week(weeks - 1) };
  }
  const region = p(param(col.utf8, '26'));
  const date = (d: string) => p(param(col.date, d));

  /** The window read as the read model sends it: its bounds, then its key ranges. */
  function windowRead(weeks: number) {
    const { e, last } = history(weeks);
    const bounds = e.execute(DB, PERIOD_WINDOW_BOUNDS, { $region: region, $period_start: date(last.start), $periods: p(param(col.uint64, 12)) }, null, true);
    const from = bounds.sets[0]!.rows.map((r) => r.period_start as Date).reduce((a, b) => (a < b ? a : b));
    const window = e.execute(DB, PERIOD_WINDOW, { $region: region, $from: date(from.toISOString().slice(0, 10)), $period_start: date(last.start) }, null, true);
    return { rows: bounds.io.rowsRead + window.io.rowsRead, aggregates: window.sets[0]!.rows.length };
  }

  test('the bounds (a range read backwards, cut at LIMIT) and the key ranges read the window alone: 12 index rows + 12 × 3 aggregate rows', () => {
    expect(windowRead(14)).toEqual({ rows: 12 + 36, aggregates: 36 });
    expect(windowRead(40)).toEqual({ rows: 12 + 36, aggregates: 36 });
  });

  test('the index joined to the aggregates (the PERIOD_WINDOW before) is charged as scans: its cost grows with the history', () => {
    const joined = (weeks: number) => {
      const { e, last } = history(weeks);
      const r = e.execute(DB, JOINED_PERIOD_WINDOW, { $region: region, $period_start: date(last.start), $periods: p(param(col.uint64, 12)) }, null, true);
      return { rows: r.io.rowsRead, aggregates: r.sets[0]!.rows.length };
    };
    const [at14, at40] = [joined(14), joined(40)];
    // the same rows answered, more read
    expect([at14.aggregates, at40.aggregates]).toEqual([36, 36]);
    expect(at40.rows).toBeGreaterThan(at14.rows);
    expect(at14.rows).toBeGreaterThanOrEqual(14 * 3);
  });
});
