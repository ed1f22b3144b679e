// Test helper: NotificationEvents as the aggregate stage emits them (deterministic ids),
// an injected clock and a scripted random source.
import { notificationId, type MetricId, type NotificationEvent, type NotificationType } from '../../shared/domain/events.ts';

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

export const MUNI = { id: 'm_26_izobilnensky', name: 'Изобильненский муниципальный округ' };

export function manualClock(startMs = Date.UTC(2023, 2, 11, 9, 0, 0)) {
  let now = startMs;
  return {
    nowMs: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    set: (ms: number) => {
      now = ms;
    },
  };
}

/** Returns the scripted values in turn, then the last one forever. */
export function scriptedRandom(values: number[]) {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
}

