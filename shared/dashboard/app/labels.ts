// Browser, pure: the Russian labels of the dashboard.
import type { EvaluationView, UploadSummary } from '../../api/views.ts';
import type { MetricId } from '../../domain/events.ts';
import { metricInfo, metricsWhere } from '../../domain/metric-catalog.ts';

/** One colour per KPI line, in catalog order; the label comes from the metric catalog. */
const KPI_COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#8250df'];

export const KPI: readonly { readonly metric: MetricId; readonly label: string; readonly color: string }[] = metricsWhere((m) => m.group === 'kpi' && m.kind === 'share').map(
  (metric, i) => ({ metric, label: metricInfo(metric).label, color: KPI_COLORS[i % KPI_COLORS.length]! }),
);

export const EVALUATION_RU: Readonly<Record<EvaluationView['status'], string>> = {
  met: 'цель достигнута',
  breach: 'нарушение: срок прошёл, цель не достигнута',
  at_risk: 'под угрозой: по тренду цель не будет достигнута к сроку',
  pending: 'в процессе',
  no_data: 'нет данных',
};

export const UPLOAD_STATUS_RU: Readonly<Record<UploadSummary['status'], string>> = {
  accepted: 'принята',
  partial: 'принята частично',
  rejected: 'отклонена',
  superseded: 'заменена более новой',
  skipped: 'пропущена',
};

export const TABLE_RU: Readonly<Record<string, string>> = { schools: 'школы', municipalities: 'МОУО' };
