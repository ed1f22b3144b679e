// Pure: the contract's metrics for one (region, period), for the region and for each
// municipality, computed from the current snapshot rows. Counts are exact sums, shares are
// kept unrounded (the report rounds). No I/O: the use case reads the rows and passes them in.
//
// Null rules (export contract, "Metrics"): a count column that no row of the scope carries
// is `null`, never 0; when some rows carry it, the nulls count as missing, the sum is over
// the rest and the gap is reported (`missing` and a `warn.missing_counts` warning). A share
// is the count's sum over the total's sum of ALL schools of the scope: a school with a
// missing count adds nothing to the numerator and stays in the denominator. Dropping it
// from the denominator (as an earlier version did) inflated a share many times over when
// few schools reported. How much of the denominator reported is the share's
// `data_coverage`, so a low share from thin data is visible instead of hidden.
import { z } from 'zod';
import { IssueCode } from './errors.ts';
import { Scope, ScopeLevel } from './events.ts';
import { metricsWhere } from './metric-catalog.ts';
import { countsAboveTotal } from './plausibility.ts';
import { MetricId, type MunicipalityRow, Period, RegionCode, SCHOOL_COUNT_FIELDS, type SchoolCountField, type SchoolRow } from './schemas.ts';

/** One value per metric id; `null` is "no data", never 0. */
export const MetricValues = z.record(MetricId, z.number().nullable());
export type MetricValues = z.infer<typeof MetricValues>;

/** Codes of the data-quality findings of the aggregate stage (warnings, nothing rejected). */
export const MetricWarningCode = z.enum([
  IssueCode.TeachersInSferumAboveTotal,
  IssueCode.CountAboveTotal,
  IssueCode.InnOutsideRegion,
  IssueCode.MissingCounts,
  // a municipality with no school rows in a period in which others have rows
  'warn.export_missing',
]);
export type MetricWarningCode = z.infer<typeof MetricWarningCode>;

export const DataQualityWarning = z.object({
  code: MetricWarningCode,
  /** `school` findings name the school by key and INN (organisation data, never a person) */
  level: z.enum(['school', 'scope']),
  municipality_id: z.string().nullable(),
  school_key: z.string().nullable(),
  field: z.string().nullable(),
  message: z.string(),
});
export type DataQualityWarning = z.infer<typeof DataQualityWarning>;

/** Per count field, the rows that lack the value while other rows carry it. */
export const MissingCounts = z.record(z.string(), z.number().int().nonnegative());
export type MissingCounts = z.infer<typeof MissingCounts>;

/**
 * Per share metric, the fraction (0..1) of the share's denominator that comes from schools
 * which reported the share's count; null where the share itself is null. 1 means complete.
 */
export const DataCoverage = z.partialRecord(MetricId, z.number().min(0).max(1).nullable());
export type DataCoverage = z.infer<typeof DataCoverage>;

export const ScopeMetrics = z.object({
  scope: Scope,
  /** false when the scope has no school rows in the period (its export is missing) */
  has_export: z.boolean(),
  values: MetricValues,
  missing: MissingCounts,
  data_coverage: DataCoverage,
  warnings: z.array(DataQualityWarning),
});
export type ScopeMetrics = z.infer<typeof ScopeMetrics>;

export const PeriodMetrics = z.object({
  region: RegionCode,
  period: Period,
  region_scope: ScopeMetrics,
  /** every municipality of the reference (and any other id the rows carry), by id */
  municipalities: z.array(ScopeMetrics),
});
export type PeriodMetrics = z.infer<typeof PeriodMetrics>;

/** Metrics that exist only for the region (they come from the municipalities table). */
export const REGION_ONLY_METRICS: ReadonlySet<MetricId> = new Set(metricsWhere((m) => m.scope === 'region'));

/** Shares whose value may exceed 1 by the data itself (the seed has 18 013 of 17 218). */
export const UNBOUNDED_SHARES: ReadonlySet<MetricId> = new Set(['teachers_in_sferum_share']);

export const SHARE_METRICS = metricsWhere((m) => m.kind === 'share');
export const COUNT_METRICS = metricsWhere((m) => m.kind === 'count');

