// Port: the computed metrics per (region, period, level, unit) (SQLite locally, YDB in
// the cloud). A period's rows are replaced as a whole, so a recomputation leaves exactly
// what one computation leaves, and a reader never sees half of a period.
import type { ScopeLevel } from '../domain/events.ts';
import type { AggregateRow } from '../domain/metrics.ts';
import type { Completeness, MetricId, Period } from '../domain/schemas.ts';

export type TimeseriesPoint = { readonly period: Period; readonly value: number | null; readonly delta: number | null };

/** A period's stored completeness (computed with its aggregates). */
export type PeriodCompleteness = { readonly period: Period; readonly completeness: Completeness };

export interface AggregateStore {
  /**
   * Atomically replaces every row of (region, period) with `rows` (all of that region and
   * period) and, when given, the period's completeness in the same transaction; rows `[]`
   * remove its completeness too. Without `completeness` the stored one stays (a refresh of
   * deltas does not change which exports a period has).
   */
  replacePeriod(region: string, period: Period, rows: readonly AggregateRow[], completeness?: Completeness): Promise<void>;
  /** The stored completeness of every period of a region, ascending by period. */
  completeness(region: string): Promise<PeriodCompleteness[]>;
  /** The rows of one period: the region's first, then municipalities by id; [] when none. */
  readPeriod(region: string, period: Period): Promise<AggregateRow[]>;
  /** One metric of one scope across periods, ascending by period. */
  timeseries(region: string, metric: MetricId, scope: { level: ScopeLevel; id: string }): Promise<TimeseriesPoint[]>;
  /** Periods with stored rows, ascending by start. */
  periods(region: string): Promise<Period[]>;
}
