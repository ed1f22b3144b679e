// Test helper: the domain rows and records the tests share, typed from the production
// schemas. Each builder's defaults are one plain school week of region 26; a test states
// what matters to it as overrides, so the defaults must stay as they are.
import type { AlertState } from '../../shared/domain/alerts.ts';
import { notificationId, type NotificationEvent, type NotificationType, type Scope, type ScopeLevel } from '../../shared/domain/events.ts';
import { emptyMetricValues, type AggregateRow, type MetricValues } from '../../shared/domain/metrics.ts';
import { deliveryIdFor, groupKey } from '../../shared/domain/notify/grouping.ts';
import { MetricId, type MunicipalityRow, type Period, type SchoolRow, type UploadReport } from '../../shared/domain/schemas.ts';
import type { CommitUnit } from '../../shared/domain/store-rules/commit-plan.ts';
import type { DeliveryItem, EnqueueRequest, StoredDelivery } from '../../shared/domain/store-rules/delivery.ts';
import type { BatchCommit } from '../../shared/ports/snapshot-store.ts';

export const P1: Period = { start: '2023-03-06', end: '2023-03-10' };
export const P2: Period = { start: '2023-03-13', end: '2023-03-17' };

export const MUNI = { id: 'm_26_izobilnensky', name: 'Изобильненский муниципальный округ' };

/** A legal entity's INN: the nine digits given and the FNS check digit, computed here rather than by the parser. */
export function withCheckDigit(first9: string): string {
  const w = [2, 4, 10, 3, 5, 9, 4, 6, 8];
  return `${first9}${([...first9].reduce((s, d, i) => s + Number(d) * w[i]!, 0) % 11) % 10}`;
}

/** The `n`th valid INN of region 26. */
export const inn = (n: number): string => withCheckDigit(`2634${String(n).padStart(5, '0')}`);

export function schoolRow(over: Partial<SchoolRow> = {}): SchoolRow {
  const inn = over.school_inn ?? '2634000001';
  return {
    region: '26',
    period: P1,
    municipality_id: 'budennovsky',
    school_key: `${inn}#школа`,
    school_inn: inn,
    school_kpp: null,
    school_name: 'МБОУ СОШ № 1',
    in_sferum: true,
    admin_active: true,
    teachers_total: 40,
    teachers_in_sferum: 38,
    students_total: 500,
    students_in_sferum: 400,
    teachers_chat_creators: 10,
    teachers_msg3: 2,
    teachers_msg10: 1,
    teachers_calls: null,
    ...over,
  };
}

/** The `i`th of many schools for bulk writes: its own key, `i` teachers and no other counts. */
export function numberedSchool(i: number, over: Partial<SchoolRow> = {}): SchoolRow {
  return schoolRow({
    school_key: `k${String(i).padStart(5, '0')}`,
    school_name: 'МБОУ СОШ',
    teachers_total: i,
    teachers_in_sferum: null,
    students_total: null,
    students_in_sferum: null,
    teachers_chat_creators: null,
    teachers_msg3: null,
    teachers_msg10: null,
    ...over,
  });
}

export function municipalityRow(over: Partial<MunicipalityRow> = {}): MunicipalityRow {
  return { region: '26', period: P1, municipality_id: 'budennovsky', in_sferum: true, admin_active: false, ...over };
}

export function uploadReport(over: Partial<UploadReport> = {}): UploadReport {
  return {
    upload_id: 'u1',
    bucket: 'b',
    key: 'uploads/26/x.csv',
    sha256: 'a'.repeat(64),
    size: 10,
    format: 'csv',
    encoding: 'utf-8',
    delimiter: ';',
    region: '26',
    status: 'accepted',
    tables: [],
    periods: [P1],
    rows: { accepted: 1, rejected: 0 },
    file_error: null,
    errors: [],
    warnings: [],
    replacements: [],
    replaced_by: null,
    received_at: '2023-03-13T09:00:00.000Z',
    completed_at: '2023-03-13T09:00:01.000Z',
    ...over,
  };
}

export const commitUnit = (municipalityId: string, period: Period = P1, kind: CommitUnit['kind'] = 'schools'): CommitUnit => ({ period, kind, municipalityId });

export function batchCommit(over: Partial<BatchCommit> = {}): BatchCommit {
  return { batchId: 'b1', uploadId: 'u1', region: '26', source: { lastModifiedMs: 1, sequence: 1 }, units: [commitUnit('budennovsky')], ...over };
}

/** The region's scope, or a municipality's under a made-up name. */
export function unitScope(level: ScopeLevel = 'region', id = level === 'region' ? '26' : 'budennovsky'): Scope {
  return { level, id, name: level === 'region' ? 'Ставропольский край' : `МО ${id}` };
}

/** The region's row with every metric and delta null. */
export function aggregateRow(over: Partial<AggregateRow> = {}): AggregateRow {
  return { region: '26', period: P1, scope: unitScope(), has_export: true, values: emptyMetricValues(), deltas: emptyMetricValues(), missing: {}, data_coverage: {}, warnings: [], ...over };
}

