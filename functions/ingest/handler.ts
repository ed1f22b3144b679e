// Function `ingest`: the Object Storage trigger's handler. Parse the event, run the ingest
// use case once per object, map the outcome. ACL edits (ObjectUpdate) and deletions do
// nothing; bad files end as reports; only transient faults make the invocation throw.
import { processEach, type ItemResult } from '../../shared/runtime/batch.ts';
import { entryPoint } from '../../shared/runtime/entry.ts';
import { ingestDeps } from '../../shared/runtime/wiring.ts';
import { ObjectStorageEvent, StorageEventType, type FunctionContext } from '../../shared/runtime/yandex-events.ts';
import { ingestUpload, type IngestDeps, type IngestOutcome } from '../../shared/usecases/ingest-object.ts';

export type IngestReply = { statusCode: 200; body: string };

type MessageOutcome = IngestOutcome | { kind: 'ignored'; event_type: string };

/** The un-wrapped handler: tests and the local runtime call it with their own deps. */
export async function ingestHandler(event: unknown, context: FunctionContext, deps: IngestDeps): Promise<IngestReply> {
  const { messages } = ObjectStorageEvent.parse(event);
  const remainingMs = context.getRemainingTimeInMillis?.() ?? 0;
  const results = await processEach(
    messages,
    async (m): Promise<MessageOutcome> =>
      m.event_metadata.event_type === StorageEventType.Create
        ? ingestUpload(deps, { bucket: m.details.bucket_id, keys: m.keys, remainingMs })
        : { kind: 'ignored', event_type: m.event_metadata.event_type },
    deps.log,
  );
  return { statusCode: 200, body: JSON.stringify(results.map(summary)) };
}

/** What the reply says of one message: an upload's status, or why nothing was done. */
function summary(r: ItemResult<MessageOutcome>) {
  if (!r.ok) return { index: r.index };
  const v = r.value;
  return v.kind === 'ingested' || v.kind === 'duplicate' ? { kind: v.kind, key: v.report.key, status: v.report.status, upload_id: v.report.upload_id } : v;
}

/** Entry point of the deployed function (`dist/ingest/index.handler`). */
export const handler = entryPoint('ingest', ingestDeps, ingestHandler);
