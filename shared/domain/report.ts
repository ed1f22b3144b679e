// Pure: the report tables as typed cells, and the Russian number formatting the ministry's
// table uses. The regional table reproduces the seed's "Активность по ОО, МОУО СК в Сфере"
// (16 columns, headers verbatim, one row a period); the municipal table shows one period
// with every municipal metric and the alert state. The renderers in shared/formats
// ({csv,xlsx,pptx}/report.ts) turn the model into a file; the formatting rules live here so
// every file agrees.
import type { AlertState } from './alerts.ts';
import { evaluatePeriod, reaches, type Evaluation, type EvaluationStatus } from './evaluate.ts';
import type { Scope, TargetRef } from './events.ts';
import { INACTIVE_REASON_RU, inactiveSchools, type InactiveSchoolsList } from './inactive-schools.ts';
import { METRIC_CATALOG, metricInfo, metricsWhere } from './metric-catalog.ts';
import { scopeKey, type AggregateRow, type MetricValues } from './metrics.ts';
import organisationsJson from './data/organisations.json' with { type: 'json' };
import { type Completeness, type MetricId, type Period, periodLabel, type SchoolRow } from './schemas.ts';
import { targetsFor, targetTitle, type TargetsConfig } from './targets.ts';

const ORGANISATIONS: Readonly<Record<string, string>> = (organisationsJson as { regions: Record<string, string> }).regions;

/** The body that issues a region's documents («Министерство образования Ставропольского края» for 26), or null when not configured. */
export function organisationOf(regionCode: string): string | null {
  return ORGANISATIONS[regionCode] ?? null;
}

/**
 * A count (`17 218`), a share shown in percent with 2 or 3 decimals (`97,01%`), or text. A
 * share may carry its data coverage (the part of its denominator from schools that reported
 * the count, h21's `data_coverage`), shown beside it when below 100 %; a text cell may carry
 * the target status it states, which the workbook shows as the dashboard's colour.
 */
export type ReportCell =
  | { readonly kind: 'text'; readonly value: string; readonly status?: EvaluationStatus }
  | { readonly kind: 'count'; readonly value: number | null }
  | { readonly kind: 'share'; readonly value: number | null; readonly decimals: 2 | 3; readonly coverage?: number | null };

export type ReportTable = {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly ReportCell[])[];
  /** per row, what makes its figures not final (a provisional or incomplete week's label), null when they are */
  readonly rowNotes?: readonly (string | null)[];
};

/**
 * «охват данных 87 %» beside a share whose denominator is not wholly from schools that
 * reported its count; null when it is (or unknown). Rounded down, so 99,6 % never reads 100 %.
 */
export function coverageNote(c: ReportCell): string | null {
  if (c.kind !== 'share' || c.value === null || c.coverage === undefined || c.coverage === null || c.coverage >= 1) return null;
  return `охват данных ${Math.floor(c.coverage * 100)} %`;
}

/** What a week's completeness adds to its figures: its label unless it is complete («предварительно: 1 из 33 МОУО», «неполные данные: нет выгрузок …»). */
export function completenessNote(c: Completeness | null | undefined): string | null {
  if (!c || c.state === 'complete') return null;
  return c.label ?? (c.state === 'provisional' ? 'предварительно' : 'неполные данные');
}

