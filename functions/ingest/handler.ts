// Function `ingest`: the Object Storage trigger's handler. Parse the event, run the ingest
// use case once per object, map the outcome. ACL edits (ObjectUpdate) and deletions do
// nothing; bad files end as reports; only transient faults make the invocation throw.
import middy from '@middy/core';
import { buildReference } from '../../shared/runtime/reference.ts';
import { processEach } from '../../shared/runtime/batch.ts';
import { loadConfig, type Env } from '../../shared/runtime/config.ts';
import { objectStoreFrom, periodChangedSinkFrom, storesFrom } from '../../shared/runtime/composition.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { invocationLogging } from '../../shared/runtime/middleware.ts';
import {
  ObjectStorageEvent,
  StorageEventType,
  objectKeyCandidates,
  type FunctionContext,
} from '../../shared/runtime/yandex-events.ts';
import { systemClock } from '../../shared/ports/clock.ts';
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

/** Deps from the environment, built once per warm instance. */
export async function depsFromEnv(env: Env): Promise<IngestDeps> {
  const stores = await storesFrom(env);
  const ref = buildReference();
  return {
    objects: objectStoreFrom(env),
    ledger: stores.ledger,
    snapshots: stores.snapshots,
    periodChanged: periodChangedSinkFrom(env),
    clock: systemClock,
    log: createLogger({ level: env.LOG_LEVEL, base: { fn: 'ingest' } }),
    settings: {
      uploadPrefix: env.UPLOAD_PREFIX,
      reportPrefix: env.REPORT_PREFIX,
      defaultRegion: env.DEFAULT_REGION ?? null,
      bufferBytes: env.INGEST_BUFFER_BYTES,
      minLeaseMs: env.INGEST_MIN_LEASE_MS,
      maxLeaseMs: env.INGEST_MAX_LEASE_MS,
      stageBatchRows: 1000,
    },
    mapHeaders: ref.mapHeaders,
    matchers: ref.matchers,
    knownRegions: ref.knownRegions,
  };
}

let warm: Promise<IngestDeps> | undefined;

export function makeHandler(getDeps: () => Promise<IngestDeps>) {
  return middy<unknown, IngestReply, Error, FunctionContext>()
    .use(invocationLogging(createLogger({ base: { fn: 'ingest' } }), 'ingest'))
    .handler(async (event, context) => ingestHandler(event, context, await getDeps()));
}

/** Entry point of the deployed function (`dist/ingest.handler`). */
export const handler = makeHandler(
  () =>
    (warm ??= depsFromEnv(loadConfig()).catch((err: unknown) => {
      warm = undefined; // a failed start-up is retried by the next invocation, not cached
      throw err;
    })),
);
