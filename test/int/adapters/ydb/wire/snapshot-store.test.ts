// The YDB snapshot store and upload ledger through the executing wire double: the state a
// YDB would hold after each call — "newer upload wins", lease expiry, takeovers — and the
// transaction shape the adapters promise (a transaction begun by its first statement and
// committed by its last, no Begin/Commit round trips). The contract suites hold the same
// adapters to the SQLite adapters' behaviour; this file holds what only YDB has.
import { describe, expect, test } from 'vitest';
import { ledgerSequence } from '../../../../../shared/adapters/ydb/upload-ledger.ts';
import { uploadIdFor } from '../../../../../shared/domain/upload-id.ts';
import type { BatchCommit } from '../../../../../shared/ports/snapshot-store.ts';
import { batchCommit, commitUnit, P1, schoolRow, uploadReport } from '../../../../support/builders.ts';
import { useAdapterWire, day } from './harness.ts';

const h = useAdapterWire();
const execs = () => h.wire.calls.filter((c) => c.method === 'ExecuteQuery');
const txRpcs = () => h.wire.calls.filter((c) => c.method === 'BeginTransaction' || c.method === 'CommitTransaction');

const commit = (batchId: string, modified: number, sequence: number, municipalities = ['m1']): BatchCommit =>
  batchCommit({ batchId, uploadId: `u-${batchId}`, source: { lastModifiedMs: modified, sequence }, units: municipalities.map((m) => commitUnit(m)) });
const pointers = () => h.wire.tableRows('current_batch').map((p) => [p.municipality_id, p.batch_id, p.version]);

describe('commitBatch', () => {
  test('with no pointers: one transaction reads the pointers, flips them and registers the units with its committing statement', async () => {
    expect(await h.stores.snapshots.commitBatch(commit('b-new', 1_000, 5, ['m1', 'm2']))).toMatchObject({ applied: 2, superseded: 0, periods: [P1] });
    expect(pointers()).toEqual([['m1', 'b-new', 1n], ['m2', 'b-new', 1n]]);
    expect(h.wire.tableRows('current_batch')[0]).toMatchObject({ region: '26', period_start: day(P1.start), kind: 'schools', upload_id: 'u-b-new', source_modified_ms: 1_000n, source_sequence: 5n });
    expect(h.wire.tableRows('snapshot_batch_unit').map((u) => [u.batch_id, u.municipality_id])).toEqual([['b-new', 'm1'], ['b-new', 'm2']]);
    const tx = execs().map((c) => c.tx!);
    expect(tx[0]).toEqual({ begin: 'serializableReadWrite', commit: false, txId: null });
    expect(tx.at(-1)).toEqual({ begin: null, commit: true, txId: expect.stringMatching(/^wire-tx-/) });
    expect(txRpcs()).toEqual([]);
  });

  test('newer upload wins: a pointer from a later LastModified keeps its unit, and the read-only transaction still ends', async () => {
    await h.stores.snapshots.commitBatch(commit('b-later', 2_000, 1));
    h.wire.calls.length = 0;
    expect(await h.stores.snapshots.commitBatch(commit('b-earlier', 1_000, 9))).toMatchObject({ applied: 0, superseded: 1, periods: [] });
    expect(pointers()).toEqual([['m1', 'b-later', 1n]]);
    expect(h.wire.io(h.wire.calls).rowsWritten).toBe(0);
    expect(txRpcs().map((c) => [c.method, c.status])).toEqual([['CommitTransaction', 'SUCCESS']]);
  });

  test('newer upload wins: at the same LastModified the later ingest sequence wins, the earlier loses', async () => {
    await h.stores.snapshots.commitBatch(commit('b5', 1_000, 5));
    expect(await h.stores.snapshots.commitBatch(commit('b4', 1_000, 4))).toMatchObject({ applied: 0, superseded: 1 });
    expect(await h.stores.snapshots.commitBatch(commit('b6', 1_000, 6))).toMatchObject({ applied: 1, superseded: 0 });
    expect(pointers()).toEqual([['m1', 'b6', 2n]]);
  });

  test('an older pointer is replaced (version + 1); a pointer already naming the batch counts as applied and is not rewritten', async () => {
    await h.stores.snapshots.commitBatch(commit('b-old', 500, 9));
    await h.stores.snapshots.commitBatch(commit('b-new', 1_000, 5, ['m2']));
    expect(await h.stores.snapshots.commitBatch(commit('b-new', 1_000, 5, ['m1', 'm2']))).toMatchObject({ applied: 2, superseded: 0, periods: [P1] });
    expect(pointers()).toEqual([['m1', 'b-new', 2n], ['m2', 'b-new', 1n]]);
  });

  test('ABORTED on the committing statement re-runs the whole transaction from its read, in a new transaction', async () => {
    h.wire.fault({ method: 'ExecuteQuery', status: 'ABORTED', match: (q) => q.tx.commit });
    expect(await h.stores.snapshots.commitBatch(commit('b1', 1_000, 5))).toMatchObject({ applied: 1 });
    expect(execs().map((c) => [c.tx!.commit, c.status])).toEqual([[false, 'SUCCESS'], [true, 'ABORTED'], [false, 'SUCCESS'], [true, 'SUCCESS']]);
    const [, w1, , w2] = execs();
    expect(w1!.tx!.txId).not.toBe(w2!.tx!.txId);
    expect(pointers()).toEqual([['m1', 'b1', 1n]]);
  });
});