/** `17 218`: groups of three digits separated by a plain space, as the seed's bytes show. */
export function formatCount(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** `97,01%` / `21,292%`: the share in percent, rounded half up, decimal comma. */
export function formatShare(share: number, decimals: 2 | 3): string {
  // toPrecision(12) strips the binary noise of v·100 (0.9701257… · 100) before rounding.
  const pct = Number((share * 100).toPrecision(12));
  const scale = 10 ** decimals;
  const rounded = Math.round(Math.abs(pct) * scale) / scale;
  return `${pct < 0 && rounded !== 0 ? '-' : ''}${rounded.toFixed(decimals).replace('.', ',')}%`;
}

/** The text of a cell as the seed shows it; no data is an empty cell. */
export function formatCell(c: ReportCell): string {
  if (c.kind === 'text') return c.value;
  if (c.value === null) return '';
  return c.kind === 'count' ? formatCount(c.value) : formatShare(c.value, c.decimals);
}

type Column = { readonly header: string } & ({ readonly kind: 'period' } | { readonly kind: 'count'; readonly metric: MetricId } | { readonly kind: 'share'; readonly metric: MetricId; readonly decimals: 2 | 3 });

/** The metrics of the seed's regional table, in its column order (headers and decimals from the catalog). */
const SEED_METRICS: readonly MetricId[] = [
  'schools_total',
  'schools_in_sferum',
  'schools_inactive',
  'schools_in_sferum_share',
  'teachers_total',
  'teachers_in_sferum',
  'students_total',
  'students_in_sferum',
  'students_in_sferum_share',
  'mouo_total',
  'mouo_in_sferum',
  'mouo_inactive',
  'teachers_chat_creators_share',
  'teachers_msg3_share',
  'teachers_msg10_share',
];

/** The decimals a share is shown with: coverage 2, the KPI shares 3, as the seed prints them (the catalog says which). */
export const shareDecimals = (m: MetricId): 2 | 3 => (metricInfo(m).decimals === 3 ? 3 : 2);

function seedColumn(metric: MetricId): Column {
  const info = metricInfo(metric);
  if (info.seedHeader === null) throw new RangeError(`metric ${metric} has no column in the seed's table`);
  return info.kind === 'share' ? { header: info.seedHeader, kind: 'share', metric, decimals: shareDecimals(metric) } : { header: info.seedHeader, kind: 'count', metric };
}

/** The seed's columns, headers verbatim. */
export const REGIONAL_COLUMNS: readonly Column[] = [{ header: 'Неделя', kind: 'period' }, ...SEED_METRICS.map(seedColumn)];

export const REGIONAL_TABLE_TITLE = 'Активность по ОО, МОУО СК в Сфере';

/** The regional table for the given periods (one row each, ascending by period), with each share's coverage and each week's completeness note. */
export function regionalTable(
  periods: readonly { readonly period: Period; readonly values: MetricValues; readonly data_coverage?: AggregateRow['data_coverage']; readonly completeness?: Completeness | null }[],
  title = REGIONAL_TABLE_TITLE,
): ReportTable {
  const sorted = [...periods].sort((a, b) => (a.period.start === b.period.start ? (a.period.end < b.period.end ? -1 : 1) : a.period.start < b.period.start ? -1 : 1));
  const rowNotes = sorted.map((p) => completenessNote(p.completeness));
  return {
    title,
    headers: REGIONAL_COLUMNS.map((c) => c.header),
    rows: sorted.map(({ period, values, data_coverage }) =>
      REGIONAL_COLUMNS.map((c): ReportCell => {
        if (c.kind === 'period') return { kind: 'text', value: periodLabel(period) };
        if (c.kind === 'count') return { kind: 'count', value: values[c.metric] };
        return { kind: 'share', value: values[c.metric], decimals: c.decimals, coverage: data_coverage?.[c.metric] ?? null };
      }),
    ),
    ...(rowNotes.some((n) => n !== null) ? { rowNotes } : {}),
  };
}

/** Russian headers of the metrics in the municipal table (the seed has no per-МОУО table). */
export const METRIC_HEADERS_RU: Readonly<Record<MetricId, string>> = Object.fromEntries(METRIC_CATALOG.map((m) => [m.id, m.header])) as Record<MetricId, string>;

/** The KPI shares, the ones the slide's chart draws against their targets. */
export const KPI_SHARES: readonly MetricId[] = metricsWhere((m) => m.group === 'kpi' && m.kind === 'share');

export const ALERT_STATUS_RU: Readonly<Record<AlertState['status'], string>> = {
  inactive: 'нет',
  at_risk: 'под угрозой',
  breach: 'нарушение',
  export_missing: 'нет выгрузки',
};

export const EVALUATION_STATUS_RU: Readonly<Record<EvaluationStatus, string>> = {
  met: 'достигнута',
  breach: 'нарушение',
  at_risk: 'под угрозой',
  pending: 'в процессе',
  no_data: 'нет данных',
  needs_review: 'данные требуют проверки',
  provisional: 'нет полных данных',
};

/**
 * The municipal table's metrics, as the dashboard's table shows a municipality: coverage
 * (schools, teachers, students) and the KPI shares; the KPI counts stay in the API.
 */
export const MUNICIPAL_METRICS: readonly MetricId[] = [
  'schools_total',
  'schools_in_sferum',
  'schools_in_sferum_share',
  'teachers_total',
  'teachers_in_sferum',
  'students_in_sferum_share',
  ...KPI_SHARES,
];

/**
 * One period, one row per municipality: the export flag, the municipal metrics and, per
 * target, that period's evaluation (`нарушение`, `под угрозой`, `достигнута`, …; `нет
 * данных (нет выгрузки)` when the municipality's export is missing; empty when the target
 * does not apply to the municipality) — the dashboard's table of the same period.
 */
export function municipalTable(input: {
  readonly period: Period;
  readonly rows: readonly AggregateRow[];
  readonly evaluations: readonly Pick<Evaluation, 'scope' | 'target' | 'status' | 'inhibited'>[];
  readonly targets: readonly { readonly id: string; readonly title: string }[];
  /** the period's completeness: its note goes into the title */
  readonly completeness?: Completeness | null;
}): ReportTable {
  const evaluations = new Map(input.evaluations.map((e) => [`${scopeKey(e.scope)}|${e.target.id}`, e]));
  const municipalities = input.rows.filter((r) => r.scope.level === 'municipality').sort((a, b) => a.scope.name.localeCompare(b.scope.name, 'ru'));
  // a column no export of the week fills (the calls count, when the exports have no such column) is left out, not printed empty
  const metrics = MUNICIPAL_METRICS.filter((m) => municipalities.some((r) => r.values[m] !== null));
  const targets = input.targets.filter((t) => municipalities.some((r) => evaluations.get(`${scopeKey(r.scope)}|${t.id}`)?.status !== 'no_data' && evaluations.has(`${scopeKey(r.scope)}|${t.id}`)));
  const rows = municipalities.map((r): ReportCell[] => [
    { kind: 'text', value: r.scope.name },
    { kind: 'text', value: r.has_export ? 'есть' : 'нет' },
    ...metrics.map((m): ReportCell => (m.endsWith('_share') ? { kind: 'share', value: r.values[m], decimals: shareDecimals(m), coverage: r.data_coverage?.[m] ?? null } : { kind: 'count', value: r.values[m] })),
    ...targets.map((t): ReportCell => {
      const e = evaluations.get(`${scopeKey(r.scope)}|${t.id}`);
      if (!e) return { kind: 'text', value: '' };
      const text = EVALUATION_STATUS_RU[e.status];
      return { kind: 'text', value: e.inhibited ? `${text} (${ALERT_STATUS_RU.export_missing})` : text, status: e.status };
    }),
  ]);
  const note = completenessNote(input.completeness);
  return {
    title: `Показатели МОУО за ${periodLabel(input.period)}${note ? ` (${note})` : ''}`,
    headers: ['МОУО', 'Выгрузка', ...metrics.map((m) => METRIC_HEADERS_RU[m]), ...targets.map((t) => `Цель: ${t.title}`)],
    rows,
  };
}

export const INACTIVE_SCHOOLS_TITLE = 'Неактивные ОО';

/**
 * The list as a report table (the API's CSV, the workbook's third sheet): text cells, the INN
 * kept as text. `printed`: the КПП column only when the exports give one — an always-empty
 * column is noise on a printed list, while a CSV a program reads keeps the same columns.
 */
export function inactiveSchoolsTable(list: InactiveSchoolsList, opts: { readonly printed?: boolean } = {}): ReportTable {
  const kpp = !opts.printed || list.schools.some((s) => s.school_kpp);
  return {
    title: `${INACTIVE_SCHOOLS_TITLE} за ${periodLabel(list.period)}`,
    headers: ['МОУО', 'Наименование ОО', 'ИНН', ...(kpp ? ['КПП'] : []), 'Причина'],
    rows: list.schools.map((s) =>
      [s.municipality.name, s.school_name, s.school_inn, ...(kpp ? [s.school_kpp ?? ''] : []), INACTIVE_REASON_RU[s.reason]].map((value) => ({ kind: 'text' as const, value })),
    ),
  };
}

/** The seed's note under its table, verbatim. */
export const SEED_FOOTNOTE = 'МОУО не активно в Сфере и Школ не активно в Сфере - администратор не зашел на платформу, не провел работы по созданию структуры организации';

/** "Министерство образования Ставропольского края · Ставропольский край · недели 20.02-22.02.2023 – 03.04-07.04.2023 · сформировано 02.12.2026 10:05 (МСК)" */
export function reportSubtitle(regionName: string, weeks: readonly Period[], generatedAt: Date, organisation: string | null = null): string {
  const span = weeks.length === 0 ? 'нет недель с данными' : weeks.length === 1 ? `неделя ${periodLabel(weeks[0]!)}` : `недели ${periodLabel(weeks[0]!)} – ${periodLabel(weeks.at(-1)!)}`;
  // the ministry works on Moscow time (Stavropol Krai is UTC+3)
  const made = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(generatedAt).replace(',', '');
  return `${organisation ? `${organisation} · ` : ''}${regionName} · ${span} · сформировано ${made} (МСК)`;
}

/** A municipality's distance from one target in one period. */
export type TargetGap = { readonly id: string; readonly name: string; readonly value: number; readonly threshold: number; readonly gap: number };

/** Municipalities at one shown value: a tie is one tier, never ranked by name. */
export type StandingTier = { readonly value: number; readonly names: readonly string[] };

/** Per target that applies to municipalities: those furthest from it, and how many reach it or have no data. */
export type TargetStanding = {
  readonly target: TargetRef & { readonly title: string };
  readonly furthest: readonly TargetGap[];
  /**
   * The furthest as tiers of equal shown value (largest gap first), whole tiers until at
   * least `limit` municipalities: five municipalities tied at 0,000 % are one tier of five,
   * not the first five of the alphabet.
   */
  readonly tiers: readonly StandingTier[];
  readonly missing: number;
  readonly met: number;
  readonly noData: number;
};

/**
 * For each target evaluated for municipalities in the period, the `limit` municipalities
 * with the largest gap between their own threshold (overrides applied) and their value,
 * largest first, ties by name; the slide that says whom to call.
 */
export function furthestFromTargets(evaluations: readonly Evaluation[], cfg: TargetsConfig, region: string, limit = 5): TargetStanding[] {
  // the slide states the region's threshold; a municipality's own override still sets its gap
  const regional = new Map(targetsFor(cfg, region, { level: 'region', id: region }).map((t) => [t.id, t]));
  const byTarget = new Map<string, Evaluation[]>();
  for (const e of evaluations) {
    if (e.scope.level !== 'municipality') continue;
    const list = byTarget.get(e.target.id) ?? [];
    list.push(e);
    byTarget.set(e.target.id, list);
  }
  return cfg.defaults
    .filter((d) => byTarget.has(d.id))
    .map((d): TargetStanding => {
      const list = byTarget.get(d.id)!;
      const gaps = list
        .filter((e): e is Evaluation & { value: number } => e.value !== null && !e.inhibited && !reaches(e.value, e.target))
        .map((e): TargetGap => ({ id: e.scope.id, name: e.scope.name, value: e.value, threshold: e.target.threshold, gap: e.target.threshold - e.value }))
        .sort((a, b) => b.gap - a.gap || a.name.localeCompare(b.name, 'ru'));
      const noData = list.filter((e) => e.value === null || e.inhibited).length;
      const target = regional.get(d.id) ?? list[0]!.target;
      // equal as shown (the slide's decimals), so a tier never splits on binary noise
      const shown = (v: number) => formatShare(v, shareDecimals(d.metric));
      const tiers: { value: number; names: string[] }[] = [];
      for (const g of gaps) {
        const last = tiers.at(-1);
        if (last && shown(last.value) === shown(g.value)) last.names.push(g.name);
        else if (tiers.reduce((n, t) => n + t.names.length, 0) < limit) tiers.push({ value: g.value, names: [g.name] });
        else break;
      }
      return { target: { ...target, title: targetTitle(cfg, d.id) }, furthest: gaps.slice(0, limit), tiers, missing: gaps.length, met: list.length - gaps.length - noData, noData };
    });
}

/** A KPI share of the region across the weeks, and its regional target (null when none applies). */
export type ChartKpi = { readonly metric: MetricId; readonly label: string; readonly values: readonly (number | null)[]; readonly target: TargetRef | null };

/**
 * Everything the ministry's documents show for a range of weeks: the regional table, the
 * KPI series for the chart, and for the range's last week the municipal table (with that
 * week's evaluations), the targets' standings and the inactive-schools list.
 */
export type ReportDocument = {
  readonly region: { readonly code: string; readonly name: string };
  /** the body that issues the documents, on every page and slide; null when the region has none configured */
  readonly organisation: string | null;
  /** the weeks whose figures are not final, each with its note: «03.04-07.04.2023 — предварительно: 1 из 33 МОУО» */
  readonly notes: readonly string[];
  readonly title: string;
  readonly subtitle: string;
  readonly weeks: readonly Period[];
  readonly regional: ReportTable;
  /** KPI shares with at least one value in the range, in KPI order */
  readonly kpis: readonly ChartKpi[];
  readonly footnote: string;
  readonly last: {
    readonly period: Period;
    readonly municipal: ReportTable;
    readonly standings: readonly TargetStanding[];
    readonly inactive: InactiveSchoolsList;
  } | null;
};

/** Builds the document from what one snapshot read (see shared/api/report.ts). */
export function reportDocument(input: {
  readonly region: { readonly code: string; readonly name: string; readonly municipalities: readonly { readonly id: string; readonly name: string }[] };
  /** the region's rows of the weeks in the range, any order */
  readonly regionRows: readonly AggregateRow[];
  /** the range's last week: its rows, the earlier weeks' rows its trends use (ascending), its schools */
  readonly last: { readonly period: Period; readonly rows: readonly AggregateRow[]; readonly history: readonly { readonly period: Period; readonly rows: readonly AggregateRow[] }[]; readonly schools: readonly SchoolRow[] } | null;
  readonly targets: TargetsConfig;
  readonly generatedAt: Date;
  /** each week's completeness (issue 20); absent: not known, nothing is marked */
  readonly completeness?: (p: Period) => Completeness | null;
}): ReportDocument {
  const { region, targets } = input;
  const completenessOf = (p: Period) => input.completeness?.(p) ?? null;
  const regional = regionalTable(input.regionRows.filter((r) => r.scope.level === 'region').map((r) => ({ period: r.period, values: r.values, data_coverage: r.data_coverage, completeness: completenessOf(r.period) })));
  const sorted = [...input.regionRows].filter((r) => r.scope.level === 'region').sort((a, b) => (a.period.start < b.period.start ? -1 : a.period.start > b.period.start ? 1 : 0));
  const weeks = sorted.map((r) => r.period);
  const notes = weeks.flatMap((w) => {
    const note = completenessNote(completenessOf(w));
    return note ? [`${periodLabel(w)} — ${note}`] : [];
  });
  const organisation = organisationOf(region.code);
  const regionTargets = targetsFor(targets, region.code, { level: 'region', id: region.code });
  const kpis = KPI_SHARES.map((metric): ChartKpi => ({
    metric,
    label: METRIC_HEADERS_RU[metric],
    values: sorted.map((r) => r.values[metric]),
    target: regionTargets.find((t) => t.metric === metric) ?? null,
  })).filter((k) => k.values.some((v) => v !== null));
  let last: ReportDocument['last'] = null;
  if (input.last) {
    const { period, rows, history, schools } = input.last;
    const evaluations = evaluatePeriod({ current: rows, history, targetsFor: (scope: Scope) => targetsFor(targets, region.code, scope) });
    const names = new Map(region.municipalities.map((m) => [m.id, m.name]));
    const municipalTargets = targets.defaults.filter((d) => evaluations.some((e) => e.scope.level === 'municipality' && e.target.id === d.id));
    last = {
      period,
      municipal: municipalTable({ period, rows, evaluations, targets: municipalTargets.map((t) => ({ id: t.id, title: t.title })), completeness: completenessOf(period) }),
      standings: furthestFromTargets(evaluations, targets, region.code),
      inactive: inactiveSchools({ period, schools, municipalityName: (id) => names.get(id) }),
    };
  }
  return {
    region: { code: region.code, name: region.name },
    organisation,
    notes,
    title: REGIONAL_TABLE_TITLE,
    subtitle: reportSubtitle(region.name, weeks, input.generatedAt, organisation),
    weeks,
    regional,
    kpis,
    footnote: SEED_FOOTNOTE,
    last,
  };
}
