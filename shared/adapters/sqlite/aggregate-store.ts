// Adapter: AggregateStore on SQLite. The table is flat (one row per region, period, level
// and unit; one column per metric id and one `<metric>_delta` column per metric) so
// DataLens-style tools and plain SQL read it without unpacking JSON. A period is replaced
// in one BEGIN IMMEDIATE transaction: delete its rows, insert the new ones. Each call's
// SQLite failures are translated into the pipeline's errors (`sqlite` in database.ts).
import { type ScopeLevel } from '../../domain/events.ts';
import { aggregateNotes, COUNT_METRICS, DataQualityWarning, parseAggregateNotes, type AggregateRow } from '../../domain/metrics.ts';
import { Completeness, MetricId, type Period, periodLabel } from '../../domain/schemas.ts';
import type { AggregateStore, PeriodCompleteness, TimeseriesPoint } from '../../ports/aggregate-store.ts';
import { z } from 'zod';
import { immediate, sqlite, type Db } from './database.ts';

const METRICS = MetricId.options;
const isCount = (m: MetricId) => (COUNT_METRICS as readonly string[]).includes(m);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS aggregate_metrics (
  region        TEXT NOT NULL,
  period_start  TEXT NOT NULL,
  period_end    TEXT NOT NULL,
  period_label  TEXT NOT NULL,
  level         TEXT NOT NULL CHECK (level IN ('region', 'municipality')),
  unit          TEXT NOT NULL,
  unit_name     TEXT NOT NULL,
  has_export    INTEGER NOT NULL,
${METRICS.map((m) => `  ${m} ${isCount(m) ? 'INTEGER' : 'REAL'},\n  ${m}_delta ${isCount(m) ? 'INTEGER' : 'REAL'},`).join('\n')}
  missing_json  TEXT NOT NULL,
  warnings_json TEXT NOT NULL,
  PRIMARY KEY (region, period_start, period_end, level, unit)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aggregate_metrics_by_scope ON aggregate_metrics (region, level, unit, period_start);
-- which municipalities of the reference a period has exports from, written with its rows;
-- state and counts flat for plain SQL, the lists of missing ids in the JSON
CREATE TABLE IF NOT EXISTS period_completeness (
  region            TEXT NOT NULL,
  period_start      TEXT NOT NULL,
  period_end        TEXT NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('complete', 'provisional', 'incomplete')),
  schools_reported  INTEGER NOT NULL,
  mouo_reported     INTEGER NOT NULL,
  expected          INTEGER NOT NULL,
  completeness_json TEXT NOT NULL,
  PRIMARY KEY (region, period_start, period_end)
) WITHOUT ROWID;
`;

type DbRow = Record<string, string | number | null> & {
  region: string;
  period_start: string;
  period_end: string;
  level: ScopeLevel;
  unit: string;
  unit_name: string;
  has_export: number;
  missing_json: string;
  warnings_json: string;
};

const Warnings = z.array(DataQualityWarning);

export class SqliteAggregateStore implements AggregateStore {
  readonly #db: Db;
  readonly #delete;
  readonly #insert;
  readonly #read;
  readonly #periods;
  readonly #deleteCompleteness;
  readonly #upsertCompleteness;
  readonly #completeness;

  constructor(db: Db) {
    db.exec(SCHEMA);
    this.#db = db;
    this.#delete = db.prepare(`DELETE FROM aggregate_metrics WHERE region = ? AND period_start = ? AND period_end = ?`);
    const cols = [
      'region', 'period_start', 'period_end', 'period_label', 'level', 'unit', 'unit_name', 'has_export',
      ...METRICS.flatMap((m) => [m, `${m}_delta`]),
      'missing_json', 'warnings_json',
    ];
    // Positional parameters in `cols` order: binding an array is cheaper than ~50 named ones per row.
    this.#insert = db.prepare(`INSERT INTO aggregate_metrics (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    this.#read = db.prepare<[string, string, string], DbRow>(
      `SELECT * FROM aggregate_metrics WHERE region = ? AND period_start = ? AND period_end = ?
       ORDER BY CASE level WHEN 'region' THEN 0 ELSE 1 END, unit`,
    );
    this.#periods = db.prepare<[string], { period_start: string; period_end: string }>(
      `SELECT DISTINCT period_start, period_end FROM aggregate_metrics WHERE region = ? ORDER BY period_start, period_end`,
    );
    this.#deleteCompleteness = db.prepare(`DELETE FROM period_completeness WHERE region = ? AND period_start = ? AND period_end = ?`);
    this.#upsertCompleteness = db.prepare(
      `INSERT OR REPLACE INTO period_completeness (region, period_start, period_end, state, schools_reported, mouo_reported, expected, completeness_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#completeness = db.prepare<[string], { period_start: string; period_end: string; completeness_json: string }>(
      `SELECT period_start, period_end, completeness_json FROM period_completeness WHERE region = ? ORDER BY period_start, period_end`,
    );
  }

  async replacePeriod(region: string, period: Period, rows: readonly AggregateRow[], completeness?: Completeness): Promise<void> {
    for (const r of rows) {
      if (r.region !== region || r.period.start !== period.start || r.period.end !== period.end) {
        throw new RangeError(`row of ${r.region} ${r.period.start}..${r.period.end} passed for ${region} ${period.start}..${period.end}`);
      }
    }
    // the caller's completeness is checked before the transaction: a bad value is not a store fault
    const c = rows.length > 0 && completeness ? Completeness.parse(completeness) : null;
    sqlite('aggregate store replacePeriod', () =>
      immediate(this.#db, () => {
        this.#delete.run(region, period.start, period.end);
        const label = periodLabel(period);
        const values: (string | number | null)[] = [];
        for (const r of rows) {
          values.length = 0;
          values.push(region, period.start, period.end, label, r.scope.level, r.scope.id, r.scope.name, r.has_export ? 1 : 0);
          for (const m of METRICS) values.push(r.values[m], r.deltas[m]);
          values.push(JSON.stringify(aggregateNotes(r)), JSON.stringify(r.warnings));
          this.#insert.run(values);
        }
        if (rows.length === 0) this.#deleteCompleteness.run(region, period.start, period.end);
        else if (c) this.#upsertCompleteness.run(region, period.start, period.end, c.state, c.schools.reported, c.municipalities.reported, c.schools.expected, JSON.stringify(c));
      }),
    );
  }

  async completeness(region: string): Promise<PeriodCompleteness[]> {
    return sqlite('aggregate store completeness', () =>
      this.#completeness.all(region).map((r) => ({
        period: { start: r.period_start, end: r.period_end },
        completeness: Completeness.parse(JSON.parse(r.completeness_json)),
      })),
    );
  }

  async readPeriod(region: string, period: Period): Promise<AggregateRow[]> {
    return sqlite('aggregate store readPeriod', () => this.#read.all(region, period.start, period.end).map(toRow));
  }

  async timeseries(region: string, metric: MetricId, scope: { level: ScopeLevel; id: string }): Promise<TimeseriesPoint[]> {
    // the column name comes from the MetricId enum, never from the caller's text
    const m = MetricId.parse(metric);
    return sqlite('aggregate store timeseries', () =>
      this.#db
        .prepare<[string, string, string], { period_start: string; period_end: string; value: number | null; delta: number | null }>(
          `SELECT period_start, period_end, ${m} AS value, ${m}_delta AS delta FROM aggregate_metrics
           WHERE region = ? AND level = ? AND unit = ? ORDER BY period_start, period_end`,
        )
        .all(region, scope.level, scope.id)
        .map((r) => ({ period: { start: r.period_start, end: r.period_end }, value: r.value, delta: r.delta })),
    );
  }

  async periods(region: string): Promise<Period[]> {
    return sqlite('aggregate store periods', () => this.#periods.all(region).map((r) => ({ start: r.period_start, end: r.period_end })));
  }
}

function toRow(r: DbRow): AggregateRow {
  const values = {} as AggregateRow['values'];
  const deltas = {} as AggregateRow['deltas'];
  for (const m of METRICS) {
    values[m] = r[m] as number | null;
    deltas[m] = r[`${m}_delta`] as number | null;
  }
  return {
    region: r.region,
    period: { start: r.period_start, end: r.period_end },
    scope: { level: r.level, id: r.unit, name: r.unit_name },
    has_export: r.has_export === 1,
    values,
    deltas,
    ...parseAggregateNotes(JSON.parse(r.missing_json)),
    warnings: Warnings.parse(JSON.parse(r.warnings_json)),
  };
}
