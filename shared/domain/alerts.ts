// Pure: alert state per (region, alert, scope) and its transitions, with Alertmanager-like
// semantics. An alert is a target of one scope, or the scope's
// missing export. Events are emitted on transitions only:
//   inactive → breach                 breach_opened (once; re-evaluations repeat nothing)
//   inactive → at_risk                at_risk
//   at_risk  → breach                 breach_opened (escalation)
//   breach   → anything else          breach_resolved (exactly once), then at_risk if at risk
//   at_risk  → inactive               nothing (no event type exists for it; the digest shows it)
//   no_data / inhibited               nothing moves: no data is neither met nor breached, and a
//                                     scope's missing export mutes its KPI alerts (inhibition)
//   export present → missing          export_missing, once per (scope, period)
// The state remembers the latest period evaluated; an evaluation of an older period (a
// late correction of a past week) does not move it, so the state always describes the
// newest data. Event ids are deterministic (notificationId), so a redelivered or retried
// aggregation yields the same ids and the notifier drops the duplicates.
import { z } from 'zod';
import { notificationId, Scope, TargetRef, type NotificationEvent, type NotificationType } from './events.ts';
import type { Evaluation } from './evaluate.ts';
import { Period, periodLabel, RegionCode } from './schemas.ts';

/** The alert id of a scope's missing export (target alerts use the target id). */
export const EXPORT_MISSING_ALERT = 'export_missing';

export const AlertStatus = z.enum(['inactive', 'at_risk', 'breach', 'export_missing']);
export type AlertStatus = z.infer<typeof AlertStatus>;

export const AlertState = z.object({
  region: RegionCode,
  /** a target id, or EXPORT_MISSING_ALERT */
  alert_id: z.string().min(1),
  scope: Scope,
  status: AlertStatus,
  /** the target as evaluated last (null for the missing-export alert) */
  target: TargetRef.nullable(),
  /** the latest period evaluated: older periods do not move the state */
  period: Period,
  /** the period in which the current status began; null while inactive */
  since: Period.nullable(),
  value: z.number().nullable(),
  /** the scope's export was missing at the last evaluation, so the state was held */
  inhibited: z.boolean(),
  /** when the status last changed (not touched by re-evaluations that change nothing) */
  changed_at: z.string(),
});
export type AlertState = z.infer<typeof AlertState>;

export type Transition = { readonly next: AlertState; readonly events: NotificationEvent[] };

/** Orders periods by start, then end; negative when a is older. */
export function comparePeriods(a: Period, b: Period): number {
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  return a.end === b.end ? 0 : a.end < b.end ? -1 : 1;
}

export function alertKey(s: { region: string; alert_id: string; scope: Pick<Scope, 'level' | 'id'> }): string {
  return `${s.region}|${s.alert_id}|${s.scope.level}|${s.scope.id}`;
}

function event(
  type: NotificationType,
  e: { region: string; scope: Scope; target: TargetRef | null; period: Period; value: number | null; previous_value: number | null },
  nowIso: string,
): NotificationEvent {
  return {
    id: notificationId(type, e.target?.id ?? null, e.scope, e.period, e.region),
    type,
    region: e.region,
    scope: e.scope,
    target: e.target,
    period: { start: e.period.start, end: e.period.end, label: periodLabel(e.period) },
    value: e.value,
    previous_value: e.previous_value,
    generated_at: nowIso,
  };
}

const DESIRED: Record<Evaluation['status'], AlertStatus | null> = {
  met: 'inactive',
  pending: 'inactive',
  at_risk: 'at_risk',
  breach: 'breach',
  no_data: null,
  // implausible data neither opens nor resolves an alert: it waits for corrected rows
  needs_review: null,
  // a provisional week moves nothing: its alerts wait for the week to be complete or closed
  provisional: null,
};

