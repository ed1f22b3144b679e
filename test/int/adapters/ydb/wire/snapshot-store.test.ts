// The YDB snapshot store and upload ledger through the wire server: the rows a YDB would
// return go in, and the exact writes the adapter sends are asserted — "newer upload wins"
// and the lease expiry among them, which no other offline test of the YDB adapter holds.
import { describe, expect, test } from 'vitest';
import {
  BATCH_REFERENCES,
  BATCH_UNITS,
  COMMIT_POINTERS,
  DISCARD_BATCH,
  LEDGER_COMPLETE,
  LEDGER_GET,
  LEDGER_INSERT,
  LEDGER_RELEASE,
  LEDGER_TAKEOVER,
  POINTERS,
  SCHOOLS_OF_BATCH,
  STAGE_UNITS,
} from '../../../../../shared/adapters/ydb/queries.ts';
import { ledgerSequence } from '../../../../../shared/adapters/ydb/upload-ledger.ts';
import { uploadIdFor } from '../../../../../shared/domain/upload-id.ts';
import type { BatchCommit } from '../../../../../shared/ports/snapshot-store.ts';
import { batchCommit, commitUnit, P1, schoolRow, uploadReport } from '../../../../support/builders.ts';
import { useAdapterWire, day, sent, value } from './harness.ts';

const h = useAdapterWire();

const pointer = (o: { municipality_id: string; batch_id: string; upload_id: string; modified: number; sequence: number; version: number }) => ({
  region: '26', period_start: P1.start, period_end: P1.end, kind: 'schools', municipality_id: o.municipality_id, batch_id: o.batch_id,
  upload_id: o.upload_id, source_modified_ms: BigInt(o.modified), source_sequence: BigInt(o.sequence), version: BigInt(o.version),
});
const commit = (modified: number, sequence: number, municipalities = ['m1']): BatchCommit =>
  batchCommit({ batchId: 'b-new', uploadId: 'u-new', source: { lastModifiedMs: modified, sequence }, units: municipalities.map((m) => commitUnit(m)) });
const scriptPointers = (rows: ReturnType<typeof pointer>[]) =>
  h.wire.script((q) => q.text === POINTERS, [h.wire.rows('current_batch', rows)]);