/**
 * A municipality's (or the region's) row with a value in every metric but the first: a share
 * its index's last digit in tenths, a count `base` × its index; two deltas, one missing count and its coverage.
 */
export function filledAggregateRow(over: { period?: Period; level?: ScopeLevel; id?: string; base?: number } = {}): AggregateRow {
  const base = over.base ?? 1;
  const values = Object.fromEntries(MetricId.options.map((m, i) => [m, m.endsWith('_share') ? (i % 10) / 10 : i === 0 ? null : base * i])) as MetricValues;
  return aggregateRow({
    period: over.period ?? P1,
    scope: unitScope(over.level ?? 'municipality', over.id),
    values,
    deltas: { ...emptyMetricValues(), teachers_total: -3, teachers_in_sferum_share: 0.05 },
    missing: { teachers_calls: 2 },
    data_coverage: { teachers_calls_share: 0.75, teachers_msg3_share: 1, students_in_sferum_share: null },
  });
}

export function alertState(over: Partial<AlertState> = {}): AlertState {
  return {
    region: '26',
    alert_id: 't_teachers_msg10_share',
    scope: { level: 'municipality', id: 'budennovsky', name: 'Будённовский МО' },
    status: 'breach',
    target: { id: 't_teachers_msg10_share', metric: 'teachers_msg10_share', op: '>=', threshold: 0.35, due: '2023-09-01' },
    period: P1,
    since: P1,
    value: 0.2,
    inhibited: false,
    changed_at: '2023-03-13T09:00:00.000Z',
    ...over,
  };
}

/** A NotificationEvent as the aggregate stage emits it, with its deterministic id. */
export function breach(opts: {
  type?: NotificationType;
  region?: string;
  municipality?: { id: string; name: string } | null;
  metric?: MetricId;
  targetId?: string;
  value?: number | null;
  threshold?: number;
  period?: { start: string; end: string; label: string };
} = {}): NotificationEvent {
  const type = opts.type ?? 'breach_opened';
  const region = opts.region ?? '26';
  const scope = opts.municipality
    ? { level: 'municipality' as const, id: opts.municipality.id, name: opts.municipality.name }
    : { level: 'region' as const, id: region, name: 'Ставропольский край' };
  const period = opts.period ?? { start: '2023-03-06', end: '2023-03-10', label: '06.03-10.03.2023' };
  const metric = opts.metric ?? 'teachers_msg10_share';
  const targetId = opts.targetId ?? `t_${metric}`;
  const target = type === 'export_missing' || type === 'digest' ? null : { id: targetId, metric, op: '>=' as const, threshold: opts.threshold ?? 0.35, due: '2023-09-01' };
  return {
    id: notificationId(type, target?.id ?? null, scope, period, region),
    type,
    region,
    scope,
    target,
    period,
    value: opts.value === undefined ? 0.21292 : opts.value,
    previous_value: null,
    generated_at: '2023-03-11T09:00:00.000Z',
  };
}

/** The outbox request the notify stage makes for an event on a channel, due a second after `nowMs`. */
export function enqueueRequest(event: NotificationEvent, nowMs: number, channelId = 'hook'): EnqueueRequest {
  return { event, channelId, groupKey: groupKey(event), newDeliveryId: deliveryIdFor(event.id, channelId), nowMs, readyAtMs: nowMs + 1000 };
}

/** A new pending delivery as a store holds it: unsealed, due at 1000. */
export function storedDelivery(over: Partial<StoredDelivery> = {}): StoredDelivery {
  return {
    id: 'd1', channelId: 'hook', groupKey: 'g', state: 'pending', sealed: false, attempts: 0, lastError: null, nextAttemptAtMs: 1000,
    leaseUntilMs: null, leaseToken: null, createdAtMs: 0, scheduleStartMs: 0, updatedAtMs: 0, deliveredAtMs: null, ...over,
  };
}

/** An event's item on a delivery's channel. */
export function deliveryItem(d: Pick<StoredDelivery, 'id' | 'channelId'>, event: NotificationEvent = breach(), enqueuedAtMs = 0): DeliveryItem {
  return { eventId: event.id, channelId: d.channelId, deliveryId: d.id, event, enqueuedAtMs };
}

/** The header of the smallest schools export: the contract's required columns. */
export const SCHOOLS_CSV_HEADER = 'Период;МОУО;Наименование ОО;ИНН;В Сфере;Администратор активен;Педагогов всего;Педагогов в Сфере;Обучающихся всего;Обучающихся в Сфере';
/** One valid school under that header. */
export const SCHOOLS_CSV_ROW = '06.03-10.03.2023;Курский МО;Школа;2634000011;да;да;10;10;100;90';

/** A schools export with CRLF line ends, by default the one valid school. */
export const schoolsCsv = (rows: readonly string[] = [SCHOOLS_CSV_ROW], header = SCHOOLS_CSV_HEADER): string => `${header}\r\n${rows.join('\r\n')}\r\n`;