/** The new state of a target alert after one evaluation, and the events of the transition. */
export function transitionTarget(prev: AlertState | null, ev: Evaluation, nowIso: string): Transition {
  if (prev && comparePeriods(ev.period, prev.period) < 0) return { next: prev, events: [] };
  const prevStatus: AlertStatus = prev?.status ?? 'inactive';
  const desired = DESIRED[ev.status];
  if (desired === null) {
    // no data or inhibited: hold the status (and its value); remember the period and why
    const held: AlertState = prev
      ? { ...prev, period: ev.period, inhibited: ev.inhibited, target: ev.target }
      : {
          region: ev.region,
          alert_id: ev.target.id,
          scope: ev.scope,
          status: 'inactive',
          target: ev.target,
          period: ev.period,
          since: null,
          value: null,
          inhibited: ev.inhibited,
          changed_at: nowIso,
        };
    return { next: held, events: [] };
  }
  const events: NotificationEvent[] = [];
  const payload = { region: ev.region, scope: ev.scope, target: ev.target, period: ev.period, value: ev.value, previous_value: ev.previous_value };
  if (prevStatus === 'breach' && desired !== 'breach') events.push(event('breach_resolved', payload, nowIso));
  if (desired === 'breach' && prevStatus !== 'breach') events.push(event('breach_opened', payload, nowIso));
  if (desired === 'at_risk' && prevStatus !== 'at_risk') events.push(event('at_risk', payload, nowIso));
  const changed = desired !== prevStatus;
  return {
    next: {
      region: ev.region,
      alert_id: ev.target.id,
      scope: ev.scope,
      status: desired,
      target: ev.target,
      period: ev.period,
      since: desired === 'inactive' ? null : changed ? ev.period : (prev?.since ?? ev.period),
      value: ev.value,
      inhibited: false,
      changed_at: changed || !prev ? nowIso : prev.changed_at,
    },
    events,
  };
}

export type ExportCheck = { readonly region: string; readonly scope: Scope; readonly period: Period; readonly missing: boolean };

/** The missing-export alert of a scope: one `export_missing` per (scope, period) it is missing in. */
export function transitionExportMissing(prev: AlertState | null, check: ExportCheck, nowIso: string): Transition {
  if (prev && comparePeriods(check.period, prev.period) < 0) return { next: prev, events: [] };
  const status: AlertStatus = check.missing ? 'export_missing' : 'inactive';
  const alreadyTold = prev?.status === 'export_missing' && comparePeriods(prev.period, check.period) === 0;
  const events =
    check.missing && !alreadyTold
      ? [event('export_missing', { region: check.region, scope: check.scope, target: null, period: check.period, value: null, previous_value: null }, nowIso)]
      : [];
  const changed = status !== (prev?.status ?? 'inactive');
  return {
    next: {
      region: check.region,
      alert_id: EXPORT_MISSING_ALERT,
      scope: check.scope,
      status,
      target: null,
      period: check.period,
      since: check.missing ? (changed ? check.period : (prev?.since ?? check.period)) : null,
      value: null,
      inhibited: false,
      changed_at: changed || !prev ? nowIso : prev.changed_at,
    },
    events,
  };
}

/**
 * Applies one period's evaluations and export checks to the stored states. Returns the
 * states that differ from the stored ones (to save) and the events, in a stable order.
 */
export function applyPeriod(
  stored: readonly AlertState[],
  evaluations: readonly Evaluation[],
  exports: readonly ExportCheck[],
  nowIso: string,
): { changed: AlertState[]; events: NotificationEvent[] } {
  const byKey = new Map(stored.map((s) => [alertKey(s), s]));
  const changed: AlertState[] = [];
  const events: NotificationEvent[] = [];
  const step = (key: string, t: Transition) => {
    const before = byKey.get(key);
    if (!before || JSON.stringify(before) !== JSON.stringify(t.next)) changed.push(t.next);
    byKey.set(key, t.next);
    events.push(...t.events);
  };
  for (const c of exports) {
    const key = alertKey({ region: c.region, alert_id: EXPORT_MISSING_ALERT, scope: c.scope });
    step(key, transitionExportMissing(byKey.get(key) ?? null, c, nowIso));
  }
  for (const ev of evaluations) {
    const key = alertKey({ region: ev.region, alert_id: ev.target.id, scope: ev.scope });
    step(key, transitionTarget(byKey.get(key) ?? null, ev, nowIso));
  }
  return { changed, events };
}
