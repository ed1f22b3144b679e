// The YDB client helpers without a server: BulkUpsert split by bytes, pagination that
// neither skips nor repeats, the truncated flag failing loudly, transactions committed or
// rolled back and re-run only on retryable statuses, and YDB errors translated into the
// pipeline's vocabulary. The session below is a stand-in recording what would be sent.
import { describe, expect, test } from 'vitest';
import {
  TruncatedResultError,
  YdbClient,
  chunkByBytes,
  encodedRowBytes,
  isPreconditionFailed,
  paginate,
  translateError,
  type Params,
} from '../../../shared/adapters/ydb/client.ts';
import { SCHOOLS_OF_BATCH, type Paged } from '../../../shared/adapters/ydb/queries.ts';
import { sdk, type Driver, type Ydb } from '../../../shared/adapters/ydb/sdk.ts';
import { T, listParam, type RowOf } from '../../../shared/adapters/ydb/types.ts';
import { PipelineError, TransientError, isRetryable } from '../../../shared/domain/errors.ts';
import { pageOf, resultSetOf } from '../../helpers/ydb-results.ts';

/** A real SDK error of the given status (the SDK maps status → class in checkStatus). */
function ydbError(status: keyof typeof sdk.StatusCode): Error {
  try {
    sdk.YdbError.checkStatus({ status: sdk.StatusCode[status] as never, issues: [{ message: `fake ${status}` }] });
  } catch (e) {
    return e as Error;
  }
  throw new Error(`no error class for ${status}`);
}

type Call = { kind: string; text?: string; params?: Record<string, Ydb.ITypedValue>; tx?: unknown };

/** A fake driver whose session answers from `respond` and records every call. */
function fakeDriver(respond: (call: Call) => Ydb.IResultSet[] | Error | void) {
  const calls: Call[] = [];
  const answer = (call: Call) => {
    calls.push(call);
    const r = respond(call);
    if (r instanceof Error) throw r;
    return r ?? [];
  };
  const session = {
    beginTransaction: async () => answer({ kind: 'begin' }) && { id: 'tx1' },
    commitTransaction: async () => void answer({ kind: 'commit' }),
    rollbackTransaction: async () => void answer({ kind: 'rollback' }),
    executeQuery: async (text: string, params: Record<string, Ydb.ITypedValue>, tx: unknown) => ({ resultSets: answer({ kind: 'query', text, params, tx }) }),
    bulkUpsert: async (table: string, rows: Ydb.TypedValue) => void answer({ kind: 'bulk', text: table, params: { rows } }),
  };
  const driver = { tableClient: { withSessionRetry: async <T>(fn: (s: typeof session) => Promise<T>) => fn(session) } } as unknown as Driver;
  return { driver, calls };
}

const fast = { retry: { maxRetries: 3, backoffSlotMs: 1, backoffCeiling: 1 } };

function school(i: number, name = 'МБОУ СОШ'): RowOf<typeof T.schoolSnapshot.columns> {
  return {
    region: '26',
    period_start: '2023-03-06',
    period_end: '2023-03-10',
    batch_id: 'up_1',
    municipality_id: 'budennovsky',
    school_key: `k${String(i).padStart(5, '0')}`,
    school_inn: '2634000001',
    school_kpp: null,
    school_name: name,
    in_sferum: true,
    admin_active: true,
    teachers_total: i,
    teachers_in_sferum: null,
    students_total: null,
    students_in_sferum: null,
    teachers_chat_creators: null,
    teachers_msg3: null,
    teachers_msg10: null,
    teachers_calls: null,
  };
}

describe('chunkByBytes', () => {
  const cols = T.schoolSnapshot.columns;

  test('every chunk encodes within the limit and the rows keep their order', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => school(i, 'Ш'.repeat(i % 50)));
    const limit = 16 * 1024;
    const chunks = chunkByBytes(cols, rows, limit);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.flat()).toEqual(rows);
    for (const c of chunks) {
      const bytes = sdk.Ydb.TypedValue.encode(listParam(cols, c) as Ydb.TypedValue).finish().length;
      expect(bytes).toBeLessThanOrEqual(limit + 1024); // + the list's type description
    }
  });

  test('the per-row estimate is the exact encoded size of the list item', () => {
    const rows = [school(1), school(2, 'Школа с длинным названием')];
    const listBytes = sdk.Ydb.Value.encode(listParam(cols, rows).value as Ydb.Value).finish().length;
    expect(rows.reduce((n, r) => n + encodedRowBytes(cols, r), 0)).toBe(listBytes);
  });

  test('a row larger than the limit travels alone rather than being dropped', () => {
    const rows = [school(1), school(2, 'x'.repeat(5000)), school(3)];
    expect(chunkByBytes(cols, rows, 1000).map((c) => c.length)).toEqual([1, 1, 1]);
  });
});

