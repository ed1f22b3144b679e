// Browser, pure: the Russian labels of the dashboard.
import type { EvaluationView, UploadSummary } from '../../api/views.ts';
import type { MetricId } from '../../domain/events.ts';

export const KPI: readonly { readonly metric: MetricId; readonly label: string; readonly color: string }[] = [
  { metric: 'teachers_chat_creators_share', label: 'Создали ≥1 чат', color: '#1f6feb' },
  { metric: 'teachers_msg3_share', label: '≥3 сообщений за неделю', color: '#d1242f' },
  { metric: 'teachers_msg10_share', label: '≥10 сообщений за неделю', color: '#1a7f37' },
  { metric: 'teachers_calls_share', label: '≥1 звонок за неделю', color: '#8250df' },
];

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
