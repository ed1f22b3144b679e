// Use case: the weekly missing-export check, run by the schedule function.
//
// Primary course:
//  1. Take the reporting week the check is about (the current or the previous school week).
//  2. Collect the municipalities that have school rows in any stored period overlapping it.
//  3. The period's completeness rule (shared/domain/completeness.ts) names the missing
//     ones — the same municipalities an incomplete week's label names; each gets one
//     `export_missing` event.
// The event id is deterministic from (type, scope, period), so a timer that fires twice
// publishes the same ids again and the notification outbox delivers each once.
import { periodCompleteness } from '../domain/completeness.ts';
import { notificationId, type NotificationEvent } from '../domain/events.ts';
import type { MunicipalityReference } from '../domain/normalise/municipality.ts';
import { overlaps, schoolWeek } from '../domain/reporting-week.ts';
import { periodLabel } from '../domain/schemas.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { NotificationSink } from '../ports/notification-sink.ts';
import type { SnapshotStore } from '../ports/snapshot-store.ts';

export type MissingExportDeps = {
  readonly snapshots: SnapshotStore;
  readonly sink: NotificationSink;
  readonly clock: Clock;
  readonly log: Logger;
  readonly references: ReadonlyMap<string, MunicipalityReference>;
};

export async function checkMissingExports(deps: MissingExportDeps, region: string, which: 'current' | 'previous'): Promise<NotificationEvent[]> {
  const ref = deps.references.get(region);
  if (!ref) return [];
  const now = deps.clock.nowMs();
  const week = schoolWeek(now, which);
  const covered = new Set<string>();
  for (const p of await deps.snapshots.periods(region)) {
    if (!overlaps(p, week)) continue;
    for (const row of await deps.snapshots.currentSchools(region, p)) covered.add(row.municipality_id);
  }
  const period = { ...week, label: periodLabel(week) };
  const missing = new Set(periodCompleteness({ reference: ref.municipalities, schools: covered, municipalities: [], pastDeadline: true }).schools.missing);
  const events: NotificationEvent[] = ref.municipalities
    .filter((m) => missing.has(m.id))
    .map((m) => {
      const scope = { level: 'municipality' as const, id: m.id, name: m.name };
      return {
        id: notificationId('export_missing', null, scope, week, region),
        type: 'export_missing' as const,
        region,
        scope,
        target: null,
        period,
        value: null,
        previous_value: null,
        generated_at: new Date(now).toISOString(),
      };
    });
  if (events.length > 0) await deps.sink.publish(events);
  deps.log.info('schedule.missing_exports', { region, period: period.label, missing: events.length, covered: covered.size });
  return events;
}
