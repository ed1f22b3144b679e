// The YDB ReadModel without a server: one snapshot read-only transaction per snapshot,
// every read of the view inside it (same tx id) but the region token, read first in a
// one-call snapshot of its own, pages past the 1 000-row cap continuing
// in that transaction, a truncated page failing, a retryable failure re-running the whole
// (read-only) snapshot, and the transaction never committed before the view settles.
import { describe, expect, test } from 'vitest';
import { TruncatedResultError, YdbClient } from '../../../../shared/adapters/ydb/client.ts';
import { AGGREGATE_COLUMNS, AGGREGATE_PERIODS, AGGREGATE_READ_PERIOD, PAGE_SIZE, READ_VERSION } from '../../../../shared/adapters/ydb/queries.ts';
import { YdbReadModel } from '../../../../shared/adapters/ydb/read-model.ts';
import { col } from '../../../../shared/adapters/ydb/codec.ts';
import { aggregateToRow, type AggregateDbRow } from '../../../../shared/adapters/ydb/tables.ts';
import { TransientError } from '../../../../shared/domain/errors.ts';
import { filledAggregateRow, P1 } from '../../../support/builders.ts';
import { fakeDriver, resultSetOf, ydbError, type FakeCall } from '../../../support/ydb-results.ts';

type Row = AggregateDbRow;
const kinds = (calls: readonly FakeCall[]) => calls.filter((c) => c.rpc !== 'createSession' && c.rpc !== 'attachSession').map((c) => `${c.rpc}(${c.tx ?? ''})`);

/** A YDB serving one period's aggregate rows in one result, as AGGREGATE_READ_PERIOD reads them. */
function fakeYdb(rows: Row[], opts: { truncated?: boolean; failFirstQuery?: Error } = {}) {
  let queries = 0;
  const { driver, calls } = fakeDriver((c) => {
    if (c.rpc !== 'executeQuery') return;
    if (queries++ === 0 && opts.failFirstQuery) return opts.failFirstQuery;
    if (c.text === READ_VERSION) return [resultSetOf({ version: col.utf8 }, [{ version: 't1' }])];
    if (c.text === AGGREGATE_PERIODS) return [resultSetOf({ period_start: col.date, period_end: col.date }, rows.length ? [{ period_start: P1.start, period_end: P1.end }] : [])];
    if (c.text !== AGGREGATE_READ_PERIOD) throw new Error(`unexpected statement ${c.text}`);
    return [resultSetOf(AGGREGATE_COLUMNS, rows, opts.truncated ?? false)];
  });
  return { read: new YdbReadModel(new YdbClient(driver, { backoff: { baseMs: 1, capMs: 1 } })), calls };
}

const period = (n: number) => {
  const ids = Array.from({ length: n }, (_, i) => `m_${String(i).padStart(4, '0')}`);
  const domain = [filledAggregateRow({ level: 'region' }), ...ids.map((id) => filledAggregateRow({ id }))];
  const rows = domain.map(aggregateToRow).sort((a, b) => (a.level < b.level ? -1 : a.level > b.level ? 1 : a.unit < b.unit ? -1 : 1));
  return { domain, rows };
};

describe('YdbReadModel', () => {
  test('a snapshot is one snapshot read-only transaction holding every read, committed after the view settles', async () => {
    const { domain, rows } = period(3);
    const { read, calls } = fakeYdb(rows);
    const out = await read.snapshot(async (v) => {
      const periods = await v.periods('26');
      const seen = kinds(calls);
      return { periods, rows: await v.readPeriod('26', P1), seen };
    });
    expect(out.periods).toEqual([P1]);
    expect(out.rows).toEqual(domain);
    expect(out.seen).toEqual(['executeQuery(begin:snapshotReadOnly)']);
    expect(kinds(calls)).toEqual(['executeQuery(begin:snapshotReadOnly)', 'executeQuery(tx:tx1)', 'commitTransaction(tx:tx1)']);
  });

  test('a view that reads only the region token (a cached response) is one call: the token in a snapshot begun and committed with it', async () => {
    const { read, calls } = fakeYdb([]);
    const token = await read.snapshot((v) => v.version('26'));
    expect(token).toBe('ydb:t1');
    expect(kinds(calls)).toEqual(['executeQuery(begin:snapshotReadOnly+commit)']);
  });

  test('past the token, the view runs again in a snapshot transaction, the token kept (not read twice)', async () => {
    const { domain, rows } = period(1);
    const { read, calls } = fakeYdb(rows);
    const out = await read.snapshot(async (v) => ({ token: await v.version('26'), rows: await v.readPeriod('26', P1) }));
    expect(out).toEqual({ token: 'ydb:t1', rows: domain });
    expect(kinds(calls)).toEqual(['executeQuery(begin:snapshotReadOnly+commit)', 'executeQuery(begin:snapshotReadOnly)', 'commitTransaction(tx:tx2)']);
  });

  test("a period's rows are one statement, whatever their number below the client's bound; above it the read fails instead of passing cut", async () => {
    const { domain, rows } = period(PAGE_SIZE + 200);
    const { read, calls } = fakeYdb(rows);
    const out = await read.snapshot((v) => v.readPeriod('26', P1));
    expect(out.map((r) => r.scope.id)).toEqual(domain.map((r) => r.scope.id));
    expect(calls.filter((c) => c.rpc === 'executeQuery').map((q) => q.tx)).toEqual(['begin:snapshotReadOnly']);
    const big = fakeYdb(period(10 * PAGE_SIZE + 1).rows);
    await expect(big.read.snapshot((v) => v.readPeriod('26', P1))).rejects.toBeInstanceOf(TruncatedResultError);
  });

  test('a truncated page fails the snapshot instead of passing as complete', async () => {
    const { rows } = period(5);
    const { read, calls } = fakeYdb(rows, { truncated: true });
    await expect(read.snapshot((v) => v.readPeriod('26', P1))).rejects.toBeInstanceOf(TruncatedResultError);
    expect(kinds(calls).at(-1)).toBe('rollbackTransaction(tx:tx1)');
  });

  test('a retryable failure re-runs the whole snapshot in a new transaction', async () => {
    const { domain, rows } = period(2);
    const { read, calls } = fakeYdb(rows, { failFirstQuery: ydbError('UNAVAILABLE') });
    let runs = 0;
    const out = await read.snapshot((v) => {
      runs++;
      return v.readPeriod('26', P1);
    });
    expect(out).toEqual(domain);
    // the first run stops at its first read past the token (it read none), then two in transactions
    expect(runs).toBe(3);
    expect(calls.filter((c) => c.tx?.startsWith('begin:'))).toHaveLength(2);
  });

  test('an error of the view itself is not retried and reaches the caller', async () => {
    const { rows } = period(1);
    const { read, calls } = fakeYdb(rows);
    let runs = 0;
    const err = await read
      .snapshot(async (v) => {
        runs++;
        await v.periods('26');
        throw new RangeError('bad view');
      })
      .catch((e: unknown) => e);
    // stopped at its first read past the token, then once in the transaction, never retried
    expect(runs).toBe(2);
    expect(err).not.toBeInstanceOf(TransientError);
    expect(kinds(calls).at(-1)).toBe('rollbackTransaction(tx:tx1)');
  });
});
