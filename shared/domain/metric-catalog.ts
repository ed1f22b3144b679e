// Pure data, no imports: the one catalog of the contract's metrics. Every other list of
// metrics (the zod MetricId, count and share sets, the report's headers and decimals, the
// dashboard's labels, the notification phrases, the OpenAPI enum) is read from here or, for
// the spec, held equal to it by a test. It imports nothing, so the browser bundle of the
// dashboard can read it without pulling zod or any server module in.
//
// The order is the order of MetricId.options, which the stores use for their columns:
// append new metrics, never reorder.

export type MetricKind = 'count' | 'share';
/** `region`: computed from the municipalities table, so it exists for the region only */
export type MetricScope = 'region' | 'all';
/** coverage: who is registered in Sferum; kpi: what teachers do there */
export type MetricGroup = 'coverage' | 'kpi';

export type MetricEntry = {
  readonly id: string;
  readonly kind: MetricKind;
  readonly scope: MetricScope;
  readonly group: MetricGroup;
  /** decimals of the percent a share is shown with (`97,01%`, `21,292%`); 0 for counts */
  readonly decimals: 0 | 2 | 3;
  /** the column header of the seed's regional table, verbatim; null when the seed has no such column */
  readonly seedHeader: string | null;
  /** the Russian column header where the seed has none (the municipal table) */
  readonly header: string;
  /** a short Russian label for charts, cards and narrow tables */
  readonly label: string;
  /** the phrase a notification uses inside a sentence ("… — 21,292 % при цели ≥ 35 %") */
  readonly phrase: string;
};

