// Local runtime: the trigger retry policy shared by Object Storage and timer triggers
// (research §2): on a thrown error the trigger calls again up to `retry.attempts` more
// times, `retry.interval` seconds apart (scaled down locally), then gives the event up to
// its dead-letter queue. Message Queue triggers do not retry; see queue-triggers.ts.
import type { FunctionHost, RuntimeLog } from './functions.ts';
import type { RetryPolicy } from './serverless-config.ts';

export type DeadLetter = {
  readonly source: 's3' | 'cron' | 'ymq';
  /** the trigger id (s3, cron) or the queue name (ymq) */
  readonly trigger: string;
  readonly function: string;
  /** the event given up (s3, cron) or the message body (ymq) */
  readonly event: unknown;
  readonly error: string;
  readonly attempts: number;
  readonly atMs: number;
};

export async function invokeWithRetry(
  host: FunctionHost,
  call: { trigger: string; fn: string; source: 's3' | 'cron'; event: unknown; retry: RetryPolicy | undefined; timeScale: number; log: RuntimeLog },
  onDead: (dead: DeadLetter) => void,
): Promise<boolean> {
  const attempts = 1 + (call.retry?.attempts ?? 0);
  let error = '';
  for (let i = 1; i <= attempts; i++) {
    const r = await host.invoke(call.fn, call.source, call.event);
    if (r.ok) return true;
    error = `${r.error.name}: ${r.error.message}`;
    if (i < attempts) {
      call.log('WARN', 'local.retry', { trigger: call.trigger, function: call.fn, attempt: i, of: attempts });
      await new Promise((res) => setTimeout(res, call.retry!.interval * 1000 * call.timeScale));
    }
  }
  call.log('ERROR', 'local.dead_letter', { trigger: call.trigger, function: call.fn, attempts, error });
  onDead({ source: call.source, trigger: call.trigger, function: call.fn, event: call.event, error, attempts, atMs: Date.now() });
  return false;
}
