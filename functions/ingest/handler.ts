// Function `ingest`: the Object Storage trigger's handler. Parse the event, run the ingest
// use case once per object, map the outcome. ACL edits (ObjectUpdate) and deletions do
// nothing; bad files end as reports; only transient faults make the invocation throw.
import { processEach } from '../../shared/runtime/batch.ts';
import { entryPoint } from '../../shared/runtime/entry.ts';
import { ingestDeps } from '../../shared/runtime/wiring.ts';
import {
  ObjectStorageEvent,
  StorageEventType,
  objectKeyCandidates,
  type FunctionContext,
} from '../../shared/runtime/yandex-events.ts';
import { ingestObject, type IngestDeps, type IngestOutcome } from '../../shared/usecases/ingest-object.ts';

export type IngestReply = { statusCode: 200; body: string };

/** The un-wrapped handler: tests and the local runtime call it with their own deps. */
export async function ingestHandler(event: unknown, context: FunctionContext, deps: IngestDeps): Promise<IngestReply> {
  const parsed = ObjectStorageEvent.parse(event);
  const results = await processEach(
    parsed.messages,
    async (m): Promise<IngestOutcome | { kind: 'ignored'; event_type: string }> => {
      if (m.event_metadata.event_type !== StorageEventType.Create) return { kind: 'ignored', event_type: m.event_metadata.event_type };
      let outcome: IngestOutcome = { kind: 'skipped', reason: 'object_missing' };
      for (const key of objectKeyCandidates(m.details.object_id)) {
        outcome = await ingestObject(deps, {
          bucket: m.details.bucket_id,
          key,
          remainingMs: context.getRemainingTimeInMillis?.() ?? 0,
        });
        if (!(outcome.kind === 'skipped' && outcome.reason === 'object_missing')) break;
      }
      return outcome;
    },
    deps.log,
  );
  return {
    statusCode: 200,
    body: JSON.stringify(
      results.map((r) => {
        const v = r.ok ? r.value : null;
        if (!v) return { index: r.index };
        if (v.kind === 'ingested' || v.kind === 'duplicate') return { kind: v.kind, key: v.report.key, status: v.report.status, upload_id: v.report.upload_id };
        return v;
      }),
    ),
  };
}

/** Entry point of the deployed function (`dist/ingest/index.handler`). */
export const handler = entryPoint('ingest', ingestDeps, ingestHandler);
