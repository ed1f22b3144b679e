// Pure: the API's response bodies, built from what one snapshot read. The zod schemas are
// the contract of the JSON the API returns (tests parse responses with them; the dashboard
// takes its types from them). Per-period target evaluations are recomputed here from the
// stored aggregates with the aggregate stage's own rules, so the municipal table of any
// period, not only the newest, shows which cells breach or are at risk.
import { z } from 'zod';
import { AlertState } from '../domain/alerts.ts';
import { evaluatePeriod, EvaluationStatus, provisionally, TREND_WINDOW } from '../domain/evaluate.ts';
import { Scope, TargetOp, type ScopeLevel } from '../domain/events.ts';
import { AggregateRow, DataQualityWarning, MetricValues } from '../domain/metrics.ts';
import { comparePeriods } from '../domain/alerts.ts';
import { InactiveSchoolsList } from '../domain/inactive-schools.ts';
import { Completeness, IsoDate, Issue, KindCompleteness, MetricId, Period, periodKey, periodLabel, RegionCode, TableKind, TableReport, UploadReport, UploadStatus } from '../domain/schemas.ts';
import { targetsFor, targetTitle, type TargetsConfig } from '../domain/targets.ts';
import { isJudged, periodCompleteness, type ReferenceList } from '../domain/completeness.ts';
import type { PeriodCompleteness, TimeseriesPoint } from '../ports/aggregate-store.ts';
import type { LedgerReport } from '../ports/read-model.ts';
import type { SchoolSource, UnitInForce } from '../ports/snapshot-store.ts';

/** A period as every body shows it: its key, dates, the seed's label and which exports it has. */
export const PeriodView = z.object({ key: z.string(), start: IsoDate, end: IsoDate, label: z.string(), completeness: Completeness });
export type PeriodView = z.infer<typeof PeriodView>;

/** How a body finds the completeness of a period it names. */
export type CompletenessOf = (p: Period) => Completeness;

export const TargetView = z.object({ id: z.string(), title: z.string(), metric: MetricId, op: TargetOp, threshold: z.number(), due: IsoDate });
export type TargetView = z.infer<typeof TargetView>;

export const EvaluationView = z.object({
  target_id: z.string(),
  metric: MetricId,
  status: EvaluationStatus,
  value: z.number().nullable(),
  /** the trend's value at the due date, when a trend was fitted */
  projected: z.number().nullable(),
  /** held because the scope's export is missing */
  inhibited: z.boolean(),
});
export type EvaluationView = z.infer<typeof EvaluationView>;

/** A stored aggregate row as the API shows it: its values named `metrics`, with the period's evaluations. */
export const RowView = z.object({
  scope: AggregateRow.shape.scope,
  has_export: AggregateRow.shape.has_export,
  metrics: AggregateRow.shape.values,
  deltas: AggregateRow.shape.deltas,
  /** per share metric, the fraction of its denominator from schools that reported the count */
  data_coverage: AggregateRow.shape.data_coverage,
  warnings: AggregateRow.shape.warnings,
  evaluations: z.array(EvaluationView),
});
export type RowView = z.infer<typeof RowView>;

export const PeriodsBody = z.object({
  region: RegionCode,
  periods: z.array(PeriodView),
  /** the key of the newest period whose completeness is not provisional (complete, or closed as incomplete) */
  latest_complete: z.string().nullable(),
});
export type PeriodsBody = z.infer<typeof PeriodsBody>;

export const PeriodBody = z.object({
  region: RegionCode,
  period: PeriodView,
  regional: RowView,
  municipalities: z.array(RowView),
  targets: z.array(TargetView),
  /** the region's current alert states (they describe the newest evaluated period) */
  alerts: z.array(AlertState),
});
export type PeriodBody = z.infer<typeof PeriodBody>;

export const TimeseriesBody = z.object({
  region: RegionCode,
  metric: MetricId,
  scope: Scope,
  points: z.array(z.object({ period: PeriodView, value: z.number().nullable(), delta: z.number().nullable() })),
  /** the targets on this metric that apply to the scope */
  targets: z.array(TargetView),
});
export type TimeseriesBody = z.infer<typeof TimeseriesBody>;

export const AlertsBody = z.object({ region: RegionCode, alerts: z.array(AlertState) });
export type AlertsBody = z.infer<typeof AlertsBody>;

export const InactiveSchoolsBody = z.object({
  region: RegionCode,
  period: PeriodView,
  schools: InactiveSchoolsList.shape.schools,
  municipalities: InactiveSchoolsList.shape.municipalities,
});
export type InactiveSchoolsBody = z.infer<typeof InactiveSchoolsBody>;

