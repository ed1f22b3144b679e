// Use case: the weekly digest, run by the schedule function. One `digest` event per region
// listing every open alert (breach, at risk, export missing): "still breaching" is said
// here once a week instead of being repeated on every re-evaluation.
import { notificationId, type NotificationEvent } from '../domain/events.ts';
import { comparePeriods } from '../domain/alerts.ts';
import { periodLabel } from '../domain/schemas.ts';
import type { AlertStore } from '../ports/alert-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { NotificationSink } from '../ports/notification-sink.ts';

export type DigestDeps = { readonly alerts: AlertStore; readonly sink: NotificationSink; readonly clock: Clock; readonly log: Logger };

export async function sendDigest(deps: DigestDeps, region: { code: string; name: string }): Promise<NotificationEvent | null> {
  const open = (await deps.alerts.forRegion(region.code)).filter((a) => a.status !== 'inactive');
  if (open.length === 0) {
    deps.log.info('schedule.digest', { region: region.code, open: 0 });
    return null;
  }
  const latest = open.map((a) => a.period).sort(comparePeriods).at(-1)!;
  const scope = { level: 'region' as const, id: region.code, name: region.name };
  const event: NotificationEvent = {
    id: notificationId('digest', null, scope, latest, region.code),
    type: 'digest',
    region: region.code,
    scope,
    target: null,
    period: { ...latest, label: periodLabel(latest) },
    value: open.length,
    previous_value: null,
    generated_at: new Date(deps.clock.nowMs()).toISOString(),
    items: open.map((a) => ({
      type: a.status === 'breach' ? ('breach_opened' as const) : a.status === 'at_risk' ? ('at_risk' as const) : ('export_missing' as const),
      scope: a.scope,
      target: a.target,
      value: a.value,
    })),
  };
  await deps.sink.publish([event]);
  deps.log.info('schedule.digest', { region: region.code, open: open.length, period: event.period.label });
  return event;
}
