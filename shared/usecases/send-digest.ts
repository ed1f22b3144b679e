// Use case: the weekly digest, run by the schedule function. One `digest` event per region
// listing every open alert (breach, at risk, export missing): "still breaching" is said
// here once a week instead of being repeated on every re-evaluation. It speaks for the
// latest complete week (alerts move on judged weeks only); a week closed incomplete says
// which exports it lacks, and a newer provisional week is named beside it, marked.
import { notificationId, type NotificationEvent } from '../domain/events.ts';
import { comparePeriods } from '../domain/alerts.ts';
import { isJudged } from '../domain/completeness.ts';
import { periodLabel, type Period } from '../domain/schemas.ts';
import type { AggregateStore } from '../ports/aggregate-store.ts';
import type { AlertStore } from '../ports/alert-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { NotificationSink } from '../ports/notification-sink.ts';

export type DigestDeps = {
  readonly alerts: AlertStore;
  readonly aggregates: Pick<AggregateStore, 'completeness'>;
  readonly sink: NotificationSink;
  readonly clock: Clock;
  readonly log: Logger;
};

export async function sendDigest(deps: DigestDeps, region: { code: string; name: string }): Promise<NotificationEvent | null> {
  const open = (await deps.alerts.forRegion(region.code)).filter((a) => a.status !== 'inactive');
  if (open.length === 0) {
    deps.log.info('schedule.digest', { region: region.code, open: 0 });
    return null;
  }
  const stored = await deps.aggregates.completeness(region.code);
  const judged = stored.filter((c) => isJudged(c.completeness)).at(-1) ?? null;
  const latest: Period = judged?.period ?? open.map((a) => a.period).sort(comparePeriods).at(-1)!;
  const notes = [
    ...(judged?.completeness.label ? [judged.completeness.label] : []),
    ...stored
      .filter((c) => !isJudged(c.completeness) && comparePeriods(c.period, latest) > 0)
      .map((c) => `${periodLabel(c.period)}: ${c.completeness.label ?? 'предварительно'}`),
  ];
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
    ...(notes.length > 0 ? { notes } : {}),
  };
  await deps.sink.publish([event]);
  deps.log.info('schedule.digest', { region: region.code, open: open.length, period: event.period.label });
  return event;
}