describe('YdbClient.bulkUpsert', () => {
  test('sends one BulkUpsert per byte-bounded chunk, to the table path relative to the database', async () => {
    const { driver, calls } = fakeDriver(() => undefined);
    const client = new YdbClient(driver, { ...fast, bulkUpsertBytes: 8 * 1024 });
    const rows = Array.from({ length: 500 }, (_, i) => school(i));
    const n = await client.bulkUpsert('school_snapshot', T.schoolSnapshot.columns, rows, 'staging');
    const bulk = calls.filter((c) => c.kind === 'bulk');
    expect(bulk.length).toBe(n);
    expect(n).toBeGreaterThan(3);
    expect(bulk.every((c) => c.text === 'school_snapshot')).toBe(true);
    expect(bulk.reduce((k, c) => k + (c.params!.rows!.value!.items!.length ?? 0), 0)).toBe(500);
  });

  test('retries a chunk on OVERLOADED and gives up with a TransientError', async () => {
    let failures = 1;
    const { driver, calls } = fakeDriver((c) => (c.kind === 'bulk' && failures-- > 0 ? ydbError('OVERLOADED') : undefined));
    await new YdbClient(driver, fast).bulkUpsert('school_snapshot', T.schoolSnapshot.columns, [school(1)], 'staging');
    expect(calls.filter((c) => c.kind === 'bulk')).toHaveLength(2);
    const always = fakeDriver((c) => (c.kind === 'bulk' ? ydbError('OVERLOADED') : undefined));
    await expect(new YdbClient(always.driver, fast).bulkUpsert('school_snapshot', T.schoolSnapshot.columns, [school(1)], 'staging')).rejects.toBeInstanceOf(
      TransientError,
    );
  });
});

describe('YdbClient.run and tx', () => {
  const truncated: Ydb.IResultSet = { columns: [], rows: [], truncated: true };

  test('a truncated result fails loudly instead of being returned', async () => {
    const { driver } = fakeDriver(() => [truncated]);
    const err = await new YdbClient(driver, fast).run('SELECT 1;', {}, { what: 'a read', idempotent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TruncatedResultError);
    expect(isRetryable(err)).toBe(false);
    const inTx = fakeDriver(() => [truncated]);
    await expect(new YdbClient(inTx.driver, fast).tx('snapshot', 'a read', (tx) => tx.query('SELECT 1;', {}, 'a read'))).rejects.toBeInstanceOf(
      TruncatedResultError,
    );
  });

  test('a transaction runs its statements under one tx id and commits', async () => {
    const { driver, calls } = fakeDriver(() => undefined);
    const out = await new YdbClient(driver, fast).tx('serializable', 'work', async (tx) => {
      await tx.query('SELECT 1;', {}, 'a');
      await tx.query('SELECT 2;', {}, 'b');
      return 42;
    });
    expect(out).toBe(42);
    expect(calls.map((c) => c.kind)).toEqual(['begin', 'query', 'query', 'commit']);
    expect(calls.filter((c) => c.kind === 'query').every((c) => (c.tx as { txId: string }).txId === 'tx1')).toBe(true);
  });

  test('ABORTED (locks invalidated) re-runs the whole transaction from its first read', async () => {
    let commits = 0;
    const { driver, calls } = fakeDriver((c) => (c.kind === 'commit' && commits++ === 0 ? ydbError('ABORTED') : undefined));
    let runs = 0;
    await new YdbClient(driver, fast).tx('serializable', 'flip', async (tx) => {
      runs++;
      await tx.query('SELECT 1;', {}, 'read');
    });
    expect(runs).toBe(2);
    expect(calls.map((c) => c.kind)).toEqual(['begin', 'query', 'commit', 'rollback', 'begin', 'query', 'commit']);
  });

  test('a non-retryable status is not retried and becomes a non-retryable PipelineError', async () => {
    const { driver, calls } = fakeDriver((c) => (c.kind === 'query' ? ydbError('SCHEME_ERROR') : undefined));
    const err = await new YdbClient(driver, fast).tx('serializable', 'flip', (tx) => tx.query('SELECT 1;', {}, 'read')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).not.toBeInstanceOf(TransientError);
    expect((err as PipelineError).code).toBe('ydb.scheme_error');
    expect(calls.filter((c) => c.kind === 'begin')).toHaveLength(1);
    expect(calls.at(-1)!.kind).toBe('rollback');
  });

  test('idempotent statements are retried on UNAVAILABLE; others are sent once', async () => {
    let fail = true;
    const { driver, calls } = fakeDriver((c) => (c.kind === 'query' && fail ? ((fail = false), ydbError('UNAVAILABLE')) : undefined));
    await new YdbClient(driver, fast).run('UPSERT;', {}, { what: 'upsert', idempotent: true });
    expect(calls.filter((c) => c.kind === 'query')).toHaveLength(2);
    const once = fakeDriver((c) => (c.kind === 'query' ? ydbError('UNAVAILABLE') : undefined));
    await expect(new YdbClient(once.driver, fast).run('INSERT;', {}, { what: 'insert', idempotent: false })).rejects.toBeInstanceOf(TransientError);
    expect(once.calls.filter((c) => c.kind === 'query')).toHaveLength(1);
  });
});

describe('translateError', () => {
  test('retryable statuses become TransientError; the rest keep their status as a code', () => {
    for (const s of ['ABORTED', 'UNAVAILABLE', 'OVERLOADED', 'BAD_SESSION', 'UNDETERMINED'] as const) {
      expect(translateError(ydbError(s), 'x'), s).toBeInstanceOf(TransientError);
    }
    for (const s of ['SCHEME_ERROR', 'BAD_REQUEST', 'PRECONDITION_FAILED', 'UNAUTHORIZED'] as const) {
      const e = translateError(ydbError(s), 'x');
      expect(e.retryable, s).toBe(false);
      expect(e.code).toBe(`ydb.${s.toLowerCase()}`);
    }
  });

  test('raw gRPC transport errors are transient; a bad value is not', () => {
    const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'x', metadata: {} });
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
    return async (text: string, params: Params): Promise<Ydb.IResultSet[]> => {
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
