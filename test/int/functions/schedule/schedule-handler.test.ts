// Integration: the schedule function invoked with the Yandex timer events from events/,
// over s3rver and a real SQLite store; each payload runs its job.
import { describe, expect, test } from 'vitest';
import { scheduleHandler } from '../../../../functions/schedule/handler.ts';
import { SqliteAggregateStore } from '../../../../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../../../../shared/adapters/sqlite/alert-store.ts';
import { ReportingDeadline } from '../../../../shared/domain/completeness.ts';
import type { NotificationEvent } from '../../../../shared/domain/events.ts';
import type { ScheduledJobDeps } from '../../../../shared/usecases/scheduled-jobs.ts';
import { buildReference } from '../../../../shared/runtime/reference.ts';
import { aggregateRow, alertState, P1, schoolsCsv, unitScope } from '../../../support/builders.ts';
import { functionContext, loadEvent } from '../../../support/events.ts';
import { startIngestEnv, type IngestEnv } from '../../../support/ingest-env.ts';
import { TEST_BUCKET } from '../../../support/s3.ts';

const ref = buildReference();

function deps(env: IngestEnv, published: NotificationEvent[]): ScheduledJobDeps {
  return {
    snapshots: env.snapshots,
    alerts: new SqliteAlertStore(env.db),
    aggregates: new SqliteAggregateStore(env.db),
    sink: { publish: async (e) => void published.push(...e) },
    periodChanged: env.deps().periodChanged,
    reportingDeadline: ReportingDeadline.parse('wed 21:00'),
    clock: env.clock,
    log: env.logs.log,
    references: ref.municipalities,
    ingest: env.deps(),
    bucket: TEST_BUCKET,
    regions: ref.knownRegions,
    missingExportWeek: 'previous',
    reconcileGraceMs: 60_000,
  };
}

describe('schedule handler', () => {
  test('the reconcile timer ingests an upload whose trigger was lost', async () => {
    await using env = await startIngestEnv();
    await env.upload('uploads/26/lost.csv', schoolsCsv());
    env.clock.set(Date.now() + 120_000);

    const reply = await scheduleHandler(loadEvent('timer-reconcile.json'), functionContext(), deps(env, []));

    expect(JSON.parse(reply.body)).toEqual([{ job: 'reconcile', checked: 1, ingested: 1 }]);
    expect(env.published).toHaveLength(1);
  });

  test('the missing-export timer fires one event per municipality, the same ids twice', async () => {
    await using env = await startIngestEnv();
    const published: NotificationEvent[] = [];
    env.clock.set(Date.parse('2023-03-13T07:00:00Z'));

    await scheduleHandler(loadEvent('timer-missing-exports.json'), functionContext(), deps(env, published));
    await scheduleHandler(loadEvent('timer-missing-exports.json'), functionContext(), deps(env, published));

    expect(published).toHaveLength(66);
    expect(new Set(published.map((e) => e.id)).size).toBe(33);
    expect(published.every((e) => e.type === 'export_missing' && e.period.label === '06.03-10.03.2023')).toBe(true);
  });

  test('the digest lists the open alerts of the region and nothing when none is open', async () => {
    await using env = await startIngestEnv();
    const published: NotificationEvent[] = [];
    const d = deps(env, published);
    await scheduleHandler(loadEvent('timer-digest.json'), functionContext(), d);
    expect(published).toEqual([]);
    const target = { id: 'teachers_chat_creators', metric: 'teachers_chat_creators_share' as const, op: '>=' as const, threshold: 0.35, due: '2023-09-01' };
    const changed_at = '2023-03-13T07:00:00.000Z';
    await d.alerts.save([
      alertState({ alert_id: target.id, scope: unitScope(), status: 'at_risk', target, value: 0.22, changed_at }),
      alertState({ alert_id: 'teachers_msg3', scope: unitScope(), status: 'inactive', target: { ...target, id: 'teachers_msg3', metric: 'teachers_msg3_share' }, since: null, value: 0.3, changed_at }),
    ]);

    const reply = await scheduleHandler(loadEvent('timer-digest.json'), functionContext(), d);

    expect(JSON.parse(reply.body)).toEqual([{ job: 'digest', digests: 1 }]);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ type: 'digest', region: '26', value: 1, period: { label: '06.03-10.03.2023' }, items: [{ type: 'at_risk', value: 0.22 }] });
  });

  test('close_weeks sends a week aggregated before completeness was stored back to be recomputed, once it has one nothing', async () => {
    // Prepare: a period with aggregates and no completeness, as an upgraded deployment has them
    await using env = await startIngestEnv();
    const d = deps(env, []);
    const aggregates = new SqliteAggregateStore(env.db);
    await aggregates.replacePeriod('26', P1, [aggregateRow()]);
    // Act
    const reply = await scheduleHandler(loadEvent('timer-close-weeks.json'), functionContext(), d);
    // Assess
    expect(JSON.parse(reply.body)).toEqual([{ job: 'close_weeks', closing: 1 }]);
    expect(env.published.map((c) => [c.period, c.upload_id])).toEqual([[P1, 'completeness-backfill']]);
    const complete = { complete: true, state: 'complete' as const, label: null, schools: { expected: 1, reported: 1, missing: [] }, municipalities: { expected: 1, reported: 1, missing: [] } };
    await aggregates.replacePeriod('26', P1, [aggregateRow()], complete);
    await scheduleHandler(loadEvent('timer-close-weeks.json'), functionContext(), d);
    expect(env.published).toHaveLength(1);
  });

  test('an unknown payload is a logged wiring error, not a retry loop', async () => {
    await using env = await startIngestEnv();
    const event = loadEvent<{ messages: { details: { payload: string } }[] }>('timer-digest.json');
    event.messages[0]!.details.payload = 'drop_tables';

    const reply = await scheduleHandler(event, functionContext(), deps(env, []));

    expect(JSON.parse(reply.body)).toEqual([{ error: 'unknown_job', expected: ['missing_exports', 'reconcile', 'digest', 'close_weeks'] }]);
    expect(env.logs.entries().some((e) => e.level === 'ERROR' && e.msg === 'schedule.unknown_job')).toBe(true);
  });
});