describe('commitBatch', () => {
  test('with no pointers: one transaction reads the pointers, then flips them and registers the units in its committing statement', async () => {
    const r = await h.stores.snapshots.commitBatch(commit(1_000, 5, ['m1', 'm2']));
    expect(r).toEqual({ applied: 2, superseded: 0, periods: [P1] });
    const [read] = sent(h.wire, POINTERS);
    const [write] = sent(h.wire, COMMIT_POINTERS);
    expect(read!.tx).toEqual({ begin: 'serializableReadWrite', commit: false, txId: null });
    expect(write!.tx).toEqual({ begin: null, commit: true, txId: expect.stringMatching(/^wire-tx-/) });
    expect([value(read, '$region'), value(read, '$period_start'), value(read, '$kind')]).toEqual(['26', day(P1.start), 'schools']);
    expect(value(write, '$pointers')).toEqual(
      ['m1', 'm2'].map((m) => ({
        region: '26', period_start: day(P1.start), period_end: day(P1.end), kind: 'schools', municipality_id: m, batch_id: 'b-new',
        upload_id: 'u-new', source_modified_ms: 1_000n, source_sequence: 5n, version: 1n,
      })),
    );
    expect(value(write, '$units')).toEqual(
      ['m1', 'm2'].map((m) => ({ batch_id: 'b-new', region: '26', period_start: day(P1.start), period_end: day(P1.end), kind: 'schools', municipality_id: m })),
    );
    expect(h.wire.calls.map((c) => c.method).filter((m) => m.endsWith('Transaction'))).toEqual([]);
  });

  test('newer upload wins: a pointer from a later LastModified keeps its unit, and nothing is written', async () => {
    scriptPointers([pointer({ municipality_id: 'm1', batch_id: 'b-old', upload_id: 'u-old', modified: 2_000, sequence: 1, version: 3 })]);
    expect(await h.stores.snapshots.commitBatch(commit(1_000, 9))).toEqual({ applied: 0, superseded: 1, periods: [] });
    expect(sent(h.wire, COMMIT_POINTERS)).toEqual([]);
    // the read-only transaction still ends: committed by the call that names it
    const read = sent(h.wire, POINTERS)[0]!;
    const end = h.wire.calls.find((c) => c.method === 'CommitTransaction');
    expect(end?.status).toBe('SUCCESS');
    expect(end?.tx?.txId).toBeTruthy();
    expect(read.tx.begin).toBe('serializableReadWrite');
  });

  test('newer upload wins: at the same LastModified the later ingest sequence wins, the earlier loses', async () => {
    scriptPointers([pointer({ municipality_id: 'm1', batch_id: 'b-old', upload_id: 'u-old', modified: 1_000, sequence: 5, version: 3 })]);
    expect(await h.stores.snapshots.commitBatch(commit(1_000, 4))).toMatchObject({ applied: 0, superseded: 1 });
    expect(sent(h.wire, COMMIT_POINTERS)).toEqual([]);
    expect(await h.stores.snapshots.commitBatch(commit(1_000, 6))).toMatchObject({ applied: 1, superseded: 0 });
    const [write] = sent(h.wire, COMMIT_POINTERS);
    expect(value(write, '$pointers')).toEqual([expect.objectContaining({ municipality_id: 'm1', batch_id: 'b-new', source_sequence: 6n, version: 4n })]);
  });

  test('an older pointer is replaced (version + 1); a pointer already naming the batch counts as applied and is not rewritten', async () => {
    scriptPointers([
      pointer({ municipality_id: 'm1', batch_id: 'b-old', upload_id: 'u-old', modified: 500, sequence: 9, version: 2 }),
      pointer({ municipality_id: 'm2', batch_id: 'b-new', upload_id: 'u-new', modified: 1_000, sequence: 5, version: 7 }),
    ]);
    expect(await h.stores.snapshots.commitBatch(commit(1_000, 5, ['m1', 'm2']))).toEqual({ applied: 2, superseded: 0, periods: [P1] });
    const [write] = sent(h.wire, COMMIT_POINTERS);
    expect((value(write, '$pointers') as { municipality_id: string; version: bigint }[]).map((p) => [p.municipality_id, p.version])).toEqual([['m1', 3n]]);
  });

  test('ABORTED on the committing statement re-runs the whole transaction from its read', async () => {
    h.wire.fault({ method: 'ExecuteQuery', status: 'ABORTED', match: (q) => q.text === COMMIT_POINTERS });
    expect(await h.stores.snapshots.commitBatch(commit(1_000, 5))).toMatchObject({ applied: 1 });
    expect(h.wire.queries().map((q) => (q.text === POINTERS ? 'read' : q.text === COMMIT_POINTERS ? 'write' : 'other'))).toEqual(['read', 'write', 'read', 'write']);
    const [w1, w2] = sent(h.wire, COMMIT_POINTERS);
    expect(w1!.tx.txId).not.toBe(w2!.tx.txId);
  });
});

describe('staging and discarding', () => {
  test('staging registers the units first (one inline transaction), then bulk-upserts the rows', async () => {
    const rows = [schoolRow(), schoolRow({ school_inn: '2634000002', municipality_id: 'mineralovodsky' })];
    await h.stores.snapshots.stageSchoolRows('b1', rows);
    const [units] = sent(h.wire, STAGE_UNITS);
    expect(units!.tx).toEqual({ begin: 'serializableReadWrite', commit: true, txId: null });
    expect((value(units, '$rows') as { municipality_id: string }[]).map((u) => u.municipality_id)).toEqual(['budennovsky', 'mineralovodsky']);
    const [bulk] = h.wire.bulks();
    expect(bulk).toMatchObject({ table: 'school_snapshot', path: '/local/school_snapshot', rowCount: 2 });
    expect(bulk!.rows[0]).toMatchObject({ batch_id: 'b1', region: '26', period_start: day(P1.start), school_inn: '2634000001', teachers_total: 40n, teachers_calls: null });
    expect(h.wire.calls.findIndex((c) => c.query === units)).toBeLessThan(h.wire.calls.findIndex((c) => c.bulk === bulk));
  });

  test('a batch no pointer references is deleted in one committing statement; a referenced one is kept', async () => {
    h.wire.script((q) => q.text === BATCH_UNITS.first, [
      h.wire.rows('snapshot_batch_unit', [{ batch_id: 'b1', region: '26', period_start: P1.start, period_end: P1.end, kind: 'schools', municipality_id: 'm1' }]),
    ]);
    h.wire.script((q) => q.text === BATCH_REFERENCES, [h.wire.resultSet({ refs: 'Uint64' }, [{ refs: 0n }])], 1);
    await h.stores.snapshots.discardBatch('b1');
    const [del] = sent(h.wire, DISCARD_BATCH);
    expect(del!.tx.commit).toBe(true);
    // the exact key prefix of each (region, period) the batch staged, not a range of periods
    expect(value(del, '$periods')).toEqual([{ region: '26', period_start: day(P1.start), period_end: day(P1.end), batch_id: 'b1' }]);
    expect(value(del, '$batch_id')).toBe('b1');

    h.wire.script((q) => q.text === BATCH_REFERENCES, [h.wire.resultSet({ refs: 'Uint64' }, [{ refs: 1n }])]);
    await h.stores.snapshots.discardBatch('b1');
    expect(sent(h.wire, DISCARD_BATCH)).toHaveLength(1);
  });
});

