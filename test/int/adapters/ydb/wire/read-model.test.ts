// The YDB read model through the executing wire double: every read of one API request runs
// in one snapshot read-only transaction (the first statement begins it, the others name it,
// one commit ends it), so a commit in between is wholly seen or not at all; a failure
// re-runs the snapshot whole; a page cut mid-stream is read again, never returned cut.
import { expect, test } from 'vitest';
import { filledAggregateRow, P1, uploadReport } from '../../../../support/builders.ts';
import { useAdapterWire } from './harness.ts';

// two rows per result part, so a page can be cut mid-stream
const h = useAdapterWire(undefined, { rowsPerPart: 2 });
const execs = () => h.wire.calls.filter((c) => c.method === 'ExecuteQuery');

async function completed(n: number) {
  const key = { bucket: 'b', key: `uploads/26/${n}.csv`, sha256: n.toString(16).padStart(64, '0') };
  const a = await h.stores.ledger.acquire(key, 1000, 30_000);
  await h.stores.ledger.complete(a.uploadId, uploadReport({ upload_id: a.uploadId }));
  return a.uploadId;
}

test("one snapshot transaction carries all of a request's reads and ends with them", async () => {
  const row = filledAggregateRow({ level: 'region' });
  await h.stores.aggregates.replacePeriod('26', P1, [row]);
  const id = await completed(1);
  h.wire.calls.length = 0;
  const got = await h.readModel.snapshot(async (v) => [await v.readPeriod('26', P1), await v.alerts('26'), await v.report(id)]);
  expect(got).toEqual([[row], [], uploadReport({ upload_id: id })]);
  const [first, ...rest] = execs().map((c) => c.tx!);
  expect(first).toEqual({ begin: 'snapshotReadOnly', commit: false, txId: null });
  const txId = rest[0]!.txId;
  expect(txId).toMatch(/^wire-tx-/);
  expect(rest.every((t) => t.txId === txId && !t.commit && t.begin === null)).toBe(true);
  expect(h.wire.calls.filter((c) => c.method === 'CommitTransaction').map((c) => [c.tx?.txId, c.status])).toEqual([[txId, 'SUCCESS']]);
});

test('a snapshot that meets OVERLOADED is re-run whole in a new transaction', async () => {
  h.wire.fault({ method: 'ExecuteQuery', status: 'OVERLOADED', calls: [2] });
  await h.readModel.snapshot(async (v) => [await v.readPeriod('26', P1), await v.alerts('26')]);
  expect(execs().filter((c) => c.tx!.begin === 'snapshotReadOnly')).toHaveLength(2);
  expect(execs().map((c) => c.status)).toEqual(['SUCCESS', 'OVERLOADED', 'SUCCESS', 'SUCCESS']);
});

test('a page whose stream breaks after its first part is read again whole, never returned cut', async () => {
  const rows = [filledAggregateRow({ level: 'region' }), filledAggregateRow({ id: 'a' }), filledAggregateRow({ id: 'b' }), filledAggregateRow({ id: 'c' })];
  await h.stores.aggregates.replacePeriod('26', P1, rows);
  h.wire.calls.length = 0;
  h.wire.fault({ method: 'ExecuteQuery', status: 'UNAVAILABLE', afterParts: 1 });
  const got = await h.readModel.snapshot((v) => v.readPeriod('26', P1));
  expect(got.map((r) => r.scope.id)).toEqual(['26', 'a', 'b', 'c']);
  expect(execs().map((c) => [c.status, c.resultRows])).toEqual([['UNAVAILABLE', 4], ['SUCCESS', 4]]);
});
