// Use case: the jobs the timer triggers name in their payload — `missing_exports` (one
// export_missing per municipality without an export for the week), `reconcile` (ingest
// uploads whose trigger was lost or whose retries ran out), `digest` (one weekly
// summary of open alerts per region, on the latest complete week) and `close_weeks` (weeks
// still missing exports after the reporting deadline go back to the aggregate stage, which
// closes them as incomplete and judges them).
import { z } from 'zod';
import { checkMissingExports, type MissingExportDeps } from './check-missing-exports.ts';
import { closeWeeks, type CloseWeeksDeps } from './close-weeks.ts';
import type { IngestDeps } from './ingest-object.ts';
import { reconcileUploads } from './reconcile-uploads.ts';
import { sendDigest, type DigestDeps } from './send-digest.ts';

export const ScheduleJob = z.enum(['missing_exports', 'reconcile', 'digest', 'close_weeks']);
export type ScheduleJob = z.infer<typeof ScheduleJob>;

export type ScheduledJobDeps = MissingExportDeps &
  DigestDeps &
  CloseWeeksDeps & {
    readonly ingest: IngestDeps;
    readonly bucket: string;
    readonly regions: readonly { code: string; name: string }[];
    readonly missingExportWeek: 'current' | 'previous';
    readonly reconcileGraceMs: number;
  };

export type JobResult =
  | { job: 'missing_exports'; events: number }
  | { job: 'reconcile'; checked: number; ingested: number }
  | { job: 'digest'; digests: number }
  | { job: 'close_weeks'; closing: number };

export async function runScheduledJob(deps: ScheduledJobDeps, job: ScheduleJob, remainingMs: number): Promise<JobResult> {
  switch (job) {
    case 'missing_exports': {
      const events = await Promise.all(deps.regions.map((r) => checkMissingExports(deps, r.code, deps.missingExportWeek)));
      return { job, events: events.flat().length };
    }
    case 'reconcile': {
      const r = await reconcileUploads(deps.ingest, { bucket: deps.bucket, graceMs: deps.reconcileGraceMs, remainingMs });
      return { job, checked: r.checked, ingested: r.ingested.length };
    }
    case 'digest': {
      const sent = await Promise.all(deps.regions.map((r) => sendDigest(deps, r)));
      return { job, digests: sent.filter(Boolean).length };
    }
    case 'close_weeks': {
      const closing = await Promise.all(deps.regions.map((r) => closeWeeks(deps, r.code)));
      return { job, closing: closing.flat().length };
    }
  }
}