export const METRIC_CATALOG = [
  { id: 'schools_total', kind: 'count', scope: 'all', group: 'coverage', decimals: 0, seedHeader: 'Всего ОО', header: 'Всего ОО', label: 'Школ всего', phrase: 'школ всего' },
  { id: 'schools_in_sferum', kind: 'count', scope: 'all', group: 'coverage', decimals: 0, seedHeader: 'ОО в Сфере', header: 'ОО в Сфере', label: 'Школ в Сферуме', phrase: 'школ в Сферуме' },
  { id: 'schools_inactive', kind: 'count', scope: 'all', group: 'coverage', decimals: 0, seedHeader: 'Школ не активно в Сфере', header: 'Школ не активно в Сфере', label: 'Неактивных школ', phrase: 'школ не активно в Сферуме' },
  { id: 'schools_in_sferum_share', kind: 'share', scope: 'all', group: 'coverage', decimals: 2, seedHeader: '% ОО в Сфере', header: '% ОО в Сфере', label: 'Школ в Сферуме', phrase: 'доля школ в Сферуме' },
  { id: 'teachers_total', kind: 'count', scope: 'all', group: 'coverage', decimals: 0, seedHeader: 'Общее кол-во педагогов', header: 'Общее кол-во педагогов', label: 'Педагогов всего', phrase: 'педагогов всего' },
  { id: 'teachers_in_sferum', kind: 'count', scope: 'all', group: 'coverage', decimals: 0, seedHeader: 'В Сфере', header: 'Педагогов в Сфере', label: 'Педагогов в Сферуме', phrase: 'педагогов в Сферуме' },
  { id: 'teachers_in_sferum_share', kind: 'share', scope: 'all', group: 'coverage', decimals: 2, seedHeader: null, header: '% педагогов в Сфере', label: 'Педагогов в Сферуме', phrase: 'доля педагогов в Сферуме' },
  { id: 'students_total', kind: 'count', scope: 'all', group: 'coverage', decimals: 0, seedHeader: 'Общее кол-во обуч-ся', header: 'Общее кол-во обуч-ся', label: 'Обучающихся всего', phrase: 'обучающихся всего' },
  { id: 'students_in_sferum', kind: 'count', scope: 'all', group: 'coverage', decimals: 0, seedHeader: 'В Сфере', header: 'Обуч-ся в Сфере', label: 'Обучающихся в Сферуме', phrase: 'обучающихся в Сферуме' },
  { id: 'students_in_sferum_share', kind: 'share', scope: 'all', group: 'coverage', decimals: 2, seedHeader: '% в Сфере', header: '% обуч-ся в Сфере', label: 'Обучающихся в Сферуме', phrase: 'доля обучающихся в Сферуме' },
  { id: 'mouo_total', kind: 'count', scope: 'region', group: 'coverage', decimals: 0, seedHeader: 'МОУО всего', header: 'МОУО всего', label: 'МОУО всего', phrase: 'МОУО всего' },
  { id: 'mouo_in_sferum', kind: 'count', scope: 'region', group: 'coverage', decimals: 0, seedHeader: 'МОУО в Сфере', header: 'МОУО в Сфере', label: 'МОУО в Сферуме', phrase: 'МОУО в Сферуме' },
  { id: 'mouo_inactive', kind: 'count', scope: 'region', group: 'coverage', decimals: 0, seedHeader: 'МОУО не активно в Сфере', header: 'МОУО не активно в Сфере', label: 'Неактивных МОУО', phrase: 'МОУО не активно в Сферуме' },
  { id: 'mouo_in_sferum_share', kind: 'share', scope: 'region', group: 'coverage', decimals: 2, seedHeader: null, header: '% МОУО в Сфере', label: 'МОУО в Сферуме', phrase: 'доля МОУО в Сферуме' },
  { id: 'teachers_chat_creators', kind: 'count', scope: 'all', group: 'kpi', decimals: 0, seedHeader: null, header: 'Педагогов, создавших ≥1 чат', label: 'Создали ≥1 чат', phrase: 'педагогов, создавших чат' },
  { id: 'teachers_msg3', kind: 'count', scope: 'all', group: 'kpi', decimals: 0, seedHeader: null, header: 'Педагогов, написавших ≥3 сообщений за неделю', label: '≥3 сообщений за неделю', phrase: 'педагогов с 3+ сообщениями за неделю' },
  { id: 'teachers_msg10', kind: 'count', scope: 'all', group: 'kpi', decimals: 0, seedHeader: null, header: 'Педагогов, написавших ≥10 сообщений за неделю', label: '≥10 сообщений за неделю', phrase: 'педагогов с 10+ сообщениями за неделю' },
  { id: 'teachers_calls', kind: 'count', scope: 'all', group: 'kpi', decimals: 0, seedHeader: null, header: 'Педагогов, совершивших ≥1 звонок за неделю', label: '≥1 звонок за неделю', phrase: 'педагогов со звонками за неделю' },
  // The seed's headers of the next three say "Кол-во" but the seed prints shares of all teachers there.
  { id: 'teachers_chat_creators_share', kind: 'share', scope: 'all', group: 'kpi', decimals: 3, seedHeader: 'Кол-во педагогов, создавших как минимум 1 чат в Сфере (с 01.09.2022)', header: '% педагогов, создавших ≥1 чат', label: 'Создали ≥1 чат', phrase: 'доля педагогов, создавших чат' },
  { id: 'teachers_msg3_share', kind: 'share', scope: 'all', group: 'kpi', decimals: 3, seedHeader: 'Кол-во педагогов, написавших минимум 3 сообщения в чаты за неделю', header: '% педагогов, написавших ≥3 сообщений за неделю', label: '≥3 сообщений за неделю', phrase: 'доля педагогов с 3+ сообщениями за неделю' },
  { id: 'teachers_msg10_share', kind: 'share', scope: 'all', group: 'kpi', decimals: 3, seedHeader: '% педагогов, написавших минимум 10 сообщений за неделю', header: '% педагогов, написавших ≥10 сообщений за неделю', label: '≥10 сообщений за неделю', phrase: 'доля педагогов с 10+ сообщениями за неделю' },
  { id: 'teachers_calls_share', kind: 'share', scope: 'all', group: 'kpi', decimals: 3, seedHeader: null, header: '% педагогов, совершивших ≥1 звонок за неделю', label: '≥1 звонок за неделю', phrase: 'доля педагогов со звонками за неделю' },
] as const satisfies readonly MetricEntry[];

export type MetricIdValue = (typeof METRIC_CATALOG)[number]['id'];

/** Every metric id in catalog order (the zod enum MetricId in events.ts is built from it). */
export const METRIC_IDS: readonly MetricIdValue[] = METRIC_CATALOG.map((m) => m.id);

const BY_ID: ReadonlyMap<string, MetricEntry> = new Map(METRIC_CATALOG.map((m) => [m.id, m]));

/** The catalog entry of a metric id. */
export function metricInfo(id: MetricIdValue): MetricEntry {
  return BY_ID.get(id)!;
}

/** The ids of the entries that pass `keep`, in catalog order. */
export function metricsWhere(keep: (m: MetricEntry) => boolean): MetricIdValue[] {
  return METRIC_CATALOG.filter((m) => keep(m)).map((m) => m.id);
}
