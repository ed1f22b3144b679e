// Pure: the report tables as typed cells, and the Russian number formatting the ministry's
// table uses. The regional table reproduces the seed's "Активность по ОО, МОУО СК в Сфере"
// (16 columns, headers verbatim, one row a period); the municipal table shows one period
// with every municipal metric and the alert state. Renderers (shared/report) turn the
// model into CSV text or XLSX cells; the formatting rules live here so both agree.
import type { MetricId } from './events.ts';
import { METRIC_CATALOG, metricInfo } from './metric-catalog.ts';
import { alertKey, type AlertState } from './alerts.ts';
import { metricAppliesTo, type AggregateRow, type MetricValues } from './metrics.ts';
import { periodLabel, type Period } from './schemas.ts';

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

/** Coverage shares have 2 decimals, the KPI shares 3 (the catalog says which). */
const shareDecimals = (m: MetricId): 2 | 3 => (metricInfo(m).decimals === 3 ? 3 : 2);

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

/** The region's rows of a range of periods (inclusive, by start date) for `regionalTable`. */
export function regionRowsInRange(rows: readonly AggregateRow[], from: string, to: string): AggregateRow[] {
  return rows.filter((r) => r.scope.level === 'region' && r.period.start >= from && r.period.start <= to);
}

/** Russian headers of the metrics in the municipal table (the seed has no per-МОУО table). */
export const METRIC_HEADERS_RU: Readonly<Record<MetricId, string>> = Object.fromEntries(METRIC_CATALOG.map((m) => [m.id, m.header])) as Record<MetricId, string>;

export const ALERT_STATUS_RU: Readonly<Record<AlertState['status'], string>> = {
  inactive: 'нет',
  at_risk: 'под угрозой',
  breach: 'нарушение',
  export_missing: 'нет выгрузки',
};

/**
 * One period, one row per municipality: the export flag, every municipal metric and, per
 * target, the alert state (`нарушение`, `под угрозой`, `нет`; `нет выгрузки (…)` when held
 * by a missing export; empty when the target was never evaluated for the scope).
 */
export function municipalTable(input: {
  readonly region: string;
  readonly period: Period;
  readonly rows: readonly AggregateRow[];
  readonly alerts: readonly AlertState[];
  readonly targets: readonly { readonly id: string; readonly title: string }[];
}): ReportTable {
  const metrics = (Object.keys(METRIC_HEADERS_RU) as MetricId[]).filter((m) => metricAppliesTo(m, 'municipality'));
  const alerts = new Map(input.alerts.map((a) => [alertKey(a), a]));
  const rows = input.rows
    .filter((r) => r.scope.level === 'municipality')
    .sort((a, b) => a.scope.name.localeCompare(b.scope.name, 'ru'))
    .map((r): ReportCell[] => [
      { kind: 'text', value: r.scope.name },
      { kind: 'text', value: r.has_export ? 'есть' : 'нет' },
      ...metrics.map((m): ReportCell =>
        m.endsWith('_share') ? { kind: 'share', value: r.values[m], decimals: shareDecimals(m) } : { kind: 'count', value: r.values[m] },
      ),
      ...input.targets.map((t): ReportCell => {
        const a = alerts.get(alertKey({ region: input.region, alert_id: t.id, scope: r.scope }));
        if (!a) return { kind: 'text', value: '' };
        const text = ALERT_STATUS_RU[a.status];
        return { kind: 'text', value: a.inhibited ? `${text} (${ALERT_STATUS_RU.export_missing})` : text };
      }),
    ]);
  return {
    title: `Показатели МОУО за ${periodLabel(input.period)}`,
    headers: ['МОУО', 'Выгрузка', ...metrics.map((m) => METRIC_HEADERS_RU[m]), ...input.targets.map((t) => `Цель: ${t.title}`)],
    rows,
  };
}
