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
import { type MetricId, type Period, periodLabel, type SchoolRow } from './schemas.ts';
import { targetsFor, targetTitle, type TargetsConfig } from './targets.ts';

/** A count (`17 218`), a share shown in percent with 2 or 3 decimals (`97,01%`), or text. */
export type ReportCell =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'count'; readonly value: number | null }
  | { readonly kind: 'share'; readonly value: number | null; readonly decimals: 2 | 3 };

export type ReportTable = {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly ReportCell[])[];
};

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

/** The regional table for the given periods (one row each, ascending by period). */
export function regionalTable(periods: readonly { readonly period: Period; readonly values: MetricValues }[], title = REGIONAL_TABLE_TITLE): ReportTable {
  const sorted = [...periods].sort((a, b) => (a.period.start === b.period.start ? (a.period.end < b.period.end ? -1 : 1) : a.period.start < b.period.start ? -1 : 1));
  return {
    title,
    headers: REGIONAL_COLUMNS.map((c) => c.header),
    rows: sorted.map(({ period, values }) =>
      REGIONAL_COLUMNS.map((c): ReportCell => {
        if (c.kind === 'period') return { kind: 'text', value: periodLabel(period) };
        if (c.kind === 'count') return { kind: 'count', value: values[c.metric] };
        return { kind: 'share', value: values[c.metric], decimals: c.decimals };
      }),
    ),
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
}): ReportTable {
  const metrics = MUNICIPAL_METRICS;
  const evaluations = new Map(input.evaluations.map((e) => [`${scopeKey(e.scope)}|${e.target.id}`, e]));
  const rows = input.rows
    .filter((r) => r.scope.level === 'municipality')
    .sort((a, b) => a.scope.name.localeCompare(b.scope.name, 'ru'))
    .map((r): ReportCell[] => [
      { kind: 'text', value: r.scope.name },
      { kind: 'text', value: r.has_export ? 'есть' : 'нет' },
      ...metrics.map((m): ReportCell => (m.endsWith('_share') ? { kind: 'share', value: r.values[m], decimals: shareDecimals(m) } : { kind: 'count', value: r.values[m] })),
      ...input.targets.map((t): ReportCell => {
        const e = evaluations.get(`${scopeKey(r.scope)}|${t.id}`);
        if (!e) return { kind: 'text', value: '' };
        const text = EVALUATION_STATUS_RU[e.status];
        return { kind: 'text', value: e.inhibited ? `${text} (${ALERT_STATUS_RU.export_missing})` : text };
      }),
    ]);
  return {
    title: `Показатели МОУО за ${periodLabel(input.period)}`,
    headers: ['МОУО', 'Выгрузка', ...metrics.map((m) => METRIC_HEADERS_RU[m]), ...input.targets.map((t) => `Цель: ${t.title}`)],
    rows,
  };
}

export const INACTIVE_SCHOOLS_TITLE = 'Неактивные ОО';

/** The list as a report table (CSV, the workbook's third sheet): text cells, the INN kept as text. */
export function inactiveSchoolsTable(list: InactiveSchoolsList): ReportTable {
  return {
    title: `${INACTIVE_SCHOOLS_TITLE} за ${periodLabel(list.period)}`,
    headers: ['МОУО', 'Наименование ОО', 'ИНН', 'КПП', 'Причина'],
    rows: list.schools.map((s) =>
      [s.municipality.name, s.school_name, s.school_inn, s.school_kpp ?? '', INACTIVE_REASON_RU[s.reason]].map((value) => ({ kind: 'text' as const, value })),
    ),
  };
}

/** The seed's note under its table, verbatim. */
export const SEED_FOOTNOTE = 'МОУО не активно в Сфере и Школ не активно в Сфере - администратор не зашел на платформу, не провел работы по созданию структуры организации';

/** "Ставропольский край · недели 20.02-22.02.2023 – 03.04-07.04.2023 · сформировано 02.12.2026 10:05 (МСК)" */
export function reportSubtitle(regionName: string, weeks: readonly Period[], generatedAt: Date): string {
  const span = weeks.length === 0 ? 'нет недель с данными' : weeks.length === 1 ? `неделя ${periodLabel(weeks[0]!)}` : `недели ${periodLabel(weeks[0]!)} – ${periodLabel(weeks.at(-1)!)}`;
  // the ministry works on Moscow time (Stavropol Krai is UTC+3)
  const made = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(generatedAt).replace(',', '');
  return `${regionName} · ${span} · сформировано ${made} (МСК)`;
}

/** A municipality's distance from one target in one period. */
export type TargetGap = { readonly id: string; readonly name: string; readonly value: number; readonly threshold: number; readonly gap: number };

/** Per target that applies to municipalities: those furthest from it, and how many reach it or have no data. */
export type TargetStanding = {
  readonly target: TargetRef & { readonly title: string };
  readonly furthest: readonly TargetGap[];
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
      return { target: { ...target, title: targetTitle(cfg, d.id) }, furthest: gaps.slice(0, limit), missing: gaps.length, met: list.length - gaps.length - noData, noData };
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
}): ReportDocument {
  const { region, targets } = input;
  const regional = regionalTable(input.regionRows.filter((r) => r.scope.level === 'region').map((r) => ({ period: r.period, values: r.values })));
  const sorted = [...input.regionRows].filter((r) => r.scope.level === 'region').sort((a, b) => (a.period.start < b.period.start ? -1 : a.period.start > b.period.start ? 1 : 0));
  const weeks = sorted.map((r) => r.period);
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
      municipal: municipalTable({ period, rows, evaluations, targets: municipalTargets.map((t) => ({ id: t.id, title: t.title })) }),
      standings: furthestFromTargets(evaluations, targets, region.code),
      inactive: inactiveSchools({ period, schools, municipalityName: (id) => names.get(id) }),
    };
  }
  return { region: { code: region.code, name: region.name }, title: REGIONAL_TABLE_TITLE, subtitle: reportSubtitle(region.name, weeks, input.generatedAt), weeks, regional, kpis, footnote: SEED_FOOTNOTE, last };
}
