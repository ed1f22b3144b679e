// Contract suite: what every UploadLedger adapter promises the ingest, the API's upload list
// and reconciliation (SQLite, and YDB through the executing wire double; a real YDB when
// YDB_ENDPOINT is set). keyv-style: each test names its own object keys (`keys()`), reads
// only what it wrote (a list is narrowed to its own uploads, a page pinned by its own
// sequences), and `await using` disposes of the store the factory gave, so the suite holds
// in a fresh database and in a shared one alike, with nothing emptied by hand.
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { AcquireResult, LedgerKey, UploadLedger } from '../../shared/ports/upload-ledger.ts';
import { uploadReport } from '../support/builders.ts';

/** A ledger per call (fresh or shared); disposing it closes what the factory opened. */
export type LedgerFactory = () => Promise<{ readonly ledger: UploadLedger } & AsyncDisposable>;

const LEASE_MS = 30_000;
const T0 = 1_700_000_000_000;

/** An object key of this test's own, and the ledger key of each content (`sha('a')`) under it. */
function keys() {
  const ns = randomUUID();
  const bucket = `contract-${ns.slice(0, 8)}`;
  const key = `uploads/26/${ns}.csv`;
  return { bucket, key, of: (content: string, objectKey = key): LedgerKey => ({ bucket, key: objectKey, sha256: content.repeat(64) }) };
}

function acquired(r: AcquireResult) {
  if (r.kind !== 'acquired') throw new Error(`expected the lease, got ${r.kind}`);
  return r;
}

/** The report ingest would write for this upload, completed at `completedAtMs`. */
const reportFor = (k: LedgerKey, uploadId: string, completedAtMs = T0 + 1000) =>
  uploadReport({ upload_id: uploadId, bucket: k.bucket, key: k.key, sha256: k.sha256, completed_at: new Date(completedAtMs).toISOString() });

