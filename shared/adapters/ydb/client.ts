// Adapter support: how the YDB adapters talk to YDB. One statement (`run`), one
// interactive transaction (`tx`), paged reads (`paginate`) — all through the query
// service's ExecuteQuery — and staging through the table service's BulkUpsert
// (`bulkUpsert`). Vendor errors stop here (errors.ts): nothing above an adapter sees one.
//
// Round trips. This is not `@ydbjs/query`, which in 6.0.4 creates, attaches and deletes a
// session per statement and brackets each transaction with BeginTransaction and
// CommitTransaction. A warm instance keeps its session; a transaction begins with its
// first statement (`begin_tx`) and commits with its last (`commit_tx`), so a
// single-statement unit is one ExecuteQuery and an interactive one is one per statement.
//
// Retries (not `@ydbjs/retry`: it classifies statuses its own way, gives up on a timeout
// with the abort rather than the failure, and sleeps on the wall clock). A unit of work
// is retried whole on what errors.ts's tables call retryable, and on the
// conditionally retryable failures only when it is safe to run twice, with full-jitter
// backoff, and only while the invocation has time left: `deadline()` is the invocation's
// end less a reserve for the caller's clean-up, and each attempt is cancelled at it; when
// the time is spent the last failure surfaces as a TransientError, so the trigger's retry
// takes over instead of the function being killed mid-sleep. Each call also has a few
// seconds of its own (`callTimeoutMs`): a connection that died while the instance was
// frozen does not answer, and grpc-js would notice only at its next keepalive (30 s). A
// call that times out is ambiguous (retried only for units safe to re-run); its sessions
// are dropped and, where the client can (`reconnect`), the driver's channel is replaced.
// A statement inside a transaction is never retried alone (the transaction is dead after
// ABORTED); the transaction is, from its first statement.
//
// Staging: BulkUpsert, not `UPSERT … SELECT FROM AS_TABLE`. Yandex bills a BulkUpsert row
// 0.5 RU per started KB ("Request cost for special APIs"); a YQL write costs 2 RU per row
// or per KB, whichever is more, plus 1 RU per 1.5 ms of CPU ("Request cost for YQL"), so a
// region's 2 000 rows of ~250 bytes cost ~1 000 RU instead of ≥ 4 000. Chunks are sized
// by that same RU rule (DEFAULT_BULK_CHUNK) and each chunk is retried alone.
import { PipelineError, TransientError } from '../../domain/errors.ts';
import { CallTimeoutError, isClientAbort, translateError, verdict } from './errors.ts';
import {
  ExecMode,
  QueryServiceDefinition,
  StatusIds_StatusCode,
  Syntax,
  YDBError,
  type Driver,
  type ResultSet,
  type TransactionControl,
  type TypedValue,
  type Value,
} from './sdk.ts';
import { BulkUpsertService } from './bulk-upsert.ts';
import { decodeRows, encodeRow, listOfEncoded, param, rowBytes, type Columns, type ColumnType, type RowOf } from './codec.ts';
import { PAGE_SIZE, type Paged } from './queries.ts';

export type Params = Readonly<Record<string, TypedValue>>;
type MessageInit<T> = Omit<T, '$typeName' | '$unknown'>;

/** A statement's result outgrew the bound an adapter keeps in memory: never returned cut. */
export class TruncatedResultError extends PipelineError {
  constructor(what: string, detail: string) {
    super(`YDB result of ${what} ${detail}: the read must be paginated`, 'ydb.truncated', false);
  }
}

const S = StatusIds_StatusCode;

export { isPreconditionFailed } from './errors.ts';

export type Tx = {
  /**
   * One statement inside the transaction. `commit: true` makes it the last one: the
   * transaction commits with it, in the same round trip.
   */
  query(text: string, params: Params, what: string, opts?: { readonly commit?: boolean }): Promise<ResultSet[]>;
};