describe('current rows', () => {
  test('read through the pointers in one snapshot transaction; rows of municipalities the pointer does not name are left out', async () => {
    h.wire.script((q) => q.text === POINTERS, [
      h.wire.rows('current_batch', [pointer({ municipality_id: 'budennovsky', batch_id: 'b1', upload_id: 'u1', modified: 1, sequence: 1, version: 1 })]),
    ]);
    const row = (m: string) => ({ ...schoolRow({ municipality_id: m }), batch_id: 'b1', period_start: P1.start, period_end: P1.end });
    h.wire.script((q) => q.text === SCHOOLS_OF_BATCH.first, [h.wire.rows('school_snapshot', [row('budennovsky'), row('other')])]);
    const got = await h.stores.snapshots.currentSchools('26', P1);
    expect(got.map((s) => s.municipality_id)).toEqual(['budennovsky']);
    const [first, second] = h.wire.queries();
    expect(first!.tx.begin).toBe('snapshotReadOnly');
    expect(second!.tx.txId).toBeTruthy();
    expect(value(second, '$batch_id')).toBe('b1');
  });
});

describe('upload ledger', () => {
  const key = { bucket: 'exports', key: 'weekly/26.xlsx', sha256: 'a'.repeat(64) };
  const id = uploadIdFor(key);
  const ledgerRow = (o: { status: string; lease_until_ms: bigint | null; report_json?: unknown }) => ({
    upload_id: id, bucket: key.bucket, object_key: key.key, sha256: key.sha256, status: o.status, lease_until_ms: o.lease_until_ms,
    ingest_sequence: 7n, acquired_at_ms: 100n, completed_at_ms: null, report_status: null, report_json: o.report_json ?? null,
  });
  /** An existing entry: the blind INSERT meets it (PRECONDITION_FAILED, as YDB answers), the read finds it. */
  const scriptLedger = (row: ReturnType<typeof ledgerRow>) => {
    h.wire.fault({ method: 'ExecuteQuery', status: 'PRECONDITION_FAILED', match: (q) => q.text === LEDGER_INSERT, times: Infinity });
    h.wire.script((q) => q.text === LEDGER_GET, [h.wire.rows('upload_ledger', [row])]);
  };

  test('a new upload is one blind INSERT (one round trip) with its sequence from the clock; no counter row is read or written', async () => {
    const sequence = ledgerSequence(10_000, id);
    expect(await h.stores.ledger.acquire(key, 10_000, 600)).toEqual({ kind: 'acquired', uploadId: id, sequence });
    const [ins] = sent(h.wire, LEDGER_INSERT);
    expect(ins!.tx.commit).toBe(true);
    expect(value(ins, '$rows')).toEqual([
      { upload_id: id, bucket: 'exports', object_key: 'weekly/26.xlsx', sha256: key.sha256, status: 'in_progress', lease_until_ms: 10_600n,
        ingest_sequence: BigInt(sequence), acquired_at_ms: 10_000n, completed_at_ms: null, report_status: null, report_json: null },
    ]);
    expect(h.wire.queries().map((q) => q.text)).toEqual([LEDGER_INSERT]);
    expect(h.wire.queries().some((q) => q.text.includes('sequence_counter'))).toBe(false);
    expect(ledgerSequence(10_001, id)).toBeGreaterThan(sequence);
  });

  test('a live lease (up to and including its expiry instant) is answered in_progress and nothing is written', async () => {
    scriptLedger(ledgerRow({ status: 'in_progress', lease_until_ms: 10_000n }));
    expect(await h.stores.ledger.acquire(key, 9_999, 600)).toEqual({ kind: 'in_progress', uploadId: id, leaseUntilMs: 10_000 });
    expect(await h.stores.ledger.acquire(key, 10_000, 600)).toEqual({ kind: 'in_progress', uploadId: id, leaseUntilMs: 10_000 });
    // the INSERT met the row and wrote nothing; the read answered
    expect(h.wire.calls.filter((c) => c.query && c.query.text !== LEDGER_GET).map((c) => c.status)).toEqual(['PRECONDITION_FAILED', 'PRECONDITION_FAILED']);
  });

  test('an expired lease is taken over: the takeover writes the new lease and keeps the sequence', async () => {
    scriptLedger(ledgerRow({ status: 'in_progress', lease_until_ms: 10_000n }));
    expect(await h.stores.ledger.acquire(key, 10_001, 600)).toEqual({ kind: 'acquired', uploadId: id, sequence: 7 });
    const [take] = sent(h.wire, LEDGER_TAKEOVER);
    expect(take!.tx.commit).toBe(true);
    expect(value(take, '$rows')).toEqual([{ upload_id: id, lease_until_ms: 10_601n, acquired_at_ms: 10_001n }]);
    expect(h.wire.calls.filter((c) => c.query?.text === LEDGER_INSERT).map((c) => c.status)).toEqual(['PRECONDITION_FAILED']);
  });

  test('a released lease (NULL) is taken over; a completed upload answers its report', async () => {
    scriptLedger(ledgerRow({ status: 'in_progress', lease_until_ms: null }));
    expect(await h.stores.ledger.acquire(key, 1, 600)).toMatchObject({ kind: 'acquired', sequence: 7 });
    h.wire.reset();
    scriptLedger(ledgerRow({ status: 'completed', lease_until_ms: null, report_json: uploadReport({ upload_id: id }) }));
    expect(await h.stores.ledger.acquire(key, 1, 600)).toEqual({ kind: 'completed', uploadId: id, report: uploadReport({ upload_id: id }) });
    expect(h.wire.queries().map((q) => q.text)).toEqual([LEDGER_INSERT, LEDGER_GET]);
  });

  test('an INSERT that meets a racing row (PRECONDITION_FAILED) reads again and answers from that row', async () => {
    h.wire.fault({ method: 'ExecuteQuery', status: 'PRECONDITION_FAILED', match: (q) => q.text === LEDGER_INSERT });
    h.wire.script((q) => q.text === LEDGER_GET && h.wire.queries().some((x) => x.text === LEDGER_INSERT), [
      h.wire.rows('upload_ledger', [ledgerRow({ status: 'in_progress', lease_until_ms: 20_000n })]),
    ]);
    expect(await h.stores.ledger.acquire(key, 10_000, 600)).toEqual({ kind: 'in_progress', uploadId: id, leaseUntilMs: 20_000 });
  });

  test('complete writes the report and clears the lease; release clears an in-progress lease only', async () => {
    await h.stores.ledger.complete(id, uploadReport({ upload_id: id }));
    const [done] = sent(h.wire, LEDGER_COMPLETE);
    expect(value(done, '$rows')).toEqual([
      { upload_id: id, status: 'completed', lease_until_ms: null, completed_at_ms: BigInt(Date.parse(uploadReport({ upload_id: id }).completed_at)), report_status: uploadReport({ upload_id: id }).status, report_json: uploadReport({ upload_id: id }) },
    ]);
    await h.stores.ledger.release(id);
    const [rel] = sent(h.wire, LEDGER_RELEASE);
    expect([value(rel, '$upload_id'), value(rel, '$status')]).toEqual([id, 'in_progress']);
    expect([done!.tx, rel!.tx].map((t) => t.commit)).toEqual([true, true]);
  });
});
