// Adapter support: how the YDB adapters talk to the table service. One statement
// (`run`), one interactive transaction (`tx`), paginated reads (`paginate`) and
// BulkUpsert split by bytes (`bulkUpsert`). Vendor errors stop here: a YdbError becomes a
// TransientError when a retry can help (ABORTED, UNAVAILABLE, OVERLOADED, session and
// transport faults) and a PipelineError otherwise, so nothing above an adapter sees one.
//
// Retries use the SDK's own helpers and only for retryable statuses: `withSessionRetry`
// replaces a broken session, `withRetries` re-runs the whole unit of work on ABORTED (lock
// invalidated: nothing was committed), UNAVAILABLE, OVERLOADED and transport faults. A
// statement inside an interactive transaction is never retried on its own (the
// transaction is dead after ABORTED); the transaction is, from its first read.
import { PipelineError, TransientError } from '../../domain/errors.ts';
import { sdk, type Driver, type Ydb } from './sdk.ts';
import { decodeRows, encodeRow, listParam, param, type Columns, type ColumnType, type RowOf } from './types.ts';
import { PAGE_SIZE, type Paged } from './queries.ts';

export type Params = Readonly<Record<string, Ydb.ITypedValue>>;

/** A result that hit the 1000-row cap of ExecuteDataQuery: never returned as complete. */
export class TruncatedResultError extends PipelineError {
  constructor(what: string) {
    super(`YDB truncated the result of ${what}: the read must be paginated`, 'ydb.truncated', false);
  }
}

const RETRYABLE = new Set<number>([
  sdk.StatusCode.ABORTED,
  sdk.StatusCode.UNAVAILABLE,
  sdk.StatusCode.OVERLOADED,
  sdk.StatusCode.BAD_SESSION,
  sdk.StatusCode.SESSION_BUSY,
  sdk.StatusCode.SESSION_EXPIRED,
  sdk.StatusCode.UNDETERMINED,
  sdk.StatusCode.TIMEOUT,
  sdk.StatusCode.CANCELLED,
  sdk.StatusCode.TRANSPORT_UNAVAILABLE,
  sdk.StatusCode.CLIENT_RESOURCE_EXHAUSTED,
  sdk.StatusCode.CLIENT_DEADLINE_EXCEEDED,
  sdk.StatusCode.CLIENT_CANCELED,
  sdk.StatusCode.SESSION_POOL_EMPTY,
]);

/** The status of a YDB error (each SDK error class carries it as a static). */
export function statusOf(err: unknown): number | null {
  if (!(err instanceof sdk.YdbError)) return null;
  const s = (err.constructor as { status?: unknown }).status;
  return typeof s === 'number' ? s : null;
}

export function statusName(status: number | null): string {
  if (status === null) return 'unknown';
  return (sdk.StatusCode as unknown as Record<number, string>)[status]?.toLowerCase() ?? String(status);
}

