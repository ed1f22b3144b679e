// Integration: the object actually stored under a key wins. Two versions of one key land in
// the same LastModified second (S3's resolution); the older version's ingest read its bytes
// first but takes its lease last, so "newer upload wins" (LastModified, then ingest order)
// would let the stale version win, and reconciliation, seeing a completed ingest after the
// key's last write, would never heal it. Real s3rver, real SQLite; the one LastModified
// second is pinned so the test does not depend on the wall clock.
import { expect, test } from 'vitest';
import type { ObjectStore } from '../../../shared/ports/object-store.ts';
import type { UploadLedger } from '../../../shared/ports/upload-ledger.ts';
import { ingestObject } from '../../../shared/usecases/ingest-object.ts';
import { reconcileUploads } from '../../../shared/usecases/reconcile-uploads.ts';
import { inn, P1, schoolsCsv } from '../../support/builders.ts';
import { withOverrides } from '../../support/faults.ts';
import { startIngestEnv, type IngestEnv } from '../../support/ingest-env.ts';
import { TEST_BUCKET } from '../../support/s3.ts';

const KEY = 'uploads/26/ОО_06.03-10.03.2023.csv';
const version = (teachers: number) => schoolsCsv([`06.03-10.03.2023;Курский МО;МБОУ СОШ № 1;${inn(1)};да;да;${teachers};${teachers - 2};500;400`]);

/** Both versions report one LastModified second, as two puts within a second do. */
function sameSecond(objects: ObjectStore, ms: number): ObjectStore {
  return withOverrides(objects, {
    head: async (b: string, k: string) => {
      const h = await objects.head(b, k);
      return h && { ...h, lastModifiedMs: ms };
    },
    list: (b: string, p: string) =>
      (async function* () {
        for await (const o of objects.list(b, p)) yield { ...o, lastModifiedMs: ms };
      })(),
  });
}

/** A ledger whose next acquire waits for `go`: the stale version's ingest takes its lease last. */
function pausedAcquire(ledger: UploadLedger) {
  let arrived!: () => void;
  let go!: () => void;
  const atLease = new Promise<void>((r) => (arrived = r));
  const resume = new Promise<void>((r) => (go = r));
  const paused = withOverrides(ledger, {
    acquire: async (...args: Parameters<UploadLedger['acquire']>) => {
      arrived();
      await resume;
      return ledger.acquire(...args);
    },
  });
  return { paused, atLease, go };
}

/**
 * v1 is put and its event's ingest has read v1 and waits at the lease; both versions share
 * one LastModified second. `go()` lets it take the lease; `late` is its outcome.
 */
async function v1WaitingAtLease(env: IngestEnv) {
  const second = Date.parse('2023-03-10T14:17:47Z');
  const objects = sameSecond(env.s3.store, second);
  env.clock.set(second + 1_000);
  await env.upload(KEY, version(10));
  const gate = pausedAcquire(env.ledger);
  const late = ingestObject(env.deps({ objects, ledger: gate.paused }), { bucket: TEST_BUCKET, key: KEY, remainingMs: 60_000 });
  await gate.atLease;
  return { objects, late, go: gate.go };
}

test('put v1, put v2, ingest v2, then v1 late: v2 stays in force, v1 is not committed, reconciliation has nothing to heal', async () => {
  await using env = await startIngestEnv();
  // v1's event: its ingest reads v1 and stops before the lease
  const { objects, late, go } = await v1WaitingAtLease(env);

  // v2 overwrites the key in the same second; its event is ingested at once
  await env.upload(KEY, version(20));
  const v2 = await ingestObject(env.deps({ objects }), { bucket: TEST_BUCKET, key: KEY, remainingMs: 60_000 });
  expect(v2.kind === 'ingested' && v2.report.status).toBe('accepted');
  expect((await env.snapshots.currentSchools('26', P1)).map((s) => s.teachers_total)).toEqual([20]);

  // v1's ingest resumes: it takes the later lease, but its version is no longer the key's
  go();
  const v1 = await late;
  expect(v1).toEqual({ kind: 'skipped', reason: 'object_changed' });
  expect((await env.snapshots.currentSchools('26', P1)).map((s) => s.teachers_total)).toEqual([20]);
  expect(env.published.map((p) => p.upload_id)).toEqual([v2.kind === 'ingested' ? v2.report.upload_id : '']);
  expect(env.logs.entries().some((e) => e.msg === 'ingest.object_changed')).toBe(true);

  // the report beside the key is v2's
  expect((await env.report(KEY))?.upload_id).toBe(v2.kind === 'ingested' ? v2.report.upload_id : null);

  // the timer's reconciliation later: v2 is in force and done; nothing is re-ingested
  env.clock.advance(3_600_000);
  const rec = await reconcileUploads(env.deps({ objects }), { bucket: TEST_BUCKET, graceMs: 600_000, remainingMs: 60_000 });
  expect(rec.ingested).toEqual([]);
  expect((await env.snapshots.currentSchools('26', P1)).map((s) => s.teachers_total)).toEqual([20]);
});

test('the version read changed before the lease and nothing else ingested it: released, and reconciliation ingests what is stored', async () => {
  await using env = await startIngestEnv();
  const { objects, late, go } = await v1WaitingAtLease(env);
  // v2 is stored but its event is lost
  await env.upload(KEY, version(20));
  go();
  expect(await late).toEqual({ kind: 'skipped', reason: 'object_changed' });
  expect(await env.snapshots.currentSchools('26', P1)).toEqual([]);

  env.clock.advance(3_600_000);
  const rec = await reconcileUploads(env.deps({ objects }), { bucket: TEST_BUCKET, graceMs: 600_000, remainingMs: 60_000 });
  expect(rec.ingested).toEqual([{ key: KEY, outcome: 'ingested' }]);
  expect((await env.snapshots.currentSchools('26', P1)).map((s) => s.teachers_total)).toEqual([20]);
});
