// Pure: scopes, target references, and the event that the aggregate stage hands to the
// notification function.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { IsoDate, MetricId, RegionCode } from './schemas.ts';

export const ScopeLevel = z.enum(['region', 'municipality']);
export type ScopeLevel = z.infer<typeof ScopeLevel>;

export const Scope = z.object({ level: ScopeLevel, id: z.string(), name: z.string() });
export type Scope = z.infer<typeof Scope>;

export const TargetOp = z.enum(['>=', '=']);
export type TargetOp = z.infer<typeof TargetOp>;

export const TargetRef = z.object({
  id: z.string(),
  metric: MetricId,
  op: TargetOp,
  threshold: z.number(),
  due: IsoDate,
});
export type TargetRef = z.infer<typeof TargetRef>;

export const NotificationType = z.enum(['breach_opened', 'breach_resolved', 'at_risk', 'export_missing', 'digest']);
export type NotificationType = z.infer<typeof NotificationType>;

/**
 * What the aggregate stage (and the schedule function) hands to `notify`. Organisation-level
 * data only: scope names, metric ids, values and periods; never a person's name or contact.
 */
export const NotificationEvent = z.object({
  id: z.string(),
  type: NotificationType,
  region: RegionCode,
  scope: Scope,
  /** null for `export_missing` and `digest`, which are not about one target */
  target: TargetRef.nullable(),
  period: z.object({ start: IsoDate, end: IsoDate, label: z.string() }),
  value: z.number().nullable(),
  previous_value: z.number().nullable(),
  generated_at: z.string(),
  /** `digest` only: the open alerts it summarises */
  items: z
    .array(z.object({ type: NotificationType, scope: Scope, target: TargetRef.nullable(), value: z.number().nullable() }))
    .optional(),
  /**
   * `digest` only: what its week stands on — «неполные данные: нет выгрузок …» for a week
   * closed incomplete, and each newer provisional week with «предварительно: N из 33 МОУО»
   */
  notes: z.array(z.string()).optional(),
});
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/**
 * Deterministic event id from (type, target, scope, period), so a redelivery or a
 * re-evaluation produces the same id and downstream dedup recognises it.
 */
export function notificationId(
  type: NotificationType,
  targetId: string | null,
  scope: Pick<Scope, 'level' | 'id'>,
  period: { start: string; end: string },
  region: string,
): string {
  const key = [type, region, targetId ?? '-', scope.level, scope.id, period.start, period.end].join('|');
  return `evt_${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}
