// The ministry's documents as one use case, shared by the API's report routes and the
// CLI's `report`: which weeks a range holds, the inactive-schools list of its last week,
// and (with the renderers) the table, the workbook and the deck. It reads only through a
// ReadView, so the API runs it inside one snapshot and the CLI over the same SQLite read
// model; both validate their parameters with the same schema (params.ts).
import type { z } from 'zod';
import { TREND_WINDOW } from '../domain/evaluate.ts';
import { inactiveSchools, type InactiveSchoolsList } from '../domain/inactive-schools.ts';
import type { AggregateRow } from '../domain/metrics.ts';
import type { MunicipalityReference } from '../domain/normalise/municipality.ts';
import { reportDocument, type ReportDocument } from '../domain/report.ts';
import { parsePeriodKey, type Period } from '../domain/schemas.ts';
import type { TargetsConfig } from '../domain/targets.ts';
import type { PeriodCompleteness } from '../ports/aggregate-store.ts';
import type { ReadView } from '../ports/read-model.ts';
import { parseParams, type ParamError } from './params.ts';
import { completenessLookup, historyPeriods, latestComplete, type CompletenessOf } from './views.ts';

/** What the API knows of a region without reading the store: its name and municipalities. */
export type ApiRegion = { readonly code: string; readonly name: string; readonly municipalities: readonly { readonly id: string; readonly name: string }[] };

/** The API's regions from the reference lists, by region code. */
export function apiRegions(references: ReadonlyMap<string, MunicipalityReference>): Map<string, ApiRegion> {
  return new Map([...references].map(([code, r]) => [code, { code, name: r.region.name, municipalities: r.municipalities }]));
}

/** A range of weeks by their start dates, both inclusive; absent ends are open. */
export type WeekRange = { readonly from?: string | undefined; readonly to?: string | undefined };

/** A report request that cannot be served: a malformed parameter (400) or an unknown region (404). */
export type RequestProblem = ParamError & { readonly status: 400 | 404; readonly code: 'invalid_parameter' | 'region_not_found' };

/**
 * The parameters of a report route (or the CLI's flags of the same names), validated with
 * the route's schema, and the region looked up: one set of rules for both.
 */
export function resolveRequest<S extends z.ZodType<{ region: string }>>(
  schema: S,
  path: Readonly<Record<string, string>>,
  query: Readonly<Record<string, string>>,
  regions: ReadonlyMap<string, ApiRegion>,
): { readonly ok: true; readonly value: z.infer<S>; readonly region: ApiRegion } | { readonly ok: false; readonly error: RequestProblem } {
  const p = parseParams(schema, path, query);
  if (!p.ok) return { ok: false, error: { ...p.error, status: 400, code: 'invalid_parameter' } };
  const region = regions.get(p.value.region);
  if (!region) return { ok: false, error: { status: 404, code: 'region_not_found', parameter: 'region', message: `region: no region ${p.value.region} is configured (configured: ${[...regions.keys()].join(', ') || 'none'})` } };
  return { ok: true, value: p.value, region };
}

/**
 * The weeks with aggregates whose start lies in the range, ascending. Without `to` the
 * range ends at the latest complete week (complete, or closed as incomplete after its
 * deadline): a provisional newer week is in a document only when asked for by `to`.
 */
export async function weeksInRange(view: ReadView, region: string, range: WeekRange, completeness?: CompletenessOf): Promise<Period[]> {
  // both ends given (the dashboard's action list): a read of that range alone
  const periods = await view.periods(region, range.from !== undefined && range.to !== undefined ? { from: range.from, to: range.to } : undefined);
  const from = range.from ?? '0000-01-01';
  let to = range.to ?? '9999-12-31';
  if (range.to === undefined) {
    const lookup = completeness ?? completenessLookup(await view.completeness(region), []);
    const latest = latestComplete(periods, lookup);
    if (latest !== null) to = parsePeriodKey(latest)!.start;
  }
  return periods.filter((p) => p.start >= from && p.start <= to);
}

/** The action list of one week, municipalities named from the region's reference. */
export async function readInactiveSchools(view: ReadView, region: ApiRegion, period: Period): Promise<InactiveSchoolsList> {
  const names = new Map(region.municipalities.map((m) => [m.id, m.name]));
  return inactiveSchools({ period, schools: await view.schools(region.code, period), municipalityName: (id) => names.get(id) });
}

/** `sferum-pulse-<region>-<first start>_<last end>`, or the range asked for when it holds no week. */
export function documentName(region: string, weeks: readonly Period[], range: WeekRange, what = ''): string {
  const span = weeks.length ? `${weeks[0]!.start}_${weeks.at(-1)!.end}` : `${range.from ?? 'start'}_${range.to ?? 'end'}`;
  return `sferum-pulse-${region}${what ? `-${what}` : ''}-${span}`;
}

/**
 * The documents' content for a range of weeks: every week's regional row, and (for the
 * workbook and the deck) the last week's rows, the earlier weeks its trends use (as the
 * aggregate stage evaluates them) and its schools.
 */
export async function readReportDocument(
  view: ReadView,
  region: ApiRegion,
  range: WeekRange,
  targets: TargetsConfig,
  generatedAt: Date,
  /** the regional table alone (CSV, the terminal): the last week's rows, trends and schools are not read */
  parts: 'all' | 'regional' = 'all',
): Promise<ReportData> {
  const stored = await view.completeness(region.code);
  const completeness = completenessLookup(stored, region.municipalities);
  const weeks = await weeksInRange(view, region.code, range, completeness);
  const byWeek = new Map<string, AggregateRow[]>();
  const rowsOf = async (p: Period) => {
    const key = `${p.start}..${p.end}`;
    let rows = byWeek.get(key);
    if (!rows) byWeek.set(key, (rows = await view.readPeriod(region.code, p)));
    return rows;
  };
  const regionRows: AggregateRow[] = [];
  for (const w of weeks) regionRows.push(...(await rowsOf(w)).filter((r) => r.scope.level === 'region'));
  const lastWeek = weeks.at(-1);
  let last = null;
  if (lastWeek && parts === 'all') {
    const history = [];
    for (const p of historyPeriods(await view.periods(region.code), lastWeek, completeness).slice(-(TREND_WINDOW - 1))) history.push({ period: p, rows: await rowsOf(p) });
    last = { period: lastWeek, rows: await rowsOf(lastWeek), history, schools: await view.schools(region.code, lastWeek) };
  }
  // each week's completeness marks its rows, notes and the МОУО sheet's title
  const doc = reportDocument({ region, regionRows, last, targets, generatedAt, completeness });
  return {
    ...doc,
    completeness: doc.weeks.map((p) => ({ period: p, completeness: completeness(p) })),
    latestComplete: latestComplete(await view.periods(region.code), completeness),
  };
}

/**
 * A document's content with what its weeks' figures stand on: each week's completeness (a
 * provisional or incomplete week is marked wherever it appears) and the latest complete week.
 */
export type ReportData = ReportDocument & {
  readonly completeness: readonly PeriodCompleteness[];
  /** the key of the newest week that is not provisional, as PeriodsBody.latest_complete */
  readonly latestComplete: string | null;
};