export type ClientOptions = {
  /** The invocation's end (epoch ms), or undefined outside an invocation (CLI, tests). */
  readonly deadline?: () => number | undefined;
  /** Time kept back from the deadline for the caller's clean-up (releasing a lease). */
  readonly reserveMs?: number;
  /** The bound on one unit of work's retries when no deadline is known. */
  readonly maxElapsedMs?: number;
  readonly backoff?: { readonly baseMs?: number; readonly throttledBaseMs?: number; readonly capMs?: number };
  /** BulkUpsert chunk limits: estimated RU (0.5 per started KB of each row) and bytes. */
  readonly bulkChunk?: { readonly maxRu?: number; readonly maxBytes?: number };
  /** Rows one statement may return before it fails as unpaginated (memory bound). */
  readonly maxResultRows?: number;
  /** The bound on one gRPC call (default DEFAULT_CALL_TIMEOUT_MS), within the unit's deadline. */
  readonly callTimeoutMs?: number;
  /**
   * A new driver (a new channel) after a call timed out: the old connection may have died
   * while the instance was frozen. Given the driver the call used; absent: keep it.
   */
  readonly reconnect?: (stale: Driver) => Promise<Driver>;
  /** Uniform [0, 1) source of the backoff jitter (tests fix it). */
  readonly random?: () => number;
  /**
   * The time the retry budget is measured in and the backoff sleeps on (default: the wall
   * clock). Tests give a clock whose sleeps advance it at once, so a busy machine cannot
   * move where a retry loop stops.
   */
  readonly clock?: RetryClock;
};

type RetryClock = { now(): number; sleep(ms: number): Promise<void> };
const WALL_CLOCK: RetryClock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/**
 * A few seconds per call: YDB answers a point read in milliseconds and a 250-RU BulkUpsert
 * chunk well within it; a silent connection is found after this, not after the keepalive.
 */
const DEFAULT_CALL_TIMEOUT_MS = 5_000;

/**
 * 250 RU: 500 rows below 1 KB. At a new serverless database's 10 RU/s (with ~5 min of
 * accumulated burst, so ~3 000 RU) a chunk fits the burst many times over, and one
 * throttled chunk costs at most 250 RU to resend; 1 MB stays far below gRPC's 64 MB.
 */
export const DEFAULT_BULK_CHUNK = { maxRu: 250, maxBytes: 1024 * 1024 } as const;

/** The RU Yandex bills for writing one row of this many bytes with BulkUpsert. */
export function bulkRowRu(bytes: number): number {
  return 0.5 * Math.max(1, Math.ceil(bytes / 1024));
}

type Encoded = { readonly value: Value; readonly bytes: number };

/**
 * Splits encoded rows into chunks within both limits (one oversized row travels alone).
 * Order is kept.
 */