/** Translates anything thrown below the adapter into the pipeline's error vocabulary. */
export function translateError(err: unknown, what: string): PipelineError {
  if (err instanceof PipelineError) return err;
  const status = statusOf(err);
  if (status !== null) {
    const name = statusName(status);
    if (RETRYABLE.has(status)) return new TransientError(`YDB ${name} during ${what}`, { cause: err });
    return new PipelineError(`YDB ${name} during ${what}`, `ydb.${name}`, false, { cause: err });
  }
  // a raw gRPC status the SDK did not convert (connection refused, deadline, reset)
  if (isGrpcError(err)) return new TransientError(`YDB transport failure during ${what}`, { cause: err });
  if (err instanceof RangeError) return new PipelineError(`invalid value for YDB during ${what}: ${err.message}`, 'ydb.value', false, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new PipelineError(`YDB client failure during ${what}: ${message}`, 'ydb.client', false, { cause: err });
}

/** A raw gRPC status error (grpc-js), as ydb-sdk lets some through unconverted. */
export function isGrpcError(e: unknown): boolean {
  return e instanceof Error && 'code' in e && 'details' in e && 'metadata' in e;
}

/** PRECONDITION_FAILED: an INSERT met an existing key (a racing writer got there first). */
export function isPreconditionFailed(err: unknown): boolean {
  const cause = err instanceof PipelineError ? err.cause : err;
  return statusOf(cause) === sdk.StatusCode.PRECONDITION_FAILED;
}

export function assertComplete(resultSets: readonly Ydb.IResultSet[], what: string): void {
  if (resultSets.some((rs) => rs.truncated)) throw new TruncatedResultError(what);
}

export type Tx = {
  /** One statement inside the transaction; result sets are checked for truncation. */
  query(text: string, params: Params, what: string): Promise<Ydb.IResultSet[]>;
};

export type ClientOptions = {
  /** Upper bound of one BulkUpsert request body; the gRPC cap is 64 MB, a few MB keeps calls cheap to retry. */
  readonly bulkUpsertBytes?: number;
  readonly retry?: { readonly maxRetries?: number; readonly backoffSlotMs?: number; readonly backoffCeiling?: number };
};

export const DEFAULT_BULK_UPSERT_BYTES = 4 * 1024 * 1024;

/**
 * Splits rows into chunks whose encoded size stays within `maxBytes` (one oversized row
 * travels alone; YDB itself caps a row far below any sensible limit). Order is kept.
 */
export function chunkByBytes<C extends Columns>(columns: C, rows: readonly RowOf<C>[], maxBytes: number): RowOf<C>[][] {
  const chunks: RowOf<C>[][] = [];
  let current: RowOf<C>[] = [];
  let size = 0;
  for (const r of rows) {
    const bytes = encodedRowBytes(columns, r);
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += bytes;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** Exact protobuf size of a row as it travels in a List<Struct> (plus its list-item framing). */
export function encodedRowBytes<C extends Columns>(columns: C, row: RowOf<C>): number {
  const n = sdk.Ydb.Value.encode(encodeRow(columns, row) as Ydb.Value).finish().length;
  return n + 1 + varintBytes(n);
}

function varintBytes(n: number): number {
  let b = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    b++;
  }
  return b;
}

export class YdbClient {
  readonly #driver: Driver;
  readonly #bulkBytes: number;
  readonly #retry: InstanceType<typeof sdk.RetryParameters>;

  constructor(driver: Driver, opts: ClientOptions = {}) {
    this.#driver = driver;
    this.#bulkBytes = opts.bulkUpsertBytes ?? DEFAULT_BULK_UPSERT_BYTES;
    // Bounded so a throttled serverless database (OVERLOADED) fails the invocation in
    // seconds and the trigger's own retry takes over, instead of sleeping past the timeout.
    this.#retry = new sdk.RetryParameters({
      maxRetries: opts.retry?.maxRetries ?? 6,
      backoffSlotDuration: opts.retry?.backoffSlotMs ?? 100,
      backoffCeiling: opts.retry?.backoffCeiling ?? 5,
    });
  }

  /** Reads as single statements, each in its own transaction and retried (they are idempotent). */
  readonly reader: Runner = (text, params, what) => this.run(text, params, { what, idempotent: true });

  /**
   * One statement in its own serializable transaction. `idempotent` statements (reads,
   * UPSERTs, DELETEs, UPDATEs to absolute values) are retried on retryable statuses,
   * including the ambiguous ones; others only get a fresh session.
   */
  async run(text: string, params: Params, o: { what: string; idempotent: boolean }): Promise<Ydb.IResultSet[]> {
    const once = () =>
      this.#driver.tableClient.withSessionRetry(async (session) => {
        const settings = new sdk.ExecuteQuerySettings().withKeepInCache(true).withIdempotent(o.idempotent);
        const r = await session.executeQuery(text, params as Record<string, Ydb.ITypedValue>, sdk.AUTO_TX, settings);
        return r.resultSets;
      });
    try {
      const sets = o.idempotent ? await sdk.withRetries(once, this.#retry) : await once();
      assertComplete(sets, o.what);
      return sets;
    } catch (err) {
      throw translateError(err, o.what);
    }
  }

  /**
   * An interactive transaction: reads first, then writes, committed at the end. The whole
   * function is re-run on retryable statuses, so it must derive every write from what it
   * read (each caller's comment says why a re-run is safe).
   */
  async tx<T>(mode: 'serializable' | 'snapshot', what: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const settings: Ydb.Table.ITransactionSettings = mode === 'serializable' ? { serializableReadWrite: {} } : { snapshotReadOnly: {} };
    const attempt = () =>
      this.#driver.tableClient.withSessionRetry(async (session) => {
        const meta = await session.beginTransaction(settings);
        const txId = meta.id as string;
        const tx: Tx = {
          query: async (text, params, label) => {
            const qs = new sdk.ExecuteQuerySettings().withKeepInCache(true);
            const r = await session.executeQuery(text, params as Record<string, Ydb.ITypedValue>, { txId }, qs);
            assertComplete(r.resultSets, label);
            return r.resultSets;
          },
        };
        try {
          const out = await fn(tx);
          await session.commitTransaction({ txId });
          return out;
        } catch (err) {
          await session.rollbackTransaction({ txId }).catch(() => undefined);
          throw err;
        }
      });
    try {
      return await sdk.withRetries(attempt, this.#retry);
    } catch (err) {
      throw translateError(err, what);
    }
  }

  /**
   * BulkUpsert in chunks of at most `bulkUpsertBytes`. Not atomic (YDB splits it per
   * partition), which is why staged rows live under a batch id no reader follows until the
   * pointer flip; each chunk is an upsert, so retrying one is harmless.
   */
  async bulkUpsert<C extends Columns>(tableName: string, columns: C, rows: readonly RowOf<C>[], what: string): Promise<number> {
    const chunks = chunkByBytes(columns, rows, this.#bulkBytes);
    try {
      for (const chunk of chunks) {
        const typed = listParam(columns, chunk) as Ydb.TypedValue;
        await sdk.withRetries(
          () => this.#driver.tableClient.withSessionRetry((session) => session.bulkUpsert(tableName, typed)),
          this.#retry,
        );
      }
      return chunks.length;
    } catch (err) {
      throw translateError(err, what);
    }
  }
}

