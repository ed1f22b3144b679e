// Function `schedule`: the timer triggers' handler. The trigger's payload names the job
// (see shared/usecases/scheduled-jobs.ts); each message runs one.
import { processEach } from '../../shared/runtime/batch.ts';
import { entryPoint } from '../../shared/runtime/entry.ts';
import { scheduleDeps } from '../../shared/runtime/wiring.ts';
import { TimerEvent, type FunctionContext } from '../../shared/runtime/yandex-events.ts';
import { runScheduledJob, ScheduleJob, type ScheduledJobDeps } from '../../shared/usecases/scheduled-jobs.ts';

export { ScheduleJob };

export type ScheduleReply = { statusCode: 200; body: string };

/** The un-wrapped handler: tests and the local runtime call it with their own deps. */
export async function scheduleHandler(event: unknown, context: FunctionContext, deps: ScheduledJobDeps): Promise<ScheduleReply> {
  const timer = TimerEvent.parse(event);
  const jobs = timer.messages.map((m) => ScheduleJob.safeParse(m.details.payload?.trim()));
  if (jobs.some((j) => !j.success)) {
    // A trigger with the wrong payload is a deploy mistake; retrying it cannot help.
    deps.log.error('schedule.unknown_job', { payloads: timer.messages.map((m) => m.details.payload ?? null) });
    return { statusCode: 200, body: JSON.stringify({ error: 'unknown_job', expected: ScheduleJob.options }) };
  }
  const remainingMs = context.getRemainingTimeInMillis?.() ?? 0;
  const results = await processEach(jobs.map((j) => j.data!), (job) => runScheduledJob(deps, job, remainingMs), deps.log);
  return { statusCode: 200, body: JSON.stringify(results.map((r) => (r.ok ? r.value : { index: r.index }))) };
}

/** Entry point of the deployed function (`dist/schedule/index.handler`). */
export const handler = entryPoint('schedule', scheduleDeps, scheduleHandler);