export const UploadSummary = z.object({
  upload_id: z.string(),
  key: z.string(),
  status: UploadStatus,
  region: RegionCode.nullable(),
  tables: z.array(TableReport.shape.kind),
  periods: z.array(PeriodView),
  rows: UploadReport.shape.rows,
  errors: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
  file_error: Issue.nullable(),
  /** the upload that took over this one's data (status `replaced`) */
  replaced_by: z.string().nullable(),
  /** every issue of the report per code, listed or not: a list can flag a warning that must be seen (warn.shrinking_replacement) without each report */
  issue_counts: z.record(z.string(), z.number().int().nonnegative()),
  received_at: z.string(),
  completed_at: z.string(),
});
export type UploadSummary = z.infer<typeof UploadSummary>;

export const UploadsBody = z.object({ items: z.array(UploadSummary), next_cursor: z.string().nullable() });
export type UploadsBody = z.infer<typeof UploadsBody>;

/** An upload as the provenance of a period's data: which object, when, by whom, how many rows. */
export const UploadRef = z.object({
  upload_id: z.string(),
  object_key: z.string(),
  uploaded_at: z.string(),
  /** the name of the API key whose signed form posted it; null for uploads straight to the bucket */
  uploader: z.string().nullable(),
  rows: z.number().int().nonnegative(),
  replaced_by: z.string().nullable(),
});
export type UploadRef = z.infer<typeof UploadRef>;

/** Where a period's figures come from: per municipality and table kind, the upload in force and those it replaced. */
export const SourcesBody = z.object({
  region: RegionCode,
  period: PeriodView,
  municipalities: z.array(
    z.object({
      municipality_id: z.string(),
      name: z.string(),
      tables: z.array(z.object({ kind: TableKind, in_force: UploadRef.nullable(), replaced: z.array(UploadRef) })),
    }),
  ),
  /** the school rows of the `municipality` asked for, each with its upload and row (empty without `municipality`) */
  schools: z.array(
    z.object({
      municipality_id: z.string(),
      school_inn: z.string(),
      school_kpp: z.string().nullable(),
      school_name: z.string(),
      upload_id: z.string(),
      sheet: z.string().nullable(),
      row: z.number().int(),
    }),
  ),
});
export type SourcesBody = z.infer<typeof SourcesBody>;

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), parameter: z.string().optional() }) });
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * The named schemas of the API's bodies, by their name in the OpenAPI spec. The spec's
 * `components.schemas` is generated from these (`npx tsx scripts/openapi-schemas.ts`) and a
 * test holds the two equal, so the spec never describes a body the code does not build.
 */
export const API_SCHEMAS = z.registry<{ id: string }>();
for (const [id, schema] of [
  ['MetricId', MetricId],
  ['Scope', Scope],
  ['KindCompleteness', KindCompleteness],
  ['Completeness', Completeness],
  ['Period', PeriodView],
  ['Target', TargetView],
  ['Evaluation', EvaluationView],
  ['DataQualityWarning', DataQualityWarning],
  ['MetricValues', MetricValues],
  ['Row', RowView],
  ['AlertState', AlertState],
  ['PeriodsBody', PeriodsBody],
  ['PeriodBody', PeriodBody],
  ['TimeseriesBody', TimeseriesBody],
  ['AlertsBody', AlertsBody],
  ['UploadSummary', UploadSummary],
  ['UploadsBody', UploadsBody],
  ['Issue', Issue],
  ['UploadReport', UploadReport],
  ['InactiveSchoolsBody', InactiveSchoolsBody],
  ['UploadRef', UploadRef],
  ['SourcesBody', SourcesBody],
  ['Error', ErrorBody],
] as const) {
  API_SCHEMAS.add(schema, { id });
}

type JsonSchema = { [k: string]: unknown };

/** `components.schemas` of the OpenAPI 3.0 spec: every named body schema, as JSON Schema. */
export function openApiSchemas(): Record<string, JsonSchema> {
  const out = z.toJSONSchema(API_SCHEMAS, { target: 'openapi-3.0', io: 'output', uri: (id) => `#/components/schemas/${id}` });
  // an OpenAPI 3.0 Schema Object has no $id; the component's name is its identity
  const named = Object.fromEntries(Object.entries(out.schemas).map(([id, { $id: _id, ...schema }]) => [id, schema as JsonSchema]));
  const fix = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(fix);
    if (node === null || typeof node !== 'object') return node;
    const o = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fix(v)])) as JsonSchema;
    // `X.nullable()` comes out as {nullable, allOf: [$ref X]}, which OpenAPI 3.0 cannot make
    // nullable (nullable only widens a sibling `type`): the referenced schema goes inline
    const refs = o['allOf'] as { $ref?: string }[] | undefined;
    if (o['nullable'] === true && refs?.length === 1 && refs[0]!.$ref) {
      return { ...(fix(named[refs[0]!.$ref.replace('#/components/schemas/', '')]) as JsonSchema), nullable: true };
    }
    // a record keyed by an enum (MetricValues) lists every key as a property
    if (Array.isArray(o['required']) && o['properties'] === undefined && typeof o['additionalProperties'] === 'object') {
      const value = o['additionalProperties'];
      return { ...o, properties: Object.fromEntries((o['required'] as string[]).map((k) => [k, value])), additionalProperties: false };
    }
    return o;
  };
  return fix(named) as Record<string, JsonSchema>;
}