/** Runs a query (one statement or a transaction's) through a runner. */
export type Runner = (text: string, params: Params, what: string) => Promise<Ydb.IResultSet[]>;

/**
 * Every row of a paginated read: pages of PAGE_SIZE continue strictly after the last key,
 * so no page can be truncated and nothing is skipped or repeated.
 */
export async function paginate<C extends Columns>(
  run: Runner,
  q: Paged,
  params: Params,
  columns: C,
  keyTypes: Readonly<Record<string, ColumnType>>,
  what: string,
  pageSize = PAGE_SIZE,
  /** stop early once the rows read so far are enough (a bounded scan such as "first N free") */
  enough?: (rows: readonly RowOf<C>[]) => boolean,
): Promise<RowOf<C>[]> {
  const out: RowOf<C>[] = [];
  let last: RowOf<C> | null = null;
  for (;;) {
    const p: Record<string, Ydb.ITypedValue> = { ...params, $limit: param({ kind: 'Uint64', optional: false }, pageSize) };
    if (last) {
      for (const k of q.keys) p[`$after_${k}`] = param(keyTypes[k]!, (last as Record<string, unknown>)[k] as never);
    }
    const [rs] = await run(last ? q.next : q.first, p, what);
    const rows = rs ? decodeRows(rs, columns) : [];
    out.push(...rows);
    if (rows.length < pageSize || enough?.(out)) return out;
    last = rows[rows.length - 1]!;
  }
}

