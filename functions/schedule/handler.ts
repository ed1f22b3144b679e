// Function `schedule`: the timer triggers' handler. The trigger's payload names the job:
// `missing_exports` (one export_missing per municipality without an export for the week),
// `reconcile` (ingest uploads whose trigger was lost or whose retries ran out, T06) or
// `digest` (one weekly summary of open alerts per region).
import { z } from 'zod';
import { processEach } from '../../shared/runtime/batch.ts';
import { entryPoint } from '../../shared/runtime/entry.ts';
import { scheduleDeps, type ScheduleDeps } from '../../shared/runtime/wiring.ts';
import { TimerEvent, type FunctionContext } from '../../shared/runtime/yandex-events.ts';
import { checkMissingExports } from '../../shared/usecases/check-missing-exports.ts';
import { reconcileUploads } from '../../shared/usecases/reconcile-uploads.ts';
import { sendDigest } from '../../shared/usecases/send-digest.ts';

export const ScheduleJob = z.enum(['missing_exports', 'reconcile', 'digest']);
export type ScheduleJob = z.infer<typeof ScheduleJob>;

export type ScheduleReply = { statusCode: 200; body: string };

/** The un-wrapped handler: tests and the local runtime call it with their own deps. */
export async function scheduleHandler(event: unknown, context: FunctionContext, deps: ScheduleDeps): Promise<ScheduleReply> {
  const timer = TimerEvent.parse(event);
  const jobs = timer.messages.map((m) => ScheduleJob.safeParse(m.details.payload?.trim()));
  if (jobs.some((j) => !j.success)) {
    // A trigger with the wrong payload is a deploy mistake; retrying it cannot help.
    deps.log.error('schedule.unknown_job', { payloads: timer.messages.map((m) => m.details.payload ?? null) });
    return { statusCode: 200, body: JSON.stringify({ error: 'unknown_job', expected: ScheduleJob.options }) };
  }
  const results = await processEach(
    jobs.map((j) => j.data!),
    async (job) => {
      switch (job) {
        case 'missing_exports': {
          const events = await Promise.all(deps.regions.map((r) => checkMissingExports(deps, r.code, deps.missingExportWeek)));
          return { job, events: events.flat().length };
        }
        case 'reconcile': {
          const r = await reconcileUploads(deps.ingest, { bucket: deps.bucket, graceMs: deps.reconcileGraceMs, remainingMs: context.getRemainingTimeInMillis?.() ?? 0 });
          return { job, checked: r.checked, ingested: r.ingested.length };
        }
        case 'digest': {
          const sent = await Promise.all(deps.regions.map((r) => sendDigest(deps, r)));
          return { job, digests: sent.filter(Boolean).length };
        }
      }
    },
    deps.log,
  );
  return { statusCode: 200, body: JSON.stringify(results.map((r) => (r.ok ? r.value : { index: r.index }))) };
}

/** Entry point of the deployed function (`dist/schedule/index.handler`). */
export const handler = entryPoint('schedule', scheduleDeps, scheduleHandler);
