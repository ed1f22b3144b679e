// Use case: the reporting deadline, run by the schedule function. A week still missing
// exports when its deadline passes is closed as `incomplete`: nothing else would look at it
// again (no upload arrives to re-aggregate it), so the job hands each such week back to the
// aggregate stage as a PeriodChanged. The aggregate sees the deadline passed, stores the
// week as incomplete — labelled with the municipalities it lacks — and judges it then:
// evaluations, alert transitions and notifications happen once, as for any complete week.
//
// Primary course, per region:
//  1. Read the stored completeness of its periods (one statement).
//  2. Each provisional period whose deadline has passed → one PeriodChanged.
// A rerun before the aggregate has run publishes the same weeks again; the aggregate is
// idempotent and alert events carry deterministic ids, so nothing is sent twice.
import { deadlineMs, type ReportingDeadline } from '../domain/completeness.ts';
import { periodLabel, type PeriodChanged } from '../domain/schemas.ts';
import type { AggregateStore } from '../ports/aggregate-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { PeriodChangedSink } from '../ports/period-changed.ts';

export type CloseWeeksDeps = {
  readonly aggregates: Pick<AggregateStore, 'completeness'>;
  readonly periodChanged: PeriodChangedSink;
  readonly reportingDeadline: ReportingDeadline;
  readonly clock: Clock;
  readonly log: Logger;
};

/** The upload id a deadline's PeriodChanged carries: no upload changed the week, its deadline did. */
export const DEADLINE_TRIGGER = 'reporting-deadline';

export async function closeWeeks(deps: CloseWeeksDeps, region: string): Promise<PeriodChanged[]> {
  const now = deps.clock.nowMs();
  const due = (await deps.aggregates.completeness(region)).filter(
    (c) => c.completeness.state === 'provisional' && now >= deadlineMs(c.period, deps.reportingDeadline),
  );
  const changes = due.map((c): PeriodChanged => ({
    type: 'period_changed',
    region,
    period: c.period,
    upload_id: DEADLINE_TRIGGER,
    changed_at: new Date(now).toISOString(),
  }));
  if (changes.length > 0) await deps.periodChanged.publish(changes);
  deps.log.info('schedule.close_weeks', { region, closing: due.map((c) => periodLabel(c.period)) });
  return changes;
}