describe('staging and discarding', () => {
  test('staging registers the units first (one inline transaction), then bulk-upserts the rows', async () => {
    const rows = [schoolRow(), schoolRow({ school_inn: '2634000002', municipality_id: 'mineralovodsky' })];
    await h.stores.snapshots.stageSchoolRows('b1', rows);
    expect(h.wire.tableRows('snapshot_batch_unit').map((u) => [u.batch_id, u.kind, u.municipality_id])).toEqual([['b1', 'schools', 'budennovsky'], ['b1', 'schools', 'mineralovodsky']]);
    const staged = h.wire.tableRows('school_snapshot');
    expect(staged.map((r) => [r.batch_id, r.municipality_id, r.school_inn])).toEqual([['b1', 'budennovsky', '2634000001'], ['b1', 'mineralovodsky', '2634000002']]);
    expect(staged[0]).toMatchObject({ region: '26', period_start: day(P1.start), teachers_total: 40n, teachers_calls: null });
    const order = h.wire.calls.filter((c) => c.method === 'ExecuteQuery' || c.method === 'BulkUpsert');
    expect(order.map((c) => [c.method, c.tx ?? null])).toEqual([['ExecuteQuery', { begin: 'serializableReadWrite', commit: true, txId: null }], ['BulkUpsert', null]]);
  });

  test('a batch no pointer references is deleted (rows and units) in one committing statement; a referenced one is kept', async () => {
    await h.stores.snapshots.stageSchoolRows('orphan', [schoolRow()]);
    await h.stores.snapshots.stageSchoolRows('live', [schoolRow({ teachers_total: 7 })]);
    await h.stores.snapshots.commitBatch(batchCommit({ batchId: 'live' }));
    h.wire.calls.length = 0;
    await h.stores.snapshots.discardBatch('orphan');
    expect(execs().filter((c) => c.io.rowsWritten > 0).map((c) => c.tx!.commit)).toEqual([true]);
    await h.stores.snapshots.discardBatch('live');
    expect(h.wire.tableRows('school_snapshot').map((r) => r.batch_id)).toEqual(['live']);
    expect(h.wire.tableRows('snapshot_batch_unit').map((u) => u.batch_id)).toEqual(['live']);
  });
});

describe('current rows', () => {
  test('read through the pointers in one snapshot transaction; rows of municipalities the pointer does not name are left out', async () => {
    await h.stores.snapshots.stageSchoolRows('b1', [schoolRow({ municipality_id: 'budennovsky' }), schoolRow({ municipality_id: 'other', school_inn: '2634000009' })]);
    await h.stores.snapshots.commitBatch(batchCommit({ batchId: 'b1', units: [commitUnit('budennovsky')] }));
    h.wire.calls.length = 0;
    expect((await h.stores.snapshots.currentSchools('26', P1)).map((s) => s.municipality_id)).toEqual(['budennovsky']);
    const [first, ...rest] = execs().map((c) => c.tx!);
    expect(first!.begin).toBe('snapshotReadOnly');
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((t) => t.txId !== null && t.begin === null)).toBe(true);
  });
});

