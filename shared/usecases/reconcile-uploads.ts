// Use case: reconciliation, run by the schedule function. The bucket is the source of
// truth: an object under the upload prefix with no completed ingest after its last write,
// and no live lease, is ingested now. This closes the hole left when an ingest crashed and
// every trigger retry was refused by its lease (T06), or when a trigger event was lost.
//
// Primary course:
//  1. List every object under the upload prefix (all pages).
//  2. Skip objects written less than `graceMs` ago: their trigger may still be on its way.
//  3. Skip objects whose ledger shows a completed ingest at or after their last write, or a
//     lease that is still running.
//  4. Ingest the rest through the ingest use case (which is itself idempotent).
import type { IngestDeps, IngestOutcome } from './ingest-object.ts';
import { ingestObject } from './ingest-object.ts';

export type ReconcileResult = { readonly checked: number; readonly ingested: readonly { key: string; outcome: IngestOutcome['kind'] }[] };

export async function reconcileUploads(deps: IngestDeps, input: { bucket: string; graceMs: number; remainingMs: number }): Promise<ReconcileResult> {
  const now = deps.clock.nowMs();
  let checked = 0;
  const ingested: { key: string; outcome: IngestOutcome['kind'] }[] = [];
  for await (const obj of deps.objects.list(input.bucket, deps.settings.uploadPrefix)) {
    checked++;
    if (now - obj.lastModifiedMs < input.graceMs) continue;
    const entries = await deps.ledger.entriesForKey(input.bucket, obj.key);
    const done = entries.some((e) => e.status === 'completed' && (e.completedAtMs ?? 0) >= obj.lastModifiedMs);
    const running = entries.some((e) => e.status === 'in_progress' && e.leaseUntilMs !== null && now <= e.leaseUntilMs);
    if (done || running) continue;
    const outcome = await ingestObject(deps, { bucket: input.bucket, key: obj.key, remainingMs: input.remainingMs });
    deps.log.info('reconcile.ingested', { key: obj.key, outcome: outcome.kind });
    ingested.push({ key: obj.key, outcome: outcome.kind });
  }
  return { checked, ingested };
}
