// The YDB read model through the executing wire double: every read of one API request runs
// in one snapshot read-only transaction (the first statement begins it, the others name it,
// one commit ends it), so a commit in between is wholly seen or not at all; a failure
// re-runs the snapshot whole; a page cut mid-stream is read again, never returned cut.
import { describe, expect, test } from 'vitest';
import { PERIOD_WINDOW, READ_VERSION } from '../../../../../shared/adapters/ydb/queries.ts';
import { aggregateToRow } from '../../../../../shared/adapters/ydb/tables.ts';
import { handleApiRequest, type ApiDeps } from '../../../../../shared/api/app.ts';
import { hashApiKey } from '../../../../../shared/api/auth.ts';
import { ResponseCache } from '../../../../../shared/api/response-cache.ts';
import { defaultTargets } from '../../../../../shared/domain/targets.ts';
import { capturedLogger } from '../../../../support/logs.ts';
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

describe('the API period route on the YDB read model (issue 22)', () => {
  const KEY = 'rk_wire_reader_0123456789abcdef';
  const rows = [filledAggregateRow({ level: 'region' }), filledAggregateRow({ id: 'budennovsky' })];
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
  const get = (d: ApiDeps) =>
    handleApiRequest({ method: 'GET', path: `/v1/regions/26/periods/${P1.start}..${P1.end}`, query: {}, headers: { 'x-api-key': KEY }, requestId: 'w' }, d);
  let token = 't1';
  const scriptStore = () => {
    h.wire.script((q) => q.text === READ_VERSION, () => [h.wire.rows('read_version', [{ version: token }], ['version'])]);
    h.wire.script((q) => q.text === PERIOD_WINDOW, [h.wire.rows('aggregate_metrics', rows.map(aggregateToRow)), h.wire.rows('alert_state', [], ['alert_id', 'level', 'unit', 'state_json'])]);
  };

  test('a period is the read token and one window read (with the alert states); a repeat while the token holds is the token alone', async () => {
    scriptStore();
    const d = deps();
    const first = await get(d);
    expect(first.statusCode).toBe(200);
    // before issue 22: the period, the DISTINCT period list, one read per history period, the alerts (11 round trips at 52 weeks)
    expect(h.wire.queries().map((q) => q.text)).toEqual([READ_VERSION, PERIOD_WINDOW]);
    expect(h.wire.queries()[1]!.params.$periods?.value).toBe(12n); // the period, 7 for the trend, 4 for provisional weeks it skips
    h.wire.reset();
    scriptStore();
    const again = await get(d);
    expect(again.body).toBe(first.body);
    expect(h.wire.queries().map((q) => q.text)).toEqual([READ_VERSION]);
    expect(h.wire.calls.filter((c) => c.method !== 'ExecuteQuery').map((c) => c.method)).toEqual(['CommitTransaction']);
    // a writer renewed the token: rebuilt
    h.wire.reset();
    token = 't2';
    scriptStore();
    await get(d);
    expect(h.wire.queries().map((q) => q.text)).toEqual([READ_VERSION, PERIOD_WINDOW]);
  });
});
