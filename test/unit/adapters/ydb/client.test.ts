// The YDB client without a server: BulkUpsert chunks sized by Yandex's RU rule and retried
// alone, transactions that begin with their first statement and commit with their last,
// retries that stop at the invocation's deadline, sessions kept and replaced, tokens
// fetched again after UNAUTHENTICATED, results bounded, and YDB errors translated into the
// pipeline's vocabulary. The driver below is a stand-in recording every gRPC call.
import { describe, expect, test, vi } from 'vitest';
import { toBinary } from '@bufbuild/protobuf';
import { ValueSchema, type ResultSet } from '@ydbjs/api/value';
import {
  DEFAULT_BULK_CHUNK,
  TruncatedResultError,
  YdbClient,
  bulkRowRu,
  chunkRows,
  encodeForBulk,
  isPreconditionFailed,
  paginate,
  type Params,
} from '../../../../shared/adapters/ydb/client.ts';
import { translateError } from '../../../../shared/adapters/ydb/errors.ts';
import { PAGE_SIZE, SCHOOLS_OF_BATCH, type Paged } from '../../../../shared/adapters/ydb/queries.ts';
import { col, listOfEncoded, type RowOf } from '../../../../shared/adapters/ydb/codec.ts';
import { T, schoolToRow } from '../../../../shared/adapters/ydb/tables.ts';
import { PipelineError, TransientError, isRetryable } from '../../../../shared/domain/errors.ts';
import { numberedSchool } from '../../../support/builders.ts';
import { fakeDriver, pageOf, resultSetOf, steppedClock, ydbError, type FakeCall } from '../../../support/ydb-results.ts';

/** No jitter pauses worth waiting for; the deadline is what bounds the retries. */
const fast = { backoff: { baseMs: 1, throttledBaseMs: 1, capMs: 2 }, random: () => 0.5 };
/**
 * Backoff in seconds of stepped time (steppedClock): the budget is spent by the arithmetic
 * alone, and each attempt's own (real) timeout — the time left — stays seconds long.
 */
const STEPPED = { baseMs: 500, throttledBaseMs: 1_000, capMs: 8_000 };
const rpcs = (calls: readonly FakeCall[]) => calls.map((c) => (c.tx ? `${c.rpc}(${c.tx})` : c.rpc));

const school = (i: number, name = 'МБОУ СОШ') => schoolToRow('up_1', numberedSchool(i, { school_name: name }));

describe('BulkUpsert chunks', () => {
  const cols = T.schoolSnapshot.columns;

  test("a row costs 0.5 RU per started KB, Yandex's BulkUpsert rule", () => {
    expect(bulkRowRu(1)).toBe(0.5);
    expect(bulkRowRu(1024)).toBe(0.5);
    expect(bulkRowRu(1025)).toBe(1);
    expect(bulkRowRu(2500)).toBe(1.5);
  });

  test("a row's size is its exact protobuf size as an item of the list sent", () => {
    const rows = [school(1), school(2, 'Школа с длинным названием'), { ...school(3), teachers_total: -5, school_kpp: '263401001' }].map((r) => encodeForBulk(cols, r));
    const list = listOfEncoded(cols, rows.map((r) => r.value)).value!;
    expect(rows.reduce((n, r) => n + r.bytes, 0)).toBe(toBinary(ValueSchema, list).length);
  });

  test('chunks stay within the RU and byte limits and keep the rows in order', () => {
    const rows = Array.from({ length: 600 }, (_, i) => encodeForBulk(cols, school(i, 'Ш'.repeat((i * 7) % 400))));
    const chunks = chunkRows(rows, { maxRu: 20, maxBytes: 16 * 1024 });
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.flat()).toEqual(rows.map((r) => r.value));
    const size = new Map(rows.map((r) => [r.value, r.bytes]));
    for (const c of chunks) {
      expect(c.reduce((n, v) => n + bulkRowRu(size.get(v)!), 0)).toBeLessThanOrEqual(20);
      expect(c.reduce((n, v) => n + size.get(v)!, 0)).toBeLessThanOrEqual(16 * 1024);
    }
  });

  test('a row larger than the limit travels alone rather than being dropped', () => {
    const rows = [school(1), school(2, 'x'.repeat(5000)), school(3)].map((r) => encodeForBulk(cols, r));
    expect(chunkRows(rows, { maxRu: 1, maxBytes: 1000 }).map((c) => c.length)).toEqual([1, 1, 1]);
  });
});

