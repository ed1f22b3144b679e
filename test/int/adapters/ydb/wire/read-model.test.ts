// The YDB read model through the wire server: every read of one API request runs in one
// snapshot read-only transaction (the first statement begins it, the others name it), so a
// commit in between is wholly seen or not at all.
import { expect, test } from 'vitest';
import { AGGREGATE_READ_PERIOD, ALERTS_FOR_REGION, LEDGER_REPORT } from '../../../../../shared/adapters/ydb/queries.ts';
import { aggregateToRow } from '../../../../../shared/adapters/ydb/tables.ts';
import { filledAggregateRow, P1, uploadReport } from '../../../../support/builders.ts';
import { useAdapterWire, sent } from './harness.ts';

// two rows per result part, so a page can be cut mid-stream
const h = useAdapterWire(undefined, { rowsPerPart: 2 });

test('one snapshot transaction carries all of a request\'s reads and ends with them', async () => {
  const row = filledAggregateRow({ level: 'region' });
  h.wire.script((q) => q.text === AGGREGATE_READ_PERIOD.first, [h.wire.rows('aggregate_metrics', [aggregateToRow(row)])]);
  h.wire.script((q) => q.text === LEDGER_REPORT, [h.wire.rows('upload_ledger', [{ report_json: uploadReport({ upload_id: 'u1' }) }], ['report_json'])]);
  const got = await h.readModel.snapshot(async (v) => [await v.readPeriod('26', P1), await v.alerts('26'), await v.report('u1')]);
  expect(got).toEqual([[row], [], uploadReport({ upload_id: 'u1' })]);
  const [first, ...rest] = h.wire.queries();
  expect(first!.text).toBe(AGGREGATE_READ_PERIOD.first);
  expect(first!.tx).toEqual({ begin: 'snapshotReadOnly', commit: false, txId: null });
  expect(rest.map((q) => q.text)).toEqual([ALERTS_FOR_REGION.first, LEDGER_REPORT]);
  const txId = rest[0]!.tx.txId;
  expect(txId).toMatch(/^wire-tx-/);
  expect(rest.every((q) => q.tx.txId === txId && !q.tx.commit)).toBe(true);
  const end = h.wire.calls.filter((c) => c.method === 'CommitTransaction');
  expect(end.map((c) => c.tx?.txId)).toEqual([txId]);
  expect(sent(h.wire, LEDGER_REPORT)[0]!.params.$upload_id?.value).toBe('u1');
});

test('a snapshot that meets OVERLOADED is re-run whole in a new transaction', async () => {
  h.wire.fault({ method: 'ExecuteQuery', status: 'OVERLOADED', calls: [2] });
  await h.readModel.snapshot(async (v) => [await v.readPeriod('26', P1), await v.alerts('26')]);
  const begun = h.wire.queries().filter((q) => q.tx.begin === 'snapshotReadOnly');
  expect(begun).toHaveLength(2);
  expect(h.wire.calls.filter((c) => c.method === 'ExecuteQuery').map((c) => c.status)).toEqual(['SUCCESS', 'OVERLOADED', 'SUCCESS', 'SUCCESS']);
});

test('a page whose stream breaks after its first part is read again whole, never returned cut', async () => {
  const rows = [filledAggregateRow({ level: 'region' }), filledAggregateRow({ id: 'a' }), filledAggregateRow({ id: 'b' }), filledAggregateRow({ id: 'c' })];
  h.wire.script((q) => q.text === AGGREGATE_READ_PERIOD.first, [h.wire.rows('aggregate_metrics', rows.map(aggregateToRow))]);
  h.wire.fault({ method: 'ExecuteQuery', status: 'UNAVAILABLE', afterParts: 1, match: (q) => q.text === AGGREGATE_READ_PERIOD.first });
  const got = await h.readModel.snapshot((v) => v.readPeriod('26', P1));
  expect(got.map((r) => r.scope.id)).toEqual(['26', 'a', 'b', 'c']);
  const reads = h.wire.calls.filter((c) => c.query?.text === AGGREGATE_READ_PERIOD.first);
  expect(reads.map((c) => c.status)).toEqual(['UNAVAILABLE', 'SUCCESS']);
});
