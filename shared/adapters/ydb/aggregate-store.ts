// Adapter: AggregateStore on YDB. The table (aggregate_metrics, migration 0002) is flat —
// one row per (region, period, level, unit), one column per metric id and per delta — so
// DataLens reads it directly. A period is replaced in ONE transaction (one statement list,
// AGGREGATE_REPLACE_PERIOD) that also indexes the period (region_period), writes its
// completeness (period_completeness, issue 20) and renews the region's read token (read_version), so readers see the old period or the new one, and the
// API's cached responses of the old one are not served again. Re-running it after an
// ambiguous failure leaves the same state (the token is new, which only costs a rebuild).
import type { AggregateRow } from '../../domain/metrics.ts';
import { Completeness, MetricId, type Period } from '../../domain/schemas.ts';
import type { AggregateStore, TimeseriesPoint } from '../../ports/aggregate-store.ts';
import { readRows, type Runner, type YdbClient } from './client.ts';
import {
  AGGREGATE_COLUMNS,
  AGGREGATE_PERIODS,
  AGGREGATE_READ_PERIOD,
  AGGREGATE_REPLACE_PERIOD,
  AGGREGATE_TIMESERIES,
  COMPLETENESS_COLUMNS,
  COMPLETENESS_FOR_REGION,
  COMPLETENESS_KEY,
  COMPLETENESS_READ_COLUMNS,
  PERIOD_COLUMNS,
  REGION_PERIOD_KEY,
} from './queries.ts';
import { byText, col, listParam, param, type Columns } from './codec.ts';
import { METRIC_COLUMNS, T, aggregateToRow, rowPeriod, rowToAggregate, rowToCompleteness, versionRow } from './tables.ts';

/** readPeriod's order: the region's row first, then municipalities by id. */
export const byScopeOrder = (a: AggregateRow, b: AggregateRow): number =>
  a.scope.level === b.scope.level ? byText(a.scope.id, b.scope.id) : a.scope.level === 'region' ? -1 : 1;

/** The aggregate reads over any runner: a store's own statements or a snapshot transaction's. */
export function aggregateReads(run: Runner): Pick<AggregateStore, 'readPeriod' | 'timeseries' | 'periods' | 'completeness'> {
  return {
    async completeness(region) {
      const rows = await readRows(run, COMPLETENESS_FOR_REGION, { $region: param(col.utf8, region) }, COMPLETENESS_READ_COLUMNS, 'reading period completeness');
      return rows.map(rowToCompleteness);
    },

    async readPeriod(region, period) {
      const rows = await readRows(
        run,
        AGGREGATE_READ_PERIOD,
        { $region: param(col.utf8, region), $period_start: param(col.date, period.start), $period_end: param(col.date, period.end) },
        AGGREGATE_COLUMNS,
        'reading aggregates',
      );
      return rows.map(rowToAggregate).sort(byScopeOrder);
    },

    async timeseries(region, metric, scope) {
      // the statement is chosen from the MetricId enum, never built from the caller's text
      const m = MetricId.parse(metric);
      const t = METRIC_COLUMNS[m];
      const columns: Columns = { period_start: col.date, period_end: col.date, value: t, delta: t };
      const rows = await readRows(
        run,
        AGGREGATE_TIMESERIES[m],
        { $region: param(col.utf8, region), $level: param(col.utf8, scope.level), $unit: param(col.utf8, scope.id) },
        columns,
        `reading the ${m} series`,
      );
      return rows.map((r): TimeseriesPoint => ({
        period: { start: r.period_start as string, end: r.period_end as string },
        value: r.value as number | null,
        delta: r.delta as number | null,
      }));
    },

    async periods(region) {
      return (await readRows(run, AGGREGATE_PERIODS, { $region: param(col.utf8, region) }, PERIOD_COLUMNS, 'listing aggregate periods')).map(rowPeriod);
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
    const now = Date.now();
    const key = { region, period_start: period.start, period_end: period.end };
    // without `completeness` the stored one stays (a refresh of deltas); no rows: it goes
    const c = rows.length && completeness ? Completeness.parse(completeness) : null;
    const completenessRow = c && {
      ...key,
      state: c.state,
      schools_reported: c.schools.reported,
      mouo_reported: c.municipalities.reported,
      expected: c.schools.expected,
      completeness_json: c,
    };
    await this.#db.run(
      AGGREGATE_REPLACE_PERIOD,
      {
        $region: param(col.utf8, region),
        $period_start: param(col.date, period.start),
        $period_end: param(col.date, period.end),
        $rows: listParam(AGGREGATE_COLUMNS, rows.map(aggregateToRow)),
        $period: listParam(T.regionPeriod.columns, rows.length ? [{ region, period_start: period.start, period_end: period.end, changed_at_ms: now }] : []),
        $period_gone: listParam(REGION_PERIOD_KEY, rows.length ? [] : [key]),
        $completeness: listParam(COMPLETENESS_COLUMNS, completenessRow ? [completenessRow] : []),
        $completeness_gone: listParam(COMPLETENESS_KEY, rows.length ? [] : [key]),
        $read_token: listParam(T.readVersion.columns, [versionRow(region, now)]),
      },
      { what: `replacing aggregates of ${region} ${period.start}..${period.end}`, idempotent: true },
    );
  }
}
