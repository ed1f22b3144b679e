// Use case: the reporting deadline, run by the schedule function. A week still missing
// exports when its deadline passes is closed as `incomplete`: nothing else would look at it
// again (no upload arrives to re-aggregate it), so the job hands each such week back to the
// aggregate stage as a PeriodChanged. The aggregate sees the deadline passed, stores the
// week as incomplete — labelled with the municipalities it lacks — and judges it then:
// evaluations, alert transitions and notifications happen once, as for any complete week.
//
// Primary course, per region:
//  1. Read the stored completeness of its periods (one statement) and the periods with aggregates.
//  2. Each provisional period whose deadline has passed → one PeriodChanged.
//  3. Each period with aggregates but no completeness (aggregated before completeness was
//     stored) → one PeriodChanged too: the recompute stores it, so a deployment's existing
//     weeks gain their completeness within an hour of the upgrade.
// A rerun before the aggregate has run publishes the same weeks again; the aggregate is
// idempotent and alert events carry deterministic ids, so nothing is sent twice.
import { pastDeadline } from '../domain/completeness.ts';
import { periodKey, periodLabel, type Period, type PeriodChanged } from '../domain/schemas.ts';
import type { AggregateStore } from '../ports/aggregate-store.ts';
import type { Logger } from '../ports/logger.ts';
import type { PeriodChangedSink } from '../ports/period-changed.ts';
import type { AggregateDeps } from './aggregate-period.ts';

/** The clock and the deadline are the aggregate stage's: a week handed back is one it closes. */
export type CloseWeeksDeps = Pick<AggregateDeps, 'clock' | 'reportingDeadline'> & {
  readonly aggregates: Pick<AggregateStore, 'completeness' | 'periods'>;
  readonly periodChanged: PeriodChangedSink;
  readonly log: Logger;
};

/** The upload id a deadline's PeriodChanged carries: no upload changed the week, its deadline did. */
const DEADLINE_TRIGGER = 'reporting-deadline';
/** The upload id of a recompute that only adds a missing completeness. */
const BACKFILL_TRIGGER = 'completeness-backfill';

export async function closeWeeks(deps: CloseWeeksDeps, region: string): Promise<PeriodChanged[]> {
  const now = deps.clock.nowMs();
  const stored = await deps.aggregates.completeness(region);
  const due = stored.filter((c) => c.completeness.state === 'provisional' && pastDeadline(c.period, now, deps.reportingDeadline)).map((c) => c.period);
  const known = new Set(stored.map((c) => periodKey(c.period)));
  const unknown = (await deps.aggregates.periods(region)).filter((p) => !known.has(periodKey(p)));
  const change = (period: Period, uploadId: string): PeriodChanged => ({ type: 'period_changed', region, period, upload_id: uploadId, changed_at: new Date(now).toISOString() });
  const changes = [...due.map((p) => change(p, DEADLINE_TRIGGER)), ...unknown.map((p) => change(p, BACKFILL_TRIGGER))];
  if (changes.length > 0) await deps.periodChanged.publish(changes);
  deps.log.info('schedule.close_weeks', { region, closing: due.map(periodLabel), backfilling: unknown.map(periodLabel) });
  return changes;
}