export function metricAppliesTo(metric: MetricId, level: ScopeLevel): boolean {
  return level === 'region' || !REGION_ONLY_METRICS.has(metric);
}

export type MetricsInput = {
  readonly region: string;
  readonly regionName: string;
  readonly period: Period;
  readonly schools: readonly SchoolRow[];
  readonly municipalities: readonly MunicipalityRow[];
  /** the region's reference list: every municipality gets a scope, with or without rows */
  readonly reference: readonly { readonly id: string; readonly name: string }[];
};

function emptyValues(): MetricValues {
  return Object.fromEntries(MetricId.options.map((m) => [m, null])) as MetricValues;
}

/** The shares computed from a count over a total, with the fields of each. */
const COUNT_SHARES: readonly (readonly [MetricId, SchoolCountField, SchoolCountField])[] = [
  ['teachers_in_sferum_share', 'teachers_in_sferum', 'teachers_total'],
  ['students_in_sferum_share', 'students_in_sferum', 'students_total'],
  ['teachers_chat_creators_share', 'teachers_chat_creators', 'teachers_total'],
  ['teachers_msg3_share', 'teachers_msg3', 'teachers_total'],
  ['teachers_msg10_share', 'teachers_msg10', 'teachers_total'],
  ['teachers_calls_share', 'teachers_calls', 'teachers_total'],
];

/** One null entry per share metric that applies to the level (no data yet). */
function emptyCoverage(level: ScopeLevel): DataCoverage {
  return Object.fromEntries(SHARE_METRICS.filter((m) => metricAppliesTo(m, level)).map((m) => [m, null])) as DataCoverage;
}

function ratio(num: number | null, den: number | null): number | null {
  if (num === null || den === null || den === 0) return null;
  return num / den;
}

type Share = { value: number | null; coverage: number | null };

/**
 * Σ numerator / Σ denominator over every school of the scope (export contract, "Metrics"),
 * and the share of that denominator from schools that reported the numerator. A school
 * lacking the numerator adds nothing above the line and its total still counts below it.
 * A school lacking its total has nothing to set its count against, so its count stays out
 * of the numerator too (it cannot push a share past 100 %); its gap is reported as missing.
 */
function share(rows: readonly SchoolRow[], num: SchoolCountField, den: SchoolCountField): Share {
  let n = 0;
  let d = 0;
  let reported = 0;
  let pairs = 0;
  for (const r of rows) {
    const b = r[den];
    if (b === null) continue;
    d += b;
    const a = r[num];
    if (a !== null) {
      n += a;
      reported += b;
      pairs++;
    }
  }
  if (pairs === 0 || d === 0) return { value: null, coverage: null };
  return { value: n / d, coverage: reported / d };
}

type Sum = { value: number | null; missing: number };

function sumField(rows: readonly SchoolRow[], field: SchoolCountField): Sum {
  let value = 0;
  let carried = 0;
  for (const r of rows) {
    const v = r[field];
    if (v !== null) {
      value += v;
      carried++;
    }
  }
  return carried === 0 ? { value: null, missing: 0 } : { value, missing: rows.length - carried };
}

/** Teachers in Sferum above teachers keep their own code: the ministry's data has them. */
const aboveTotalCode = (field: SchoolCountField) => (field === 'teachers_in_sferum' ? IssueCode.TeachersInSferumAboveTotal : IssueCode.CountAboveTotal);

function schoolWarnings(region: string, s: SchoolRow): DataQualityWarning[] {
  const out: DataQualityWarning[] = [];
  for (const a of countsAboveTotal(s)) {
    out.push({
      code: aboveTotalCode(a.field),
      level: 'school',
      municipality_id: s.municipality_id,
      school_key: s.school_key,
      field: a.field,
      message: `school ${s.school_inn}: ${a.message}`,
    });
  }
  if (!s.school_inn.startsWith(region)) {
    out.push({
      code: IssueCode.InnOutsideRegion,
      level: 'school',
      municipality_id: s.municipality_id,
      school_key: s.school_key,
      field: 'school_inn',
      message: `school ${s.school_inn}: INN does not start with the region code ${region}`,
    });
  }
  return out;
}

