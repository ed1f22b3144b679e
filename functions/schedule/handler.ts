// Function `schedule`: the timer triggers' handler. The trigger's payload names the job
// (see shared/usecases/scheduled-jobs.ts); each message runs one. A payload that names no
// job is a deploy mistake: logged and answered, never retried.
import { eventHandler, queueHandler } from '../../shared/runtime/batch.ts';
import { entryPoint } from '../../shared/runtime/entry.ts';
import { scheduleDeps } from '../../shared/runtime/wiring.ts';
import { TimerEvent, type FunctionContext } from '../../shared/runtime/yandex-events.ts';
import { runScheduledJob, ScheduleJob, type ScheduledJobDeps } from '../../shared/usecases/scheduled-jobs.ts';

export { ScheduleJob };

export type ScheduleReply = { statusCode: 200; body: string };

async function scheduleMessage(m: TimerEvent['messages'][number], context: FunctionContext, deps: ScheduledJobDeps) {
  const job = ScheduleJob.safeParse(m.details.payload?.trim());
  if (!job.success) {
    deps.log.error('schedule.unknown_job', { payload: m.details.payload ?? null });
    return { error: 'unknown_job', expected: ScheduleJob.options };
  }
  return runScheduledJob(deps, job.data, context.getRemainingTimeInMillis?.() ?? 0);
}

/** The un-wrapped handler: tests and the local runtime call it with their own deps. */
export const scheduleHandler: (event: unknown, context: FunctionContext, deps: ScheduledJobDeps) => Promise<ScheduleReply> = eventHandler('schedule', queueHandler(TimerEvent, scheduleMessage));

/** Entry point of the deployed function (`dist/schedule/index.handler`). */
export const handler = entryPoint('schedule', scheduleDeps, scheduleHandler);
