// Port: the computed metrics per (region, period, level, unit) (SQLite locally, YDB in
// the cloud). A period's rows are replaced as a whole, so a recomputation leaves exactly
// what one computation leaves, and a reader never sees half of a period.
import type { ScopeLevel } from '../domain/events.ts';
import type { AggregateRow } from '../domain/metrics.ts';
import type { MetricId, Period } from '../domain/schemas.ts';

export type TimeseriesPoint = { readonly period: Period; readonly value: number | null; readonly delta: number | null };

export interface AggregateStore {
  /** Atomically replaces every row of (region, period) with `rows` (all of that region and period). */
  replacePeriod(region: string, period: Period, rows: readonly AggregateRow[]): Promise<void>;
  /** The rows of one period: the region's first, then municipalities by id; [] when none. */
  readPeriod(region: string, period: Period): Promise<AggregateRow[]>;
  /** One metric of one scope across periods, ascending by period. */
  timeseries(region: string, metric: MetricId, scope: { level: ScopeLevel; id: string }): Promise<TimeseriesPoint[]>;
  /** Periods with stored rows, ascending by start. */
  periods(region: string): Promise<Period[]>;
}