export function uploadLedgerContract(name: string, make: LedgerFactory) {
  describe(`UploadLedger contract: ${name}`, () => {
    test('a live lease refuses a second invocation until the instant after it ends; the takeover keeps the upload and its sequence', async () => {
      await using s = await make();
      const k = keys().of('a');
      const first = acquired(await s.ledger.acquire(k, T0, LEASE_MS));
      const lease = T0 + LEASE_MS;
      expect(await s.ledger.acquire(k, lease - 1, LEASE_MS)).toEqual({ kind: 'in_progress', uploadId: first.uploadId, leaseUntilMs: lease });
      expect(await s.ledger.acquire(k, lease, LEASE_MS)).toMatchObject({ kind: 'in_progress' });
      expect(await s.ledger.acquire(k, lease + 1, LEASE_MS)).toEqual({ kind: 'acquired', uploadId: first.uploadId, sequence: first.sequence });
      // the takeover's lease runs from its own start
      expect(await s.ledger.acquire(k, lease + LEASE_MS, LEASE_MS)).toEqual({ kind: 'in_progress', uploadId: first.uploadId, leaseUntilMs: lease + 1 + LEASE_MS });
    });

    test('a completed upload answers with its report, is never taken again, and a release cannot reopen it', async () => {
      await using s = await make();
      const k = keys().of('a');
      const a = acquired(await s.ledger.acquire(k, T0, LEASE_MS));
      expect(await s.ledger.getReport(a.uploadId)).toBeNull();
      const report = reportFor(k, a.uploadId);
      await s.ledger.complete(a.uploadId, report);
      await s.ledger.release(a.uploadId);
      expect(await s.ledger.acquire(k, T0 + 10 * LEASE_MS, LEASE_MS)).toEqual({ kind: 'completed', uploadId: a.uploadId, report });
      expect(await s.ledger.getReport(a.uploadId)).toEqual(report);
      expect(await s.ledger.getReport(`${a.uploadId}-none`)).toBeNull();
    });

    test('a released lease can be taken at once, by the same upload with the same sequence', async () => {
      await using s = await make();
      const k = keys().of('a');
      const a = acquired(await s.ledger.acquire(k, T0, LEASE_MS));
      await s.ledger.release(a.uploadId);
      expect(await s.ledger.acquire(k, T0 + 1, LEASE_MS)).toEqual({ kind: 'acquired', uploadId: a.uploadId, sequence: a.sequence });
      expect(await s.ledger.acquire(k, T0 + 2, LEASE_MS)).toMatchObject({ kind: 'in_progress', leaseUntilMs: T0 + 1 + LEASE_MS });
    });

    test('a lease is per content: new content under a key whose other content is leased is acquired at once, as an upload of its own', async () => {
      await using s = await make();
      const ks = keys();
      const a = acquired(await s.ledger.acquire(ks.of('a'), T0, LEASE_MS));
      const b = acquired(await s.ledger.acquire(ks.of('b'), T0 + 1, LEASE_MS));
      expect(b.uploadId).not.toBe(a.uploadId);
      expect(b.sequence).toBeGreaterThan(a.sequence);
      // the other content's lease is untouched
      expect(await s.ledger.acquire(ks.of('a'), T0 + 2, LEASE_MS)).toEqual({ kind: 'in_progress', uploadId: a.uploadId, leaseUntilMs: T0 + LEASE_MS });
    });

    test("new content under the same key acquired later is a new upload with a later sequence; entriesForKey lists the key's entries alone, in sequence order", async () => {
      await using s = await make();
      const ks = keys();
      const a = acquired(await s.ledger.acquire(ks.of('a'), T0, LEASE_MS));
      await s.ledger.complete(a.uploadId, reportFor(ks.of('a'), a.uploadId, T0 + 500));
      const b = acquired(await s.ledger.acquire(ks.of('b'), T0 + 1000, LEASE_MS));
      await s.ledger.acquire(ks.of('a', `${ks.key}.other`), T0, LEASE_MS);
      expect(b.uploadId).not.toBe(a.uploadId);
      expect(b.sequence).toBeGreaterThan(a.sequence);
      expect(await s.ledger.entriesForKey(ks.bucket, ks.key)).toEqual([
        { uploadId: a.uploadId, bucket: ks.bucket, key: ks.key, sha256: 'a'.repeat(64), status: 'completed', leaseUntilMs: null, sequence: a.sequence, completedAtMs: T0 + 500 },
        { uploadId: b.uploadId, bucket: ks.bucket, key: ks.key, sha256: 'b'.repeat(64), status: 'in_progress', leaseUntilMs: T0 + 1000 + LEASE_MS, sequence: b.sequence, completedAtMs: null },
      ]);
      expect(await s.ledger.entriesForKey(ks.bucket, `${ks.key}.none`)).toEqual([]);
    });

    test('the report list: completed uploads only, the latest acquired first, `before` and `limit` paging by sequence', async () => {
      await using s = await make();
      const ks = keys();
      // the sequence follows the acquiring clock (YDB: milliseconds, then bits of the upload
      // id; SQLite: a counter), so each upload is acquired a millisecond after the one before,
      // and from now: a shared store holds no upload of this test's instants
      const t = Date.now();
      const done = [];
      for (const [i, c] of ['a', 'b', 'c'].entries()) {
        const u = acquired(await s.ledger.acquire(ks.of(c), t + i, LEASE_MS));
        await s.ledger.complete(u.uploadId, reportFor(ks.of(c), u.uploadId));
        done.push(u);
      }
      const running = acquired(await s.ledger.acquire(ks.of('d'), t + 3, LEASE_MS));
      const [a, b, c] = done as [typeof running, typeof running, typeof running];
      const ours = new Set([...done, running].map((u) => u.uploadId));
      const listed = async (opts: { limit: number; before?: number }) => (await s.ledger.listReports(opts)).map((r) => r.upload_id).filter((id) => ours.has(id));
      // the page below c's sequence + 1 starts with c whatever else the store holds
      expect(await listed({ limit: 1, before: c.sequence + 1 })).toEqual([c.uploadId]);
      expect(await listed({ limit: 1000, before: running.sequence + 1 })).toEqual([c.uploadId, b.uploadId, a.uploadId]);
      expect(await listed({ limit: 1000, before: c.sequence })).toEqual([b.uploadId, a.uploadId]);
      expect(await listed({ limit: 1000, before: a.sequence })).toEqual([]);
    });

    test('two racing acquisitions of one content: exactly one takes the lease', async () => {
      await using s = await make();
      const k = keys().of('a');
      const results = await Promise.all([s.ledger.acquire(k, T0, LEASE_MS), s.ledger.acquire(k, T0, LEASE_MS)]);
      expect(results.map((r) => r.kind).sort()).toEqual(['acquired', 'in_progress']);
      expect(new Set(results.map((r) => r.uploadId)).size).toBe(1);
    });
  });
}