export function periodView(p: Period, completeness: CompletenessOf): PeriodView {
  return { key: periodKey(p), start: p.start, end: p.end, label: periodLabel(p), completeness: completeness(p) };
}

/**
 * The completeness of a region's periods as stored with their aggregates. A period with
 * none stored (no aggregates: every upload of it rejected, or not aggregated yet) has no
 * municipality's data: provisional, the whole reference missing.
 */
export function completenessLookup(stored: readonly PeriodCompleteness[], reference: ReferenceList): CompletenessOf {
  const byKey = new Map(stored.map((s) => [periodKey(s.period), s.completeness]));
  const none = periodCompleteness({ reference, schools: [], municipalities: [], pastDeadline: false });
  return (p) => byKey.get(periodKey(p)) ?? none;
}

/** The newest period that is not provisional: the one the headline, the documents and the digest stand on. */
export function latestComplete(periods: readonly Period[], completeness: CompletenessOf): string | null {
  const p = [...periods].sort(comparePeriods).reverse().find((q) => completeness(q).state !== 'provisional');
  return p ? periodKey(p) : null;
}

export function periodsBody(region: string, periods: readonly Period[], completeness: CompletenessOf): PeriodsBody {
  return { region, periods: periods.map((p) => periodView(p, completeness)), latest_complete: latestComplete(periods, completeness) };
}

export function inactiveSchoolsBody(region: string, list: InactiveSchoolsList, completeness: CompletenessOf): InactiveSchoolsBody {
  return { region, period: periodView(list.period, completeness), schools: list.schools, municipalities: list.municipalities };
}

export function targetViews(cfg: TargetsConfig, region: string, scope: { level: ScopeLevel; id: string }): TargetView[] {
  return targetsFor(cfg, region, scope).map((t) => ({ ...t, title: targetTitle(cfg, t.id) }));
}

/**
 * The period's rows with their evaluations. `history` holds the rows of earlier periods
 * (ascending, at most TREND_WINDOW − 1 are used), exactly as the aggregate stage reads them.
 */
export function periodBody(input: {
  readonly region: string;
  readonly period: Period;
  readonly rows: readonly AggregateRow[];
  readonly history: readonly { readonly period: Period; readonly rows: readonly AggregateRow[] }[];
  readonly alerts: readonly AlertState[];
  readonly targets: TargetsConfig;
  readonly completeness: CompletenessOf;
}): PeriodBody {
  const evaluated = evaluatePeriod({
    current: input.rows,
    history: input.history.slice(-(TREND_WINDOW - 1)),
    targetsFor: (scope) => targetsFor(input.targets, input.region, scope),
  });
  // as the aggregate stage judges it: a provisional week's targets read «нет полных данных»
  const evaluations = isJudged(input.completeness(input.period)) ? evaluated : provisionally(evaluated);
  const byScope = new Map<string, EvaluationView[]>();
  for (const e of evaluations) {
    const k = `${e.scope.level}|${e.scope.id}`;
    const list = byScope.get(k) ?? [];
    list.push({ target_id: e.target.id, metric: e.target.metric, status: e.status, value: e.value, projected: e.projected, inhibited: e.inhibited });
    byScope.set(k, list);
  }
  const row = (r: AggregateRow): RowView => ({
    scope: r.scope,
    has_export: r.has_export,
    metrics: r.values,
    deltas: r.deltas,
    data_coverage: r.data_coverage,
    warnings: r.warnings,
    evaluations: byScope.get(`${r.scope.level}|${r.scope.id}`) ?? [],
  });
  const regional = input.rows.find((r) => r.scope.level === 'region');
  if (!regional) throw new RangeError(`period ${periodKey(input.period)} of region ${input.region} has no regional row`);
  return {
    region: input.region,
    period: periodView(input.period, input.completeness),
    regional: row(regional),
    municipalities: input.rows.filter((r) => r.scope.level === 'municipality').map(row),
    targets: targetViews(input.targets, input.region, { level: 'region', id: input.region }),
    alerts: [...input.alerts],
  };
}

/**
 * The periods before `period` (ascending) a trend of `period` may use: the judged ones, as
 * the aggregate stage draws its trends (a provisional week's partial sums would bend them).
 */