/** The metrics of one scope from its school rows (and, for the region, the МОУО rows). */
function scopeMetrics(
  region: string,
  scope: Scope,
  schools: readonly SchoolRow[],
  mouo: readonly MunicipalityRow[] | null,
  hasExport: boolean,
): ScopeMetrics {
  const v = emptyValues();
  const coverage = emptyCoverage(scope.level);
  const missing: Record<string, number> = {};
  const warnings: DataQualityWarning[] = [];
  const municipalityId = scope.level === 'municipality' ? scope.id : null;

  if (schools.length > 0) {
    v.schools_total = schools.length;
    v.schools_in_sferum = schools.filter((s) => s.in_sferum).length;
    v.schools_inactive = schools.filter((s) => s.in_sferum && !s.admin_active).length;
    v.schools_in_sferum_share = ratio(v.schools_in_sferum, v.schools_total);
    for (const field of SCHOOL_COUNT_FIELDS) {
      const s = sumField(schools, field);
      v[field] = s.value;
      if (s.missing > 0) {
        missing[field] = s.missing;
        warnings.push({
          code: IssueCode.MissingCounts,
          level: 'scope',
          municipality_id: municipalityId,
          school_key: null,
          field,
          message: `${s.missing} of ${schools.length} schools have no ${field}; the sum covers the others`,
        });
      }
    }
    // yes/no fields are required, so every school reports them
    coverage.schools_in_sferum_share = v.schools_in_sferum_share === null ? null : 1;
    // The KPI denominator is all teachers, as the seed's percentages reproduce (3666 / 17 218).
    for (const [metric, num, den] of COUNT_SHARES) {
      const r = share(schools, num, den);
      v[metric] = r.value;
      coverage[metric] = r.coverage;
    }
    // the scope's sums: a share past 100 % comes from rows like these (evaluate.ts: needs_review)
    const sums = Object.fromEntries(SCHOOL_COUNT_FIELDS.map((f) => [f, v[f] ?? null])) as Record<SchoolCountField, number | null>;
    for (const a of countsAboveTotal(sums)) {
      warnings.push({ code: aboveTotalCode(a.field), level: 'scope', municipality_id: municipalityId, school_key: null, field: a.field, message: a.message });
    }
    if (scope.level === 'municipality') for (const s of schools) warnings.push(...schoolWarnings(region, s));
  }
  if (mouo && mouo.length > 0) {
    v.mouo_total = mouo.length;
    v.mouo_in_sferum = mouo.filter((m) => m.in_sferum).length;
    v.mouo_inactive = mouo.filter((m) => m.in_sferum && !m.admin_active).length;
    v.mouo_in_sferum_share = ratio(v.mouo_in_sferum, v.mouo_total);
    coverage.mouo_in_sferum_share = 1;
  }
  return { scope, has_export: hasExport, values: v, missing, data_coverage: coverage, warnings };
}

/**
 * Every metric of the contract for the region and each municipality of one period.
 * Rows of another region or period are ignored (the caller reads one (region, period)).
 */
