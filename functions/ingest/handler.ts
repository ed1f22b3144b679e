// Function `ingest`: the Object Storage trigger's handler. Parse the event, run the ingest
// use case once per object, map the outcome. ACL edits (ObjectUpdate) and deletions do
// nothing; bad files end as reports; only transient faults make the invocation throw; an
// event that is not an Object Storage event is logged once and answered (never retried).
import { eventHandler, queueHandler } from '../../shared/runtime/batch.ts';
import { entryPoint } from '../../shared/runtime/entry.ts';
import { ingestDeps } from '../../shared/runtime/wiring.ts';
import { ObjectStorageEvent, StorageEventType, type FunctionContext, type ObjectStorageMessage } from '../../shared/runtime/yandex-events.ts';
import { ingestUpload, type IngestDeps } from '../../shared/usecases/ingest-object.ts';

export type IngestReply = { statusCode: 200; body: string };

/** One object event: an upload's status, or why nothing was done. */
async function ingestMessage(m: ObjectStorageMessage, context: FunctionContext, deps: IngestDeps) {
  if (m.event_metadata.event_type !== StorageEventType.Create) return { kind: 'ignored', event_type: m.event_metadata.event_type };
  const v = await ingestUpload(deps, { bucket: m.details.bucket_id, keys: m.keys, remainingMs: context.getRemainingTimeInMillis?.() ?? 0 });
  return v.kind === 'ingested' || v.kind === 'duplicate' ? { kind: v.kind, key: v.report.key, status: v.report.status, upload_id: v.report.upload_id } : v;
}

/** The un-wrapped handler: tests and the local runtime call it with their own deps. */
export const ingestHandler: (event: unknown, context: FunctionContext, deps: IngestDeps) => Promise<IngestReply> = eventHandler('ingest', queueHandler(ObjectStorageEvent, ingestMessage));

/** Entry point of the deployed function (`dist/ingest/index.handler`). */
export const handler = entryPoint('ingest', ingestDeps, ingestHandler);