describe('YdbClient.bulkUpsert', () => {
  test('one BulkUpsert per RU-bounded chunk (500 small rows, 250 RU), to the table under the database', async () => {
    const { driver, calls } = fakeDriver();
    const n = await new YdbClient(driver, fast).bulkUpsert('school_snapshot', T.schoolSnapshot.columns, Array.from({ length: 1200 }, (_, i) => school(i)), 'staging');
    expect(DEFAULT_BULK_CHUNK.maxRu).toBe(250);
    expect(n).toBe(3);
    expect(calls.map((c) => [c.table, c.rows])).toEqual([
      ['/local/school_snapshot', 500],
      ['/local/school_snapshot', 500],
      ['/local/school_snapshot', 200],
    ]);
  });

  test('a throttled chunk is retried alone, with backoff, until it passes; the others are sent once', async () => {
    let chunk = 0;
    let overloaded = 8;
    const { driver, calls } = fakeDriver(() => (++chunk === 2 || (chunk > 2 && overloaded > 0 && chunk < 11) ? (overloaded--, ydbError('OVERLOADED')) : undefined));
    await new YdbClient(driver, { ...fast, deadline: () => Date.now() + 10_000 }).bulkUpsert('school_snapshot', T.schoolSnapshot.columns, Array.from({ length: 1200 }, (_, i) => school(i)), 'staging');
    expect(calls.map((c) => c.rows)).toEqual([500, ...Array<number>(9).fill(500), 200]);
  });

  test('a chunk still throttled at the deadline ends as a TransientError before it', async () => {
    const { driver, calls } = fakeDriver(() => ydbError('OVERLOADED'));
    const clock = steppedClock();
    const err = await new YdbClient(driver, { ...fast, backoff: STEPPED, clock, reserveMs: 1_000, deadline: () => 30_000 })
      .bulkUpsert('school_snapshot', T.schoolSnapshot.columns, [school(1)], 'staging')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    // sleeps of 500, 1 000, 2 000, 4 000, … while the next one still ends before 30 000 - 1 000
    expect(clock.now()).toBe(27_500);
    expect(calls.length).toBe(10);
  });
});