export function computeMetrics(input: MetricsInput): PeriodMetrics {
  const { region, period } = input;
  const same = (r: { region: string; period: Period }) => r.region === region && r.period.start === period.start && r.period.end === period.end;
  const schools = input.schools.filter(same);
  const mouo = input.municipalities.filter(same);

  const byMunicipality = new Map<string, SchoolRow[]>();
  for (const ref of input.reference) byMunicipality.set(ref.id, []);
  for (const s of schools) {
    const list = byMunicipality.get(s.municipality_id);
    if (list) list.push(s);
    else byMunicipality.set(s.municipality_id, [s]);
  }
  const names = new Map(input.reference.map((r) => [r.id, r.name]));
  // A municipality "has no export" only when some other municipality has rows that period:
  // with no school rows anywhere nothing was uploaded yet (or only the МОУО table).
  const anyExport = schools.length > 0;

  const municipalities = [...byMunicipality.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, rows]) => {
      const m = scopeMetrics(region, { level: 'municipality', id, name: names.get(id) ?? id }, rows, null, rows.length > 0);
      if (anyExport && rows.length === 0) {
        m.warnings.push({
          code: 'warn.export_missing',
          level: 'scope',
          municipality_id: id,
          school_key: null,
          field: null,
          message: `no school rows for ${id} in this period while other municipalities have them`,
        });
      }
      return m;
    });

  const regionScope = scopeMetrics(region, { level: 'region', id: region, name: input.regionName }, schools, mouo, anyExport);
  const gaps = municipalities.filter((m) => anyExport && !m.has_export).map((m) => m.scope.id);
  if (gaps.length > 0) {
    regionScope.warnings.push({
      code: 'warn.export_missing',
      level: 'scope',
      municipality_id: null,
      school_key: null,
      field: null,
      message: `${gaps.length} municipalities have no school rows in this period: ${gaps.join(', ')}`,
    });
  }
  return { region, period, region_scope: regionScope, municipalities };
}

/** Current value minus the previous period's, per metric; null when either side is null. */
export function metricDeltas(current: MetricValues, previous: MetricValues | null): MetricValues {
  const out = emptyValues();
  if (!previous) return out;
  for (const m of MetricId.options) {
    const c = current[m];
    const p = previous[m];
    out[m] = c === null || p === null ? null : c - p;
  }
  return out;
}

export { emptyValues as emptyMetricValues };

/**
 * One stored row of the aggregate table: a scope's metrics in one period with the
 * week-over-week deltas against the previous stored period of the same scope.
 */
export const AggregateRow = ScopeMetrics.extend({
  region: RegionCode,
  period: Period,
  /** change against the previous period, per metric; null without a previous value */
  deltas: MetricValues,
});
export type AggregateRow = z.infer<typeof AggregateRow>;

/**
 * How both stores keep `missing` and `data_coverage`: one JSON document in the existing
 * `missing_json` column, so neither SQLite nor YDB needs a schema change (the metric
 * columns stay flat for DataLens). Rows stored before `data_coverage` existed hold the
 * bare `missing` record; they read back with no coverage entries (unknown, not 100 %).
 */
const StoredNotes = z.union([
  z.object({ missing: MissingCounts, data_coverage: DataCoverage }),
  MissingCounts.transform((missing) => ({ missing, data_coverage: {} as DataCoverage })),
]);

export function aggregateNotes(r: Pick<AggregateRow, 'missing' | 'data_coverage'>): { missing: MissingCounts; data_coverage: DataCoverage } {
  return { missing: r.missing, data_coverage: r.data_coverage };
}

export function parseAggregateNotes(json: unknown): { missing: MissingCounts; data_coverage: DataCoverage } {
  return StoredNotes.parse(json);
}

/** `municipality:budennovsky`, `region:26`: the key of a scope inside one region. */
export function scopeKey(scope: Pick<Scope, 'level' | 'id'>): string {
  return `${scope.level}:${scope.id}`;
}

/**
 * The rows to store for a period: the region's row first, then each municipality's, with
 * deltas against `previous` (the rows of the previous period, or null when there is none).
 */
export function toAggregateRows(m: PeriodMetrics, previous: readonly AggregateRow[] | null): AggregateRow[] {
  const prev = new Map((previous ?? []).map((r) => [scopeKey(r.scope), r.values]));
  return [m.region_scope, ...m.municipalities].map((s) => ({
    ...s,
    region: m.region,
    period: m.period,
    deltas: metricDeltas(s.values, prev.get(scopeKey(s.scope)) ?? null),
  }));
}

/** The same rows with their deltas recomputed against another previous period. */
export function withDeltas(rows: readonly AggregateRow[], previous: readonly AggregateRow[] | null): AggregateRow[] {
  const prev = new Map((previous ?? []).map((r) => [scopeKey(r.scope), r.values]));
  return rows.map((r) => ({ ...r, deltas: metricDeltas(r.values, prev.get(scopeKey(r.scope)) ?? null) }));
}
