// Adapter: AggregateStore on YDB. The table (aggregate_metrics, migration 0002) is flat —
// one row per (region, period, level, unit), one column per metric id and per delta — so
// DataLens reads it directly. The table has the secondary index by_scope, and YDB refuses
// a transaction that modifies such a table twice, so a period is replaced by ONE write:
// its rows are upserted in the statement that also reads the keys the period held, and
// committed with it — readers see each unit's old row or its new one, never a mix. Units
// the period no longer has (a municipality gone from the reference data: rare) are then
// deleted by key in a second transaction; until it commits a reader can still see such a
// unit's old row beside the new ones. Re-running either after an ambiguous failure leaves
// the same state.
import type { AggregateRow } from '../../domain/metrics.ts';
import { Completeness, MetricId, type Period } from '../../domain/schemas.ts';
import type { AggregateStore, PeriodCompleteness, TimeseriesPoint } from '../../ports/aggregate-store.ts';
import { paginate, type Runner, type YdbClient } from './client.ts';
import {
  AGGREGATE_COLUMNS,
  AGGREGATE_DELETE_KEYS,
  AGGREGATE_KEY_COLUMNS,
  AGGREGATE_PERIODS,
  AGGREGATE_READ_PERIOD,
  AGGREGATE_TIMESERIES,
  AGGREGATE_UNIT_COLUMNS,
  AGGREGATE_WRITE_PERIOD,
  COMPLETENESS_COLUMNS,
  COMPLETENESS_DELETE,
  COMPLETENESS_FOR_REGION,
  COMPLETENESS_READ_COLUMNS,
  COMPLETENESS_SAVE,
} from './queries.ts';
import { col, decodeRows, listParam, param, type Columns } from './codec.ts';
import { METRIC_COLUMNS, aggregateToRow, rowToAggregate } from './tables.ts';

const PERIOD_COLUMNS = { period_start: col.date, period_end: col.date };
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The aggregate reads over any runner: a store's own statements or a snapshot transaction's. */
export function aggregateReads(run: Runner): Pick<AggregateStore, 'readPeriod' | 'timeseries' | 'periods' | 'completeness'> {
  return {
    async completeness(region) {
      const rows = await paginate(run, COMPLETENESS_FOR_REGION, { $region: param(col.utf8, region) }, COMPLETENESS_READ_COLUMNS, PERIOD_COLUMNS, 'reading period completeness');
      return rows.map((r): PeriodCompleteness => ({ period: { start: r.period_start, end: r.period_end }, completeness: Completeness.parse(r.completeness_json) }));
    },

    async readPeriod(region, period) {
      const rows = await paginate(
        run,
        AGGREGATE_READ_PERIOD,
        { $region: param(col.utf8, region), $period_start: param(col.date, period.start), $period_end: param(col.date, period.end) },
        AGGREGATE_COLUMNS,
        AGGREGATE_COLUMNS,
        'reading aggregates',
      );
      return rows
        .map(rowToAggregate)
        .sort((a, b) => (a.scope.level === b.scope.level ? byText(a.scope.id, b.scope.id) : a.scope.level === 'region' ? -1 : 1));
    },

    async timeseries(region, metric, scope) {
      // the statement is chosen from the MetricId enum, never built from the caller's text
      const m = MetricId.parse(metric);
      const t = METRIC_COLUMNS[m];
      const columns: Columns = { period_start: col.date, period_end: col.date, value: t, delta: t };
      const rows = await paginate(
        run,
        AGGREGATE_TIMESERIES[m],
        { $region: param(col.utf8, region), $level: param(col.utf8, scope.level), $unit: param(col.utf8, scope.id) },
        columns,
        PERIOD_COLUMNS,
        `reading the ${m} series`,
      );
      return rows.map((r): TimeseriesPoint => ({
        period: { start: r.period_start as string, end: r.period_end as string },
        value: r.value as number | null,
        delta: r.delta as number | null,
      }));
    },

    async periods(region) {
      const rows = await paginate(run, AGGREGATE_PERIODS, { $region: param(col.utf8, region) }, PERIOD_COLUMNS, PERIOD_COLUMNS, 'listing aggregate periods');
      return rows.map((r): Period => ({ start: r.period_start, end: r.period_end }));
    },
  };
}

export class YdbAggregateStore implements AggregateStore {
  readonly #db: YdbClient;
  readonly readPeriod: AggregateStore['readPeriod'];
  readonly timeseries: AggregateStore['timeseries'];
  readonly periods: AggregateStore['periods'];
  readonly completeness: AggregateStore['completeness'];

  constructor(db: YdbClient) {
    this.#db = db;
    const reads = aggregateReads(db.reader);
    this.readPeriod = reads.readPeriod;
    this.timeseries = reads.timeseries;
    this.periods = reads.periods;
    this.completeness = reads.completeness;
  }

  async replacePeriod(region: string, period: Period, rows: readonly AggregateRow[], completeness?: Completeness): Promise<void> {
    for (const r of rows) {
      if (r.region !== region || r.period.start !== period.start || r.period.end !== period.end) {
        throw new RangeError(`row of ${r.region} ${r.period.start}..${r.period.end} passed for ${region} ${period.start}..${period.end}`);
      }
    }
    const what = `replacing aggregates of ${region} ${period.start}..${period.end}`;
    const [held] = await this.#db.run(
      AGGREGATE_WRITE_PERIOD,
      {
        $region: param(col.utf8, region),
        $period_start: param(col.date, period.start),
        $period_end: param(col.date, period.end),
        $rows: listParam(AGGREGATE_COLUMNS, rows.map(aggregateToRow)),
      },
      { what, idempotent: true },
    );
    const kept = new Set(rows.map((r) => `${r.scope.level}|${r.scope.id}`));
    const stale = (held ? decodeRows(held, AGGREGATE_UNIT_COLUMNS) : [])
      .filter((k) => !kept.has(`${k.level}|${k.unit}`))
      .map((k) => ({ region, period_start: period.start, period_end: period.end, level: k.level, unit: k.unit }));
    if (stale.length > 0) {
      await this.#db.run(AGGREGATE_DELETE_KEYS, { $keys: listParam(AGGREGATE_KEY_COLUMNS, stale) }, { what: `${what}: dropping units it no longer has`, idempotent: true });
    }
    // The completeness goes in its own statement after the rows (the aggregate table's
    // index allows one modification per transaction); a retry rewrites both.
    const key = { $region: param(col.utf8, region), $period_start: param(col.date, period.start), $period_end: param(col.date, period.end) };
    if (rows.length === 0) await this.#db.run(COMPLETENESS_DELETE, key, { what: `${what}: dropping its completeness`, idempotent: true });
    else if (completeness) {
      const c = Completeness.parse(completeness);
      const row = {
        region,
        period_start: period.start,
        period_end: period.end,
        state: c.state,
        schools_reported: c.schools.reported,
        mouo_reported: c.municipalities.reported,
        expected: c.schools.expected,
        completeness_json: c,
      };
      await this.#db.run(COMPLETENESS_SAVE, { $rows: listParam(COMPLETENESS_COLUMNS, [row]) }, { what: `${what}: its completeness`, idempotent: true });
    }
  }
}
