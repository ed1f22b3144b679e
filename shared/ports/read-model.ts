// Port: the read side of the API. Every read of one request runs inside `snapshot`, which
// pins one consistent state of the store (one read transaction: SQLite's WAL snapshot, a
// YDB snapshot read-only transaction), so a recompute or a pointer flip that commits in
// the middle of a request cannot mix old and new rows in one response
// (test/contract/read-model.contract.ts). Lists are returned whole or paged by the caller;
// an adapter never returns a truncated list as complete (YDB's 1000-row result limit:
// test/int/functions/api/pagination.test.ts).
import { comparePeriods, type AlertState } from '../domain/alerts.ts';
import type { ScopeLevel } from '../domain/events.ts';
import type { AggregateRow } from '../domain/metrics.ts';
import type { MetricId, Period, SchoolRow, UploadReport } from '../domain/schemas.ts';
import type { PeriodCompleteness, TimeseriesPoint } from './aggregate-store.ts';
import type { SchoolSource, UnitInForce } from './snapshot-store.ts';

/** Period starts from `from` to `to`, both included (ISO dates): what a ranged list is narrowed to. */
export type StartRange = { readonly from: string; readonly to: string };

/** Whether a period starts within `starts` (always, without a range). */
export const startsWithin = (p: Period, starts?: StartRange): boolean => !starts || (p.start >= starts.from && p.start <= starts.to);

/** A completed upload report with its ledger sequence (the stable order of the upload list). */
export type LedgerReport = { readonly sequence: number; readonly report: UploadReport };

export type PeriodWindow = {
  readonly rows: AggregateRow[];
  readonly history: { readonly period: Period; readonly rows: AggregateRow[] }[];
  /** the stored completeness of the window's periods (the period's and its history's), ascending */
  readonly completeness: PeriodCompleteness[];
};

/** periodWindow from periods() and readPeriod(), for a store with cheap lists (SQLite). */
export async function windowFromPeriods(
  view: Pick<ReadView, 'periods' | 'readPeriod' | 'completeness'>,
  region: string,
  period: Period,
  earlier: number,
): Promise<PeriodWindow> {
  const rows = await view.readPeriod(region, period);
  if (rows.length === 0) return { rows, history: [], completeness: [] };
  const before = earlier <= 0 ? [] : (await view.periods(region)).filter((p) => comparePeriods(p, period) < 0).slice(-earlier);
  const history = [];
  for (const p of before) history.push({ period: p, rows: await view.readPeriod(region, p) });
  const from = before[0] ?? period;
  const completeness = (await view.completeness(region)).filter((c) => comparePeriods(c.period, from) >= 0 && comparePeriods(c.period, period) <= 0);
  return { rows, history, completeness };
}

export interface ReadView {
  /**
   * A token of the committed state this view reads, or of an earlier one, never a later
   * one (YDB reads it first, apart), for what a response about `region` shows (null: about
   * no one region, e.g. the upload list): equal tokens mean equal contents, and a response
   * built under a token is never older than it, so it may be served again. Null when the adapter
   * cannot tell cheaply (then nothing is reused). SQLite names the whole file's state; YDB
   * the region's row of read_version, renewed by every writer of what the API shows.
   */
  version(region: string | null): Promise<string | null>;
  /** Periods with stored aggregates, ascending by start; with `starts`, those starting within it (a read of that range alone). */
  periods(region: string, starts?: StartRange): Promise<Period[]>;
  /** The stored completeness of each period of a region, ascending (one cheap read for every period object of a response); with `starts`, of those starting within it. */
  completeness(region: string, starts?: StartRange): Promise<PeriodCompleteness[]>;
  /** The rows of one period: the region's first, then municipalities by id; [] when none. */
  readPeriod(region: string, period: Period): Promise<AggregateRow[]>;
  /**
   * The rows of `period` and of at most `earlier` periods before it (ascending), each with
   * its rows as readPeriod orders them: what the period's target evaluations need, read
   * without listing the region's periods (a YDB read whose cost is that of the window),
   * with the stored completeness of those periods. `rows` is [] when the period has none
   * (and then nothing else is returned).
   */
  periodWindow(region: string, period: Period, earlier: number): Promise<PeriodWindow>;
  /** One metric of one scope across periods, ascending by period. */
  timeseries(region: string, metric: MetricId, scope: { level: ScopeLevel; id: string }): Promise<TimeseriesPoint[]>;
  /** The current school rows of one period (through the snapshot pointers), by municipality id then school key. */
  schools(region: string, period: Period): Promise<SchoolRow[]>;
  /** Which upload each (kind, municipality) of a period is read from (the snapshot pointers). */
  inForce(region: string, period: Period): Promise<UnitInForce[]>;
  /** One municipality's current school rows, each with its upload, row number and sheet. */
  schoolSources(region: string, period: Period, municipalityId: string): Promise<SchoolSource[]>;
  /** Every stored alert state of a region. */
  alerts(region: string): Promise<AlertState[]>;
  report(uploadId: string): Promise<UploadReport | null>;
  /** Completed reports with a sequence below `before` (all when absent), newest first, at most `limit`. */
  reports(opts: { readonly limit: number; readonly before?: number }): Promise<LedgerReport[]>;
}

export interface ReadModel {
  /** Runs `fn` against one consistent state; the view must not be used after `fn` settles. */
  snapshot<T>(fn: (view: ReadView) => Promise<T>): Promise<T>;
}
