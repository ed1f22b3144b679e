// The YDB read model through the executing wire double: every read of one API request runs
// in one snapshot read-only transaction (the first statement begins it, the others name it,
// one commit ends it), so a commit in between is wholly seen or not at all; a failure
// re-runs the snapshot whole; a page cut mid-stream is read again, never returned cut.
import { describe, expect, test } from 'vitest';
import { PERIOD_WINDOW, PERIOD_WINDOW_BOUNDS, READ_VERSION } from '../../../../../shared/adapters/ydb/queries.ts';
import { handleApiRequest, type ApiDeps } from '../../../../../shared/api/app.ts';
import { hashApiKey } from '../../../../../shared/api/auth.ts';
import { ResponseCache } from '../../../../../shared/api/response-cache.ts';
import type { Completeness, Period } from '../../../../../shared/domain/schemas.ts';
import { defaultTargets } from '../../../../../shared/domain/targets.ts';
import { capturedLogger } from '../../../../support/logs.ts';
import { batchCommit, filledAggregateRow, P1, P2, schoolRow, uploadReport } from '../../../../support/builders.ts';
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

describe('the API period route on the YDB read model (issue 22)', () => {
  const KEY = 'rk_wire_reader_0123456789abcdef';
  const deps = (): ApiDeps => ({
    read: h.readModel,
    keys: [{ name: 'r', role: 'reader', sha256: hashApiKey(KEY) }],
    targets: defaultTargets().config,
    regions: new Map([['26', { code: '26', name: 'Ставропольский край', municipalities: [{ id: 'budennovsky', name: 'Будённовский' }] }]]),
    defaultRegion: '26',
    dashboard: null,
    log: capturedLogger().log,
    cache: new ResponseCache(),
  });
  const judged: Completeness = { complete: true, state: 'complete', label: null, schools: { expected: 1, reported: 1, missing: [] }, municipalities: { expected: 1, reported: 1, missing: [] } };
  const DAY = 86_400_000;
  const weeksBefore = (p: Period, n: number): Period => ({
    start: new Date(Date.parse(p.start) - n * 7 * DAY).toISOString().slice(0, 10),
    end: new Date(Date.parse(p.end) - n * 7 * DAY).toISOString().slice(0, 10),
  });
  /** `weeks` judged weeks up to P1, a regional and a municipal row each, written as the aggregate writes them */
  async function history(weeks: number) {
    for (let n = weeks - 1; n >= 0; n--) {
      const p = weeksBefore(P1, n);
      await h.stores.aggregates.replacePeriod('26', p, [filledAggregateRow({ level: 'region', period: p }), filledAggregateRow({ id: 'budennovsky', period: p })], judged);
    }
  }
  const get = async (d: ApiDeps) => {
    const at = h.wire.calls.length;
    const res = await handleApiRequest({ method: 'GET', path: `/v1/regions/26/periods/${P1.start}..${P1.end}`, query: {}, headers: { 'x-api-key': KEY }, requestId: 'w' }, d);
    expect(res.statusCode).toBe(200);
    const calls = h.wire.calls.slice(at);
    return { body: res.body, texts: calls.filter((c) => c.query).map((c) => c.query!.text), rowsRead: h.wire.io(calls).rowsRead };
  };

  test('cold, a period reads the same rows at 14 and 30 weeks of history: its token, its window bounds, one window read', async () => {
    const cold = [];
    for (const weeks of [14, 30]) {
      h.wire.reset();
      await history(weeks);
      cold.push(await get(deps()));
    }
    // the token, 12 index rows (the period, 7 for the trend, 4 for provisional weeks it skips), 12 × 2 aggregate rows, 12 completeness rows
    // before: one statement joining the period index to the aggregates, charged as scans: more rows at 30 weeks than at 14
    expect(cold.map((c) => c.rowsRead)).toEqual([1 + 12 + 24 + 12, 1 + 12 + 24 + 12]);
    expect(cold.map((c) => c.texts)).toEqual([[READ_VERSION, PERIOD_WINDOW_BOUNDS, PERIOD_WINDOW], [READ_VERSION, PERIOD_WINDOW_BOUNDS, PERIOD_WINDOW]]);
    expect(JSON.parse(cold[0]!.body).period.completeness).toEqual(judged);
  });

  test('cold, the action list of a week reads the same rows at 14 and 30 weeks of history: the week by a range of the period index, its completeness alone', async () => {
    const rowsRead = [];
    for (const weeks of [14, 30]) {
      h.wire.reset();
      await history(weeks);
      await h.stores.snapshots.stageSchoolRows('b1', [schoolRow()]);
      await h.stores.snapshots.commitBatch(batchCommit());
      const at = h.wire.calls.length;
      const res = await handleApiRequest(
        { method: 'GET', path: '/v1/regions/26/inactive-schools', query: { from: P1.start, to: P1.start }, headers: { 'x-api-key': KEY }, requestId: 'w' },
        deps(),
      );
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body).period.completeness).toEqual(judged);
      rowsRead.push(h.wire.io(h.wire.calls.slice(at)).rowsRead);
    }
    // before: the region's every period and every period's completeness, two rows more a week
    expect(rowsRead[1]).toBe(rowsRead[0]);
  });

  test('warm, a repeat while the token holds is one round trip, the token read in a snapshot of its own; a writer renews it and the response is rebuilt', async () => {
    await history(3);
    const d = deps();
    const first = await get(d);
    expect(first.texts).toEqual([READ_VERSION, PERIOD_WINDOW_BOUNDS, PERIOD_WINDOW]);
    const at = h.wire.calls.length;
    const again = await get(d);
    expect(again.body).toBe(first.body);
    // before: the token read in the view's snapshot transaction, then its commit (2 round trips)
    expect(h.wire.calls.slice(at).map((c) => [c.method, c.query?.text, c.query?.tx])).toEqual([
      ['ExecuteQuery', READ_VERSION, { begin: 'snapshotReadOnly', commit: true, txId: null }],
    ]);
    await h.stores.aggregates.replacePeriod('26', P1, [filledAggregateRow({ level: 'region', base: 2 }), filledAggregateRow({ id: 'budennovsky', base: 2 })], judged);
    const rebuilt = await get(d);
    expect(rebuilt.texts).toEqual([READ_VERSION, PERIOD_WINDOW_BOUNDS, PERIOD_WINDOW]);
    expect(rebuilt.body).not.toBe(first.body);
  });

  test('warm, requests in flight together share one token read begun after they asked, and a writer between two cohorts is seen by the second', async () => {
    await history(3);
    const d = deps();
    const first = await get(d);
    const tokenReads = (from: number) => h.wire.calls.slice(from).filter((c) => c.query?.text === READ_VERSION).length;
    let at = h.wire.calls.length;
    const burst = await Promise.all(Array.from({ length: 20 }, () => get(d)));
    expect(burst.every((r) => r.body === first.body)).toBe(true);
    // before: one token read per request, 20
    expect(tokenReads(at)).toBeLessThanOrEqual(2);
    await h.stores.aggregates.replacePeriod('26', P1, [filledAggregateRow({ level: 'region', base: 3 }), filledAggregateRow({ id: 'budennovsky', base: 3 })], judged);
    at = h.wire.calls.length;
    const after = await Promise.all(Array.from({ length: 5 }, () => get(d)));
    expect(after.every((r) => r.body === after[0]!.body && r.body !== first.body)).toBe(true);
    expect(tokenReads(at)).toBeLessThanOrEqual(2);
  });

  test('a period with no aggregates is answered after its window bounds, without reading the window', async () => {
    await history(3);
    const at = h.wire.calls.length;
    const res = await handleApiRequest({ method: 'GET', path: `/v1/regions/26/periods/${P2.start}..${P2.end}`, query: {}, headers: { 'x-api-key': KEY }, requestId: 'w' }, deps());
    expect(res.statusCode).toBe(404);
    expect(h.wire.calls.slice(at).filter((c) => c.query).map((c) => c.query!.text)).toEqual([READ_VERSION, PERIOD_WINDOW_BOUNDS]);
  });
});
