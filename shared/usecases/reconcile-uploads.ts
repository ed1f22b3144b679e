// Use case: reconciliation, run by the schedule function. The bucket is the source of
// truth: an object under the upload prefix with no completed ingest after its last write,
// and no live lease, is ingested now. This closes the hole left when an ingest crashed and
// every trigger retry was refused by its lease, or when a trigger event was lost
// (test/int/usecases/reconcile-uploads.test.ts).
//
// Primary course:
//  1. List every object under the upload prefix (all pages).
//  2. Skip objects written less than `graceMs` ago: their trigger may still be on its way.
//  3. Skip objects whose ledger shows a completed ingest at or after their last write, or a
//     lease that is still running.
//  4. Ingest the rest through the ingest use case (which is itself idempotent).
// Each object on its own: one that fails is logged and counted, and the next is processed
// — a poison object first in the listing must not block every upload after it. A fault of
// ours on a file is closed by the ingest as a report (file.ingest_failed), so the next
// firing skips it; an infrastructure fault is left for the next firing to retry.
import { IssueCode, isRetryable } from '../domain/errors.ts';
import { uploadLeaseLive } from '../domain/store-rules/upload-lease.ts';
import type { IngestDeps, IngestOutcome } from './ingest-object.ts';
import { ingestObject } from './ingest-object.ts';

/** `failed`: closed by a fault of ours (with its report), or not ingested this time (a fault). */
export type ReconcileOutcome = IngestOutcome['kind'] | 'failed';
export type ReconcileResult = { readonly checked: number; readonly ingested: readonly { key: string; outcome: ReconcileOutcome }[] };

export async function reconcileUploads(deps: IngestDeps, input: { bucket: string; graceMs: number; remainingMs: number }): Promise<ReconcileResult> {
  const now = deps.clock.nowMs();
  let checked = 0;
  const ingested: { key: string; outcome: ReconcileOutcome }[] = [];
  for await (const obj of deps.objects.list(input.bucket, deps.settings.uploadPrefix)) {
    checked++;
    if (now - obj.lastModifiedMs < input.graceMs) continue;
    const outcome = await reconcileOne(deps, input.bucket, obj, now, input.remainingMs);
    if (outcome !== null) ingested.push({ key: obj.key, outcome });
  }
  return { checked, ingested };
}

/** null when the object needs nothing (done, or a lease is running). */
async function reconcileOne(deps: IngestDeps, bucket: string, obj: { key: string; lastModifiedMs: number }, now: number, remainingMs: number): Promise<ReconcileOutcome | null> {
  try {
    const entries = await deps.ledger.entriesForKey(bucket, obj.key);
    const done = entries.some((e) => e.status === 'completed' && (e.completedAtMs ?? 0) >= obj.lastModifiedMs);
    const running = entries.some((e) => e.status === 'in_progress' && uploadLeaseLive(e.leaseUntilMs, now));
    if (done || running) return null;
    const outcome = await ingestObject(deps, { bucket, key: obj.key, remainingMs });
    const failed = outcome.kind === 'ingested' && outcome.report.file_error?.code === IssueCode.IngestFailed;
    deps.log.info('reconcile.ingested', { key: obj.key, outcome: failed ? 'failed' : outcome.kind });
    return failed ? 'failed' : outcome.kind;
  } catch (error) {
    deps.log.warn('reconcile.failed', { key: obj.key, error: error instanceof Error ? error : String(error), retryable: isRetryable(error) });
    return 'failed';
  }
}