export function historyPeriods(all: readonly Period[], period: Period, completeness: CompletenessOf): Period[] {
  return all.filter((p) => comparePeriods(p, period) < 0 && isJudged(completeness(p))).slice(-(TREND_WINDOW - 1));
}

export function timeseriesBody(input: {
  readonly region: string;
  readonly metric: MetricId;
  readonly scope: Scope;
  readonly points: readonly TimeseriesPoint[];
  readonly targets: TargetsConfig;
  readonly completeness: CompletenessOf;
}): TimeseriesBody {
  return {
    region: input.region,
    metric: input.metric,
    scope: input.scope,
    points: input.points.map((p) => ({ period: periodView(p.period, input.completeness), value: p.value, delta: p.delta })),
    targets: targetViews(input.targets, input.region, input.scope).filter((t) => t.metric === input.metric),
  };
}

export function uploadSummary(r: UploadReport, completeness: CompletenessOf): UploadSummary {
  return {
    upload_id: r.upload_id,
    key: r.key,
    status: r.status,
    region: r.region,
    tables: r.tables.map((t) => t.kind),
    periods: r.periods.map((p) => periodView(p, completeness)),
    rows: r.rows,
    errors: r.errors.length,
    warnings: r.warnings.length,
    file_error: r.file_error,
    replaced_by: r.replaced_by,
    issue_counts: r.issue_counts ?? {},
    received_at: r.received_at,
    completed_at: r.completed_at,
  };
}

/** One page of the upload list: `fetched` holds up to limit + 1 reports, the extra one only says "more". */
export function uploadsPage(
  fetched: readonly LedgerReport[],
  limit: number,
  cursorOf: (before: number) => string,
  /** the completeness of each report's region's periods */
  completeness: (region: string | null) => CompletenessOf,
): UploadsBody {
  const page = fetched.slice(0, limit);
  const more = fetched.length > limit && page.length > 0;
  return { items: page.map((r) => uploadSummary(r.report, completeness(r.report.region))), next_cursor: more ? cursorOf(page.at(-1)!.sequence) : null };
}

/** An upload as a source: from its report (`rows`: the rows it accepted, every unit together). */
export function uploadRef(r: UploadReport): UploadRef {
  return { upload_id: r.upload_id, object_key: r.key, uploaded_at: r.received_at, uploader: r.uploader ?? null, rows: r.rows.accepted, replaced_by: r.replaced_by };
}

/**
 * Where a period's figures come from. For each municipality of the reference and each table
 * kind: the upload in force, and the uploads it replaced, followed back through each
 * report's `replacements` (the chain of takeovers of that unit, newest first).
 */
export function sourcesBody(input: {
  readonly region: string;
  readonly period: Period;
  readonly completeness: CompletenessOf;
  readonly reference: ReferenceList;
  readonly inForce: readonly UnitInForce[];
  /** the reports of the uploads in force and of those they replaced, by upload id */
  readonly reports: ReadonlyMap<string, UploadReport>;
  readonly schools: readonly SchoolSource[];
}): SourcesBody {
  const key = periodKey(input.period);
  const pointer = new Map(input.inForce.map((p) => [`${p.kind}|${p.municipalityId}`, p.uploadId]));
  const ref = (id: string): UploadRef | null => {
    const r = input.reports.get(id);
    return r ? uploadRef(r) : null;
  };
  const chain = (kind: TableKind, municipalityId: string, from: string): UploadRef[] => {
    const out: UploadRef[] = [];
    const seen = new Set([from]);
    let at = input.reports.get(from);
    while (at) {
      const prev = at.replacements.find((x) => x.kind === kind && x.municipality_id === municipalityId && periodKey(x.period) === key)?.replaced_upload_id;
      if (!prev || seen.has(prev)) break;
      seen.add(prev);
      const r = ref(prev);
      if (r) out.push(r);
      at = input.reports.get(prev);
    }
    return out;
  };
  return {
    region: input.region,
    period: periodView(input.period, input.completeness),
    municipalities: input.reference.map((m) => ({
      municipality_id: m.id,
      name: m.name,
      tables: TableKind.options.map((kind) => {
        const id = pointer.get(`${kind}|${m.id}`);
        return { kind, in_force: id ? ref(id) : null, replaced: id ? chain(kind, m.id, id) : [] };
      }),
    })),
    schools: input.schools.map((s) => ({
      municipality_id: s.school.municipality_id,
      school_inn: s.school.school_inn,
      school_kpp: s.school.school_kpp,
      school_name: s.school.school_name,
      upload_id: s.uploadId,
      sheet: s.sheet,
      row: s.row ?? 0,
    })),
  };
}