describe('upload ledger', () => {
  const key = { bucket: 'exports', key: 'weekly/26.xlsx', sha256: 'a'.repeat(64) };
  const id = uploadIdFor(key);
  const ledger = () => h.wire.tableRows('upload_ledger');

  test('each new upload takes a later sequence: the ledger row written by the committing statement', async () => {
    const first = await h.stores.ledger.acquire(key, 10_000, 600);
    const second = await h.stores.ledger.acquire({ ...key, sha256: 'b'.repeat(64) }, 10_001, 600);
    if (first.kind !== 'acquired' || second.kind !== 'acquired') throw new Error('both uploads are new');
    expect(first.uploadId).toBe(id);
    expect(second.sequence).toBeGreaterThan(first.sequence);
    expect(ledger().find((r) => r.upload_id === id)).toEqual({
      upload_id: id, bucket: 'exports', object_key: 'weekly/26.xlsx', sha256: key.sha256, status: 'in_progress', lease_until_ms: 10_600n,
      ingest_sequence: BigInt(first.sequence), acquired_at_ms: 10_000n, completed_at_ms: null, report_status: null, report_json: null,
    });
    expect(execs().filter((c) => c.io.rowsWritten > 0).every((c) => c.tx!.commit)).toBe(true);
  });

  test('a new upload is one round trip (a blind INSERT that commits) with its sequence from the clock; no counter row is written', async () => {
    expect(await h.stores.ledger.acquire(key, 10_000, 600)).toEqual({ kind: 'acquired', uploadId: id, sequence: ledgerSequence(10_000, id) });
    expect(execs().map((c) => c.tx)).toEqual([{ begin: 'serializableReadWrite', commit: true, txId: null }]);
    expect(h.wire.tableRows('sequence_counter')).toEqual([]);
    expect(ledgerSequence(10_001, id)).toBeGreaterThan(ledgerSequence(10_000, id));
  });

  test('a live lease (up to and including its expiry instant) is answered in_progress and nothing is written', async () => {
    await h.stores.ledger.acquire(key, 9_400, 600);
    h.wire.calls.length = 0;
    expect(await h.stores.ledger.acquire(key, 9_999, 600)).toEqual({ kind: 'in_progress', uploadId: id, leaseUntilMs: 10_000 });
    expect(await h.stores.ledger.acquire(key, 10_000, 600)).toEqual({ kind: 'in_progress', uploadId: id, leaseUntilMs: 10_000 });
    expect(h.wire.io(h.wire.calls).rowsWritten).toBe(0);
  });

  test('an expired lease is taken over: the takeover writes the new lease and keeps the sequence', async () => {
    const first = await h.stores.ledger.acquire(key, 9_400, 600);
    if (first.kind !== 'acquired') throw new Error('a new upload');
    expect(await h.stores.ledger.acquire(key, 10_001, 600)).toEqual({ kind: 'acquired', uploadId: id, sequence: first.sequence });
    expect(ledger()).toEqual([expect.objectContaining({ upload_id: id, lease_until_ms: 10_601n, acquired_at_ms: 10_001n, ingest_sequence: BigInt(first.sequence) })]);
  });

  test('a released lease (NULL) is taken over; a completed upload answers its report', async () => {
    const first = await h.stores.ledger.acquire(key, 1, 600);
    await h.stores.ledger.release(id);
    expect(ledger()[0]!.lease_until_ms).toBeNull();
    expect(await h.stores.ledger.acquire(key, 2, 600)).toEqual(first);
    await h.stores.ledger.complete(id, uploadReport({ upload_id: id }));
    expect(await h.stores.ledger.acquire(key, 3, 600)).toEqual({ kind: 'completed', uploadId: id, report: uploadReport({ upload_id: id }) });
  });

  test('an acquire whose key a racing acquire wrote first is refused at its commit, and answers from the winner\'s row', async () => {
    // this acquire's committing statement waits at the server while a racing one commits
    const gate = h.wire.hold({ method: 'ExecuteQuery', match: (q) => q.tx.commit });
    const mine = h.stores.ledger.acquire(key, 10_000, 600);
    await gate.arrived;
    expect(await h.stores.ledger.acquire(key, 10_000, 20_000)).toMatchObject({ kind: 'acquired', uploadId: id });
    gate.release();
    expect(await mine).toEqual({ kind: 'in_progress', uploadId: id, leaseUntilMs: 30_000 });
    // YDB refuses the loser as a broken lock (it had read the key) or as an existing key (a blind INSERT)
    expect(execs().filter((c) => c.status !== 'SUCCESS').map((c) => c.status)).toEqual([expect.stringMatching(/^(ABORTED|PRECONDITION_FAILED)$/)]);
    expect(ledger().map((r) => r.lease_until_ms)).toEqual([30_000n]);
  });

  test('complete writes the report and clears the lease; release clears an in-progress lease only', async () => {
    await h.stores.ledger.acquire(key, 1, 600);
    await h.stores.ledger.complete(id, uploadReport({ upload_id: id }));
    const done = ledger()[0]!;
    expect(done).toMatchObject({ status: 'completed', lease_until_ms: null, completed_at_ms: BigInt(Date.parse(uploadReport({ upload_id: id }).completed_at)), report_status: uploadReport({ upload_id: id }).status });
    expect(JSON.parse(done.report_json as string)).toEqual(uploadReport({ upload_id: id }));
    await h.stores.ledger.release(id);
    expect(ledger()[0]!.status).toBe('completed');
    expect(execs().filter((c) => c.io.rowsWritten > 0).every((c) => c.tx!.commit)).toBe(true);
  });
});