export function chunkRows(rows: readonly Encoded[], limits: { maxRu: number; maxBytes: number }): Value[][] {
  const chunks: Value[][] = [];
  let current: Value[] = [];
  let ru = 0;
  let bytes = 0;
  for (const r of rows) {
    const rowRu = bulkRowRu(r.bytes);
    if (current.length > 0 && (ru + rowRu > limits.maxRu || bytes + r.bytes > limits.maxBytes)) {
      chunks.push(current);
      current = [];
      ru = 0;
      bytes = 0;
    }
    current.push(r.value);
    ru += rowRu;
    bytes += r.bytes;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** A row encoded once, with its exact protobuf size. */
export function encodeForBulk<C extends Columns>(columns: C, row: RowOf<C>): Encoded {
  const value = encodeRow(columns, row);
  return { value, bytes: rowBytes(value) };
}

type Session = { readonly id: string; readonly client: QueryService; broken: boolean; readonly close: AbortController };

type QueryService = ReturnType<typeof queryService>;
function queryService(driver: Driver, nodeId?: bigint) {
  return driver.createClient(QueryServiceDefinition, nodeId);
}

type TxMode = 'serializableReadWrite' | 'snapshotReadOnly';

type OwnTimeout = { fired: boolean; stop(): void };
/** Aborts `c` as AbortSignal.timeout does (a TimeoutError) after `ms`, unless stopped first; never keeps the process alive. */
function timeout(c: AbortController, ms: number, onStop?: () => void): OwnTimeout {
  const t: OwnTimeout = {
    fired: false,
    stop() {
      clearTimeout(timer);
      onStop?.();
    },
  };
  const timer = setTimeout(() => {
    t.fired = true;
    c.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, ms);
  timer.unref();
  return t;
}

/** Continue transaction `txId`, or begin one in `mode` with this statement; commit with it if `commit`. */
function control(mode: TxMode, txId: string | undefined, commit: boolean): MessageInit<TransactionControl> {
  const txSelector = txId ? { case: 'txId', value: txId } : { case: 'beginTx', value: { txMode: { case: mode, value: {} } } };
  return { txSelector, commitTx: commit } as MessageInit<TransactionControl>;
}

export class YdbClient {
  #driver: Driver;
  readonly #opts: ClientOptions;
  readonly #idle: Session[] = [];
  /** an attempt's signal → the own timeouts of the calls made under it: whether each fired, how to stop it */
  readonly #calls = new WeakMap<AbortSignal, OwnTimeout[]>();

  constructor(driver: Driver, opts: ClientOptions = {}) {
    this.#driver = driver;
    this.#opts = opts;
  }

  /** Reads as single statements, each its own snapshot transaction, retried (they are idempotent). */
  readonly reader: Runner = (text, params, what) => this.run(text, params, { what, idempotent: true, mode: 'snapshotReadOnly' });

  /**
   * One statement in its own transaction, begun and committed in its one round trip.
   * `idempotent` statements (reads, UPSERTs, DELETEs, UPDATEs to absolute values) are also
   * retried after ambiguous failures; others only where nothing can have been applied.
   */
  run(text: string, params: Params, o: { what: string; idempotent: boolean; mode?: TxMode }): Promise<ResultSet[]> {
    const txControl = control(o.mode ?? 'serializableReadWrite', undefined, true);
    return this.#retrying(o.what, o.idempotent, (signal) => this.#inSession(signal, (s) => this.#execute(s, text, params, txControl, o.what, this.#call(signal))));
  }

  /** A schema statement (DDL), outside any transaction; migrations make each one re-runnable. */
  ddl(text: string, what: string): Promise<void> {
    // DDL may take longer than a statement: bounded by the unit's deadline only
    return this.#retrying(what, true, (signal) => this.#inSession(signal, async (s) => void (await this.#execute(s, text, {}, undefined, what, signal))));
  }

  /**
   * An interactive transaction: reads first, then writes, the last statement committing
   * (`commit: true`). The whole function is re-run on retryable statuses and after
   * ambiguous ones, so it must derive every write from what it read (each caller's
   * comment says why a re-run is safe).
   */
  tx<T>(mode: 'serializable' | 'snapshot', what: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const txMode: TxMode = mode === 'serializable' ? 'serializableReadWrite' : 'snapshotReadOnly';
    return this.#retrying(what, true, (signal) =>
      this.#inSession(signal, async (s) => {
        let txId: string | undefined;
        let committed = false;
        try {
          const out = await fn({
            query: async (text, params, label, q = {}) => {
              if (committed) throw new PipelineError(`statement after the commit of ${what}: ${label}`, 'ydb.client', false);
              const sets = await this.#execute(s, text, params, control(txMode, txId, q.commit === true), label, this.#call(signal), (id) => (txId ??= id));
              if (q.commit) committed = true;
              return sets;
            },
          });
          // a read-only snapshot too: left open it would hold one of the few transactions a
          // session may keep (YDB closes them only on a timeout)
          if (txId && !committed) {
            const c = await s.client.commitTransaction({ sessionId: s.id, txId }, { signal: this.#call(signal) });
            if (c.status !== S.SUCCESS) throw new YDBError(c.status, c.issues);
          }
          return out;
        } catch (err) {
          if (txId && !committed && !verdict(err, true).newSession) {
            // best effort: the server also drops it with the session; never an unhandled rejection
            s.client.rollbackTransaction({ sessionId: s.id, txId }).catch(() => undefined);
          }
          throw err;
        }
      }),
    );
  }

  /**
   * BulkUpsert in chunks sized by RU and bytes. Not atomic (YDB splits it per partition),
   * which is why staged rows live under a batch id no reader follows until the pointer
   * flip; each chunk is an upsert, so retrying one is harmless — and only the failed
   * chunk is retried, with backoff, while the invocation has time.
   */
  async bulkUpsert<C extends Columns>(tableName: string, columns: C, rows: readonly RowOf<C>[], what: string): Promise<number> {
    let chunks: Value[][];
    try {
      chunks = chunkRows(
        rows.map((r) => encodeForBulk(columns, r)),
        { ...DEFAULT_BULK_CHUNK, ...this.#opts.bulkChunk },
      );
    } catch (err) {
      throw translateError(err, what);
    }
    const table = `${this.#driver.database}/${tableName}`;
    for (const [i, chunk] of chunks.entries()) {
      const rowsValue = listOfEncoded(columns, chunk);
      await this.#retrying(`${what} (chunk ${i + 1} of ${chunks.length})`, true, async (signal) => {
        const r = await this.#driver.createClient(BulkUpsertService).bulkUpsert({ table, rows: rowsValue }, { signal: this.#call(signal) });
        const op = r.operation;
        if (!op) throw new PipelineError(`YDB answered BulkUpsert without an operation during ${what}`, 'ydb.client', false);
        if (op.status !== S.SUCCESS) throw new YDBError(op.status, op.issues);
      });
    }
    return chunks.length;
  }

  /** Deletes the idle sessions (CLI and tests; a function instance simply freezes). */
  async close(): Promise<void> {
    const sessions = this.#idle.splice(0);
    await Promise.all(sessions.map((s) => this.#drop(s)));
  }

  /**
   * One ExecuteQuery, its result sets gathered. `onTxId` is told the transaction id as soon
   * as the server names it, so a failure later in the stream can still roll it back.
   */
  async #execute(
    s: Session,
    text: string,
    params: Params,
    txControl: MessageInit<TransactionControl> | undefined,
    what: string,
    signal: AbortSignal,
    onTxId?: (id: string) => void,
  ): Promise<ResultSet[]> {
    const stream = s.client.executeQuery(
      {
        sessionId: s.id,
        execMode: ExecMode.EXECUTE,
        query: { case: 'queryContent', value: { syntax: Syntax.YQL_V1, text } },
        parameters: params as Record<string, TypedValue>,
        ...(txControl ? { txControl } : {}),
      },
      { signal },
    );
    const sets: ResultSet[] = [];
    const limit = this.#opts.maxResultRows ?? 10 * PAGE_SIZE;
    let rows = 0;
    for await (const part of stream) {
      if (part.status !== S.SUCCESS) throw new YDBError(part.status, part.issues);
      if (part.txMeta?.id) onTxId?.(part.txMeta.id);
      const rs = part.resultSet;
      if (!rs) continue;
      if (rs.truncated) throw new TruncatedResultError(what, 'was truncated by the server');
      rows += rs.rows.length;
      if (rows > limit) throw new TruncatedResultError(what, `exceeds ${limit} rows`);
      const i = Number(part.resultSetIndex);
      const into = sets[i];
      if (into) into.rows.push(...rs.rows);
      else sets[i] = rs;
    }
    return sets;
  }

  /**
   * The signal of one call: the unit's deadline or the call's own timeout, whichever comes
   * first. One controller and one timer, stopped when the attempt ends (#retrying) — not
   * AbortSignal.timeout and AbortSignal.any, whose timers and listeners outlived each call
   * by seconds: a warm API instance at hundreds of requests a second kept thousands alive.
   */
  #call(unit: AbortSignal): AbortSignal {
    const list = this.#calls.get(unit) ?? [];
    this.#calls.set(unit, list);
    const c = new AbortController();
    if (unit.aborted) {
      c.abort(unit.reason);
      return c.signal;
    }
    const onUnit = () => c.abort(unit.reason);
    unit.addEventListener('abort', onUnit, { once: true });
    const own = timeout(c, this.#opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, () => unit.removeEventListener('abort', onUnit));
    list.push(own);
    return c.signal;
  }

  /** Whether `err` ended a call because its own timeout fired (the unit still had time). */
  #timedOut(err: unknown, unit: AbortSignal): boolean {
    if (!isClientAbort(err) || unit.aborted) return false;
    return (this.#calls.get(unit) ?? []).some((own) => own.fired);
  }

  /** Runs `fn` on a kept or new session; afterwards keeps the session unless a failure says it is gone. */
  async #inSession<T>(signal: AbortSignal, fn: (s: Session) => Promise<T>): Promise<T> {
    const s = await this.#session(signal);
    try {
      const out = await fn(s);
      if (!s.broken) this.#idle.push(s);
      return out;
    } catch (err) {
      if (verdict(err, true).newSession || isClientAbort(err)) void this.#drop(s);
      else if (!s.broken) this.#idle.push(s);
      throw err;
    }
  }

  async #session(unitSignal: AbortSignal): Promise<Session> {
    const idle = this.#idle.pop();
    if (idle && !idle.broken) return idle;
    const signal = this.#call(unitSignal);
    const created = await queryService(this.#driver).createSession({}, { signal });
    if (created.status !== S.SUCCESS) throw new YDBError(created.status, created.issues);
    const client = queryService(this.#driver, created.nodeId);
    const close = new AbortController();
    const session: Session = { id: created.sessionId, client, broken: false, close };
    // The attach stream lives as long as the session: its end or any state but SUCCESS
    // means the server dropped the session. Its failures are recorded, never left unhandled.
    const states = client.attachSession({ sessionId: session.id }, { signal: close.signal })[Symbol.asyncIterator]();
    const first = await Promise.race([
      states.next(),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
    ]).catch((err: unknown) => {
      close.abort();
      throw err;
    });
    if (first.done || first.value.status !== S.SUCCESS) {
      close.abort();
      throw first.done ? new YDBError(S.BAD_SESSION, []) : new YDBError(first.value.status, first.value.issues);
    }
    void (async () => {
      for (;;) {
        const next = await states.next();
        if (next.done || next.value.status !== S.SUCCESS) break;
      }
    })()
      .catch(() => undefined)
      .finally(() => {
        session.broken = true;
      });
    return session;
  }

  /**
   * After a call that got no answer: the sessions kept belong to a connection that may be
   * dead, so they are forgotten (deleted best effort), and the driver is replaced when the
   * client was given a way to (a new channel, a new TLS connection).
   */
  async #reconnect(): Promise<void> {
    for (const s of this.#idle.splice(0)) void this.#drop(s);
    if (!this.#opts.reconnect) return;
    try {
      this.#driver = await this.#opts.reconnect(this.#driver);
    } catch {
      // the retry goes on over the old driver; its own failure then says what is wrong
    }
  }

  async #drop(s: Session): Promise<void> {
    s.broken = true;
    await s.client.deleteSession({ sessionId: s.id }).catch(() => undefined);
    s.close.abort();
  }

  /** Runs `attempt` until it succeeds, fails for good, or the deadline leaves no room for another try. */
  async #retrying<T>(what: string, rerunSafe: boolean, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const o = this.#opts;
    const clock = o.clock ?? WALL_CLOCK;
    const now = clock.now();
    const end = o.deadline?.();
    const bound = now + (o.maxElapsedMs ?? 30_000);
    const deadline = end === undefined ? bound : Math.min(bound, end - (o.reserveMs ?? 1_500));
    const b = o.backoff ?? {};
    let reauthed = false;
    for (let n = 0; ; n++) {
      // the first attempt always gets at least a second, even past a tight deadline
      const unit = new AbortController();
      const own = timeout(unit, Math.max(deadline - clock.now(), n === 0 ? 1_000 : 1));
      const signal = unit.signal;
      try {
        return await attempt(signal);
      } catch (caught) {
        const err = this.#timedOut(caught, signal) ? new CallTimeoutError(o.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS) : caught;
        const v = verdict(err, rerunSafe);
        if (v.reconnect) await this.#reconnect();
        if (!v.retry || (v.reauth && reauthed)) throw translateError(err, what);
        if (v.reauth) {
          reauthed = true;
          // a token the server refused is fetched again before the one retry it earns
          await this.#driver.options.credentialsProvider?.getToken(true, signal).catch(() => undefined);
        }
        const slot = v.backoff === 'slow' ? (b.throttledBaseMs ?? 250) : (b.baseMs ?? 25);
        const delay = v.backoff === 'instant' && n === 0 ? 0 : Math.floor((o.random ?? Math.random)() * Math.min(b.capMs ?? 5_000, slot * 2 ** n));
        if (clock.now() + delay >= deadline) {
          throw new TransientError(`YDB ${v.name} during ${what}: still failing after ${n + 1} attempts, at the invocation's deadline`, { cause: err });
        }
        await clock.sleep(delay);
      } finally {
        // the attempt's calls are over: their timers go with them
        own.stop();
        for (const call of this.#calls.get(signal) ?? []) call.stop();
      }
    }
  }
}

/** Runs a query (one statement or a transaction's) through a runner. */
export type Runner = (text: string, params: Params, what: string) => Promise<ResultSet[]>;

/**
 * The rows of a read whose result is bounded by what it reads (one period's units, one
 * region's alert states): one statement, its first result set. The client refuses a result
 * above `maxResultRows` rather than return it cut; reads that can outgrow it are paged.
 */
export async function readRows<C extends Columns>(run: Runner, text: string, params: Params, columns: C, what: string): Promise<RowOf<C>[]> {
  const [rs] = await run(text, params, what);
  return rs ? decodeRows(rs, columns) : [];
}

/**
 * Every row of a paginated read: pages of PAGE_SIZE continue strictly after the last key,
 * so each result stays small and nothing is skipped or repeated.
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
    const p: Record<string, TypedValue> = { ...params, $limit: param({ kind: 'Uint64', optional: false }, pageSize) };
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
