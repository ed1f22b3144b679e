// Integration: reconciliation of the bucket against the ingest ledger: an upload
// whose trigger was lost, or whose retries were all refused by a dead invocation's lease,
// is ingested exactly once by the timer.
import { describe, expect, test } from 'vitest';
import { ingestHandler } from '../../../functions/ingest/handler.ts';
import { TransientError } from '../../../shared/domain/errors.ts';
import { reconcileUploads } from '../../../shared/usecases/reconcile-uploads.ts';
import { schoolsCsv } from '../../support/builders.ts';
import { functionContext, storageEvent } from '../../support/events.ts';
import { withOverrides } from '../../support/faults.ts';
import { startIngestEnv } from '../../support/ingest-env.ts';
import { TEST_BUCKET } from '../../support/s3.ts';

const CSV = schoolsCsv();
const GRACE = 10 * 60_000;

describe('reconcileUploads', () => {
  test('an upload whose trigger never came is ingested once, after the grace period', async () => {
    await using env = await startIngestEnv();
    await env.upload('uploads/26/lost.csv', CSV);
    await env.upload('reports/not-an-upload.json', '{}');
    env.clock.set(Date.now());

    const early = await reconcileUploads(env.deps(), { bucket: TEST_BUCKET, graceMs: GRACE, remainingMs: 60_000 });
    env.clock.advance(GRACE + 1_000);
    const due = await reconcileUploads(env.deps(), { bucket: TEST_BUCKET, graceMs: GRACE, remainingMs: 60_000 });
    const again = await reconcileUploads(env.deps(), { bucket: TEST_BUCKET, graceMs: GRACE, remainingMs: 60_000 });

    expect(early).toEqual({ checked: 1, ingested: [] });
    expect(due.ingested).toEqual([{ key: 'uploads/26/lost.csv', outcome: 'ingested' }]);
    expect(again.ingested).toEqual([]);
    expect(env.published).toHaveLength(1);
  });

  test('a crash whose trigger retries were all refused by the lease is repaired by the timer', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/stranded.csv';
    await env.upload(key, CSV);
    env.clock.set(Date.now());
    const dying = withOverrides(env.ledger, { release: async () => undefined });
    const crash = withOverrides(env.snapshots, { stageSchoolRows: async () => Promise.reject(new TransientError('killed')) });
    await expect(ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(0), env.deps({ ledger: dying, snapshots: crash }))).rejects.toThrow();
    for (let attempt = 0; attempt < 5; attempt++) {
      env.clock.advance(5_000);
      await expect(ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(0), env.deps())).rejects.toThrow(/transiently/);
    }
    // The trigger has given up; the lease (30 s) passes and the next timer run comes.
    env.clock.advance(GRACE);

    const run = await reconcileUploads(env.deps(), { bucket: TEST_BUCKET, graceMs: GRACE, remainingMs: 60_000 });

    expect(run.ingested).toEqual([{ key, outcome: 'ingested' }]);
    const ledger = env.db.prepare('SELECT status FROM upload_ledger').all();
    expect(ledger).toEqual([{ status: 'completed' }]);
    expect((await reconcileUploads(env.deps(), { bucket: TEST_BUCKET, graceMs: GRACE, remainingMs: 60_000 })).ingested).toEqual([]);
  });
});