describe('YdbClient.run and tx', () => {
  test('a statement leaves no timer behind: its attempt and call timeouts end with it', async () => {
    // (AbortSignal.timeout's timers lived on for the whole timeout: seconds, at every request)
    vi.useFakeTimers();
    try {
      const client = new YdbClient(fakeDriver().driver, { ...fast, callTimeoutMs: 5_000 });
      await client.run('UPSERT 1;', {}, { what: 'a', idempotent: true });
      await client.reader('SELECT 1;', {}, 'b');
      await client.tx('snapshot', 'view', async (tx) => tx.query('SELECT 2;', {}, 'c'));
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  test('a statement is one ExecuteQuery that begins and commits its transaction; the session is kept', async () => {
    const { driver, calls } = fakeDriver();
    const client = new YdbClient(driver, fast);
    await client.run('UPSERT 1;', {}, { what: 'a', idempotent: true });
    await client.reader('SELECT 1;', {}, 'b');
    expect(rpcs(calls)).toEqual([
      'createSession',
      'attachSession',
      'executeQuery(begin:serializableReadWrite+commit)',
      'executeQuery(begin:snapshotReadOnly+commit)',
    ]);
  });

  test('a transaction begins with its first statement and commits with its last: no Begin/Commit round trips', async () => {
    const { driver, calls } = fakeDriver();
    const out = await new YdbClient(driver, fast).tx('serializable', 'work', async (tx) => {
      await tx.query('SELECT 1;', {}, 'a');
      await tx.query('UPSERT 2;', {}, 'b', { commit: true });
      return 42;
    });
    expect(out).toBe(42);
    expect(rpcs(calls).slice(2)).toEqual(['executeQuery(begin:serializableReadWrite)', 'executeQuery(tx:tx1+commit)']);
  });

  test('a transaction that ends on a read is committed after it', async () => {
    const { driver, calls } = fakeDriver();
    await new YdbClient(driver, fast).tx('snapshot', 'view', (tx) => tx.query('SELECT 1;', {}, 'a'));
    expect(rpcs(calls).slice(2)).toEqual(['executeQuery(begin:snapshotReadOnly)', 'commitTransaction(tx:tx1)']);
  });

  test('OVERLOADED on the commit ends as a retryable TransientError before the deadline', async () => {
    const { driver, calls } = fakeDriver((c) => (c.tx?.endsWith('+commit') ? ydbError('OVERLOADED') : undefined));
    const clock = steppedClock();
    let runs = 0;
    const err = await new YdbClient(driver, { ...fast, backoff: STEPPED, clock, reserveMs: 1_000, deadline: () => 30_000 })
      .tx('serializable', 'flip', async (tx) => {
        runs++;
        await tx.query('SELECT 1;', {}, 'read');
        await tx.query('UPSERT 1;', {}, 'write', { commit: true });
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(isRetryable(err)).toBe(true);
    expect((err as Error).message).toMatch(/overloaded during flip.*deadline/);
    expect(clock.now()).toBe(27_500);
    expect(runs).toBe(10);
    expect(calls.filter((c) => c.rpc === 'createSession')).toHaveLength(1);
  });

  test('ABORTED (locks invalidated) re-runs the whole transaction from its first statement', async () => {
    let commits = 0;
    const { driver, calls } = fakeDriver((c) => (c.tx?.endsWith('+commit') && commits++ === 0 ? ydbError('ABORTED') : undefined));
    let runs = 0;
    await new YdbClient(driver, fast).tx('serializable', 'flip', async (tx) => {
      runs++;
      await tx.query('SELECT 1;', {}, 'read');
      await tx.query('UPSERT 1;', {}, 'write', { commit: true });
    });
    expect(runs).toBe(2);
    expect(rpcs(calls).slice(2)).toEqual([
      'executeQuery(begin:serializableReadWrite)',
      'executeQuery(tx:tx1+commit)',
      'rollbackTransaction(tx:tx1)',
      'executeQuery(begin:serializableReadWrite)',
      'executeQuery(tx:tx2+commit)',
    ]);
  });

  test('a non-retryable status is not retried and becomes a non-retryable PipelineError', async () => {
    const { driver, calls } = fakeDriver((c) => (c.rpc === 'executeQuery' ? ydbError('SCHEME_ERROR') : undefined));
    const err = await new YdbClient(driver, fast).tx('serializable', 'flip', (tx) => tx.query('SELECT 1;', {}, 'read')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).not.toBeInstanceOf(TransientError);
    expect((err as PipelineError).code).toBe('ydb.scheme_error');
    expect(calls.filter((c) => c.rpc === 'executeQuery')).toHaveLength(1);
  });

  test('BAD_SESSION replaces the session and re-runs at once', async () => {
    let bad = true;
    const { driver, calls } = fakeDriver((c) => (c.rpc === 'executeQuery' && bad ? ((bad = false), ydbError('BAD_SESSION')) : undefined));
    await new YdbClient(driver, fast).run('SELECT 1;', {}, { what: 'a', idempotent: true });
    expect(calls.filter((c) => c.rpc === 'executeQuery').map((c) => c.sessionId)).toEqual(['s1', 's2']);
    expect(calls.some((c) => c.rpc === 'deleteSession' && c.sessionId === 's1')).toBe(true);
  });

  test('YDB UNAVAILABLE is retried for any statement; gRPC UNAVAILABLE (maybe applied) only for idempotent ones; TIMEOUT never', async () => {
    let fail = true;
    const a = fakeDriver((c) => (c.rpc === 'executeQuery' && fail ? ((fail = false), ydbError('UNAVAILABLE')) : undefined));
    await new YdbClient(a.driver, fast).run('INSERT;', {}, { what: 'insert', idempotent: false });
    expect(a.calls.filter((c) => c.rpc === 'executeQuery')).toHaveLength(2);
    const transport = () => Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: 'reset' });
    const lost = fakeDriver((c) => (c.rpc === 'executeQuery' ? transport() : undefined));
    await expect(new YdbClient(lost.driver, fast).run('INSERT;', {}, { what: 'insert', idempotent: false })).rejects.toBeInstanceOf(TransientError);
    expect(lost.calls.filter((c) => c.rpc === 'executeQuery')).toHaveLength(1);
    const once = fakeDriver((c) => (c.rpc === 'executeQuery' ? ydbError('TIMEOUT') : undefined));
    const err = await new YdbClient(once.driver, fast).run('SELECT;', {}, { what: 'read', idempotent: true }).catch((e: unknown) => e);
    expect((err as PipelineError).code).toBe('ydb.timeout');
    expect(once.calls.filter((c) => c.rpc === 'executeQuery')).toHaveLength(1);
  });

  test('UNAUTHENTICATED fetches the token again and retries once; refused twice it is not retryable', async () => {
    const unauthenticated = () => Object.assign(new Error('16 UNAUTHENTICATED'), { code: 16, details: 'token expired' });
    const forced: boolean[] = [];
    const getToken = async (force: boolean) => (forced.push(force), 't');
    let refuse = 1;
    const a = fakeDriver((c) => (c.rpc === 'executeQuery' && refuse-- > 0 ? unauthenticated() : undefined), { getToken });
    await new YdbClient(a.driver, fast).run('SELECT 1;', {}, { what: 'a', idempotent: true });
    expect(forced).toEqual([true]);
    const b = fakeDriver((c) => (c.rpc === 'executeQuery' ? unauthenticated() : undefined), { getToken });
    const err = await new YdbClient(b.driver, fast).run('SELECT 1;', {}, { what: 'a', idempotent: true }).catch((e: unknown) => e);
    expect((err as PipelineError).code).toBe('ydb.unauthenticated');
    expect(isRetryable(err)).toBe(false);
  });

  test('a truncated result, or one larger than the bound, fails loudly instead of being returned', async () => {
    const cut = fakeDriver(() => [resultSetOf({ n: col.int64 }, [{ n: 1 }], true)]);
    const err = await new YdbClient(cut.driver, fast).run('SELECT 1;', {}, { what: 'a read', idempotent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TruncatedResultError);
    expect(isRetryable(err)).toBe(false);
    const big = fakeDriver(() => [resultSetOf({ n: col.int64 }, Array.from({ length: 11 }, (_, n) => ({ n })))]);
    await expect(new YdbClient(big.driver, { ...fast, maxResultRows: 10 }).tx('snapshot', 'a read', (tx) => tx.query('SELECT 1;', {}, 'a read'))).rejects.toBeInstanceOf(
      TruncatedResultError,
    );
    expect(PAGE_SIZE * 10).toBeGreaterThan(PAGE_SIZE);
  });
});

describe('translateError', () => {
  test('retryable and ambiguous statuses become TransientError; the rest keep their status as a code', () => {
    for (const s of ['ABORTED', 'UNAVAILABLE', 'OVERLOADED', 'BAD_SESSION', 'UNDETERMINED'] as const) {
      expect(translateError(ydbError(s), 'x'), s).toBeInstanceOf(TransientError);
    }
    for (const s of ['SCHEME_ERROR', 'BAD_REQUEST', 'PRECONDITION_FAILED', 'UNAUTHORIZED', 'TIMEOUT', 'CANCELLED'] as const) {
      const e = translateError(ydbError(s), 'x');
      expect(e.retryable, s).toBe(false);
      expect(e.code).toBe(`ydb.${s.toLowerCase()}`);
    }
  });

  test('gRPC transport errors YDB calls (conditionally) retryable are transient; a bad value is not', () => {
    const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'x' });
    expect(translateError(grpc, 'x')).toBeInstanceOf(TransientError);
    expect(translateError(new RangeError('Int64 expects a safe integer'), 'x').code).toBe('ydb.value');
  });

  test('PRECONDITION_FAILED is recognised through the translation', () => {
    expect(isPreconditionFailed(translateError(ydbError('PRECONDITION_FAILED'), 'insert'))).toBe(true);
    expect(isPreconditionFailed(translateError(ydbError('ABORTED'), 'insert'))).toBe(false);
  });
});

describe('paginate', () => {
  /** Serves rows of a sorted in-memory "table" the way the paged statements would. */
  function server(rows: RowOf<typeof T.schoolSnapshot.columns>[], seen: Params[]) {
    return async (text: string, params: Params): Promise<ResultSet[]> => {
      seen.push(params);
      const page = pageOf(SCHOOLS_OF_BATCH, text, params, rows, T.schoolSnapshot.columns);
      return [resultSetOf(T.schoolSnapshot.columns, page)];
    };
  }

  test('reads 1500 rows in pages, continuing strictly after the last key', async () => {
    const rows = [...Array.from({ length: 700 }, (_, i) => ({ ...school(i), municipality_id: 'a' })), ...Array.from({ length: 800 }, (_, i) => ({ ...school(i), municipality_id: 'b' }))];
    const seen: Params[] = [];
    const out = await paginate(server(rows, seen), SCHOOLS_OF_BATCH, {}, T.schoolSnapshot.columns, T.schoolSnapshot.columns, 'schools', 500);
    expect(out).toEqual(rows);
    expect(seen).toHaveLength(4); // 500 + 500 + 500 + an empty last page
  });

  test('a read of exactly one page stops after the short follow-up page', async () => {
    const seen: Params[] = [];
    const rows = Array.from({ length: 3 }, (_, i) => school(i));
    expect(await paginate(server(rows, seen), SCHOOLS_OF_BATCH as Paged, {}, T.schoolSnapshot.columns, T.schoolSnapshot.columns, 's', 3)).toHaveLength(3);
    expect(seen).toHaveLength(2);
  });
});
