// Browser, pure: the Russian labels of the dashboard.
import type { EvaluationView, InactiveSchoolsBody, UploadSummary } from '../../shared/api/views.ts';
import type { MetricId } from '../../shared/domain/schemas.ts';
import { metricInfo, metricsWhere } from '../../shared/domain/metric-catalog.ts';

/** One colour per KPI line, in catalog order; the label comes from the metric catalog. */
const KPI_COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#8250df'];

export const KPI: readonly { readonly metric: MetricId; readonly label: string; readonly color: string }[] = metricsWhere((m) => m.group === 'kpi' && m.kind === 'share').map(
  (metric, i) => ({ metric, label: metricInfo(metric).label, color: KPI_COLORS[i % KPI_COLORS.length]! }),
);

/** The coverage shares of the headline and the coverage chart, with the counts behind each. */
export const COVERAGE: readonly { readonly metric: MetricId; readonly of: readonly [MetricId, MetricId]; readonly unit: string; readonly color: string }[] = [
  { metric: 'schools_in_sferum_share', of: ['schools_in_sferum', 'schools_total'], unit: 'школ', color: '#1f6feb' },
  { metric: 'mouo_in_sferum_share', of: ['mouo_in_sferum', 'mouo_total'], unit: 'МОУО', color: '#bf3989' },
  { metric: 'students_in_sferum_share', of: ['students_in_sferum', 'students_total'], unit: 'обучающихся', color: '#1a7f37' },
];

/** A card's or a cell's state: an evaluation status, or `none` for a metric without a target. */
export type Standing = EvaluationView['status'] | 'none';

/** What each colour means, in plain words; the README's legend says the same. */
export const EVALUATION_RU: Readonly<Record<Standing, string>> = {
  met: 'цель достигнута',
  pending: 'идёт к цели: по тренду успеет к сроку',
  at_risk: 'под угрозой: по тренду не успеет к сроку',
  breach: 'не достигнута: срок прошёл',
  no_data: 'нет данных',
  needs_review: 'данные требуют проверки',
  provisional: 'нет полных данных',
  none: 'цели нет',
};

/** `pending` without a forecast: too few weeks for a trend yet. */
export const PENDING_NO_TREND_RU = 'идёт к цели: недель пока мало для прогноза';

export const INACTIVE_REASON_RU: Readonly<Record<InactiveSchoolsBody['schools'][number]['reason'], string>> = {
  admin_inactive: 'администратор не заходил',
  not_in_sferum: 'не зарегистрирована в Сферуме',
};

export const UPLOAD_STATUS_RU: Readonly<Record<UploadSummary['status'], string>> = {
  accepted: 'принята',
  partial: 'принята частично',
  rejected: 'отклонена',
  superseded: 'заменена более новой',
  skipped: 'пропущена',
  replaced: 'заменена',
  duplicate: 'повтор: данные не изменились',
};

export const TABLE_RU: Readonly<Record<string, string>> = { schools: 'школы', municipalities: 'МОУО' };
