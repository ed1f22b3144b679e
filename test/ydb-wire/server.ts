// A YDB wire server for tests: a gRPC server on 127.0.0.1 speaking YDB's Discovery, Query and
// Table (BulkUpsert) services from @ydbjs/api's definitions, so the real @ydbjs driver reaches
// it through an ordinary connection string. It records every request, type-checks every
// parameter against the migrations' columns, injects faults, and executes the YQL against
// real tables (engine.ts: one in-memory SQLite per database, YDB's refusals, optimistic
// locks, snapshot reads, rows/bytes/RU per request) unless a test scripted the answer.
import { resolve } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { Metadata, Server, ServerCredentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { DiscoveryServiceDefinition, ListEndpointsResultSchema, WhoAmIResultSchema } from '@ydbjs/api/discovery';
import { StatusIds_StatusCode as S } from '@ydbjs/api/operation';
import { QueryServiceDefinition, type ExecuteQueryRequest, type TransactionSettings } from '@ydbjs/api/query';
import { TableServiceDefinition } from '@ydbjs/api/table';
import { type Type, type TypedValue } from '@ydbjs/api/value';
import { checkBulkRows, checkQuery } from './check.ts';
import { type EngineTx, type Io, type OutSet, YqlEngine, YqlError, noIo, toCell, yqlIoRu } from './engine.ts';
import { encodeResponsePart, type WireColumn } from './response-part.ts';
import { decodeValue, encodeValue, parseType, typeText } from './types.ts';
import { type Schema, migrationTexts, parseSchema } from './yql-text.ts';

export type YdbStatus =
  | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'INTERNAL_ERROR' | 'ABORTED' | 'UNAVAILABLE' | 'OVERLOADED' | 'SCHEME_ERROR'
  | 'GENERIC_ERROR' | 'TIMEOUT' | 'BAD_SESSION' | 'PRECONDITION_FAILED' | 'NOT_FOUND' | 'SESSION_EXPIRED'
  | 'UNDETERMINED' | 'SESSION_BUSY';
/** Transport-level failures: the gRPC call itself fails (YDB answers a bad token so). */
export type GrpcFault = 'UNAVAILABLE' | 'UNAUTHENTICATED' | 'DEADLINE_EXCEEDED' | 'RESOURCE_EXHAUSTED' | 'INTERNAL' | 'CANCELLED';
export type WireMethod =
  | 'ListEndpoints' | 'WhoAmI' | 'CreateSession' | 'AttachSession' | 'DeleteSession' | 'BeginTransaction'
  | 'CommitTransaction' | 'RollbackTransaction' | 'ExecuteQuery' | 'BulkUpsert';

/** Transaction control of one request: which mode it begins, whether it commits, which tx it continues. */
export type WireTx = { readonly begin: string | null; readonly commit: boolean; readonly txId: string | null };
export type WireParam = { readonly type: string; readonly value: unknown };
export type WireQuery = {
  readonly text: string;
  /** `$name` → sent YDB type text and its value decoded as @ydbjs/query decodes results. */
  readonly params: Readonly<Record<string, WireParam>>;
  readonly tx: WireTx;
  readonly sessionId: string;
};
export type WireBulk = {
  /** The table name inside the database (`school_snapshot`), and the path as sent. */
  readonly table: string;
  readonly path: string;
  readonly rowType: string;
  readonly rowCount: number;
  /** The rows decoded (computed on first read). */
  readonly rows: readonly Record<string, unknown>[];
};
export type WireCall = {
  /** 1-based position among all calls, and among calls of this method. */
  readonly seq: number;
  readonly methodSeq: number;
  readonly method: WireMethod;
  readonly database: string | undefined;
  /** The `x-ydb-auth-ticket` metadata the call carried. */
  readonly token: string | undefined;
  readonly requestBytes: number;
  responseBytes: number;
  /** 'SUCCESS', the YDB status answered, or `grpc:<code>` for a transport failure. */
  status: string;
  /** Issues answered with a failure (type-check messages among them). */
  issues: string[];
  /** Rows answered in result sets (ExecuteQuery). */
  resultRows: number;
  /** Rows and bytes the request read and wrote in the tables, and their RU (see engine.ts). */
  io: Io;
  readonly sessionId?: string;
  readonly query?: WireQuery;
  readonly bulk?: WireBulk;
  readonly tx?: WireTx;
};

export type ResultSetSpec = { readonly columns: readonly { readonly name: string; readonly type: string }[]; readonly rows: readonly Record<string, unknown>[] };
export type QueryMatch = string | RegExp | ((q: WireQuery) => boolean);
export type QueryReply = readonly ResultSetSpec[] | ((q: WireQuery) => readonly ResultSetSpec[]);
export type FaultSpec = {
  readonly method: WireMethod;
  /** In-band YDB status (in the response or its operation), or a transport failure, or neither (only slow). */
  readonly status?: YdbStatus;
  readonly grpc?: GrpcFault;
  /** Which calls of `method`, counted from when the fault is added (1 = the next one); default: the next `times`. */
  readonly calls?: readonly number[];
  /** How many matching calls fail (default 1; Infinity for all); ignored with `calls`. */
  readonly times?: number;
  /** Reply after this many milliseconds (alone: a slow success). */
  readonly delayMs?: number;
  /** Only ExecuteQuery calls whose query matches. */
  readonly match?: QueryMatch;
  /** ExecuteQuery only: stream this many result parts first, then fail (an interrupted stream). */
  readonly afterParts?: number;
  readonly message?: string;
  /**
   * Answer with the failure only after executing the request (ExecuteQuery, CommitTransaction):
   * the commit happened but the client hears UNDETERMINED, TIMEOUT or a broken connection.
   */
  readonly applied?: boolean;
};
/** The next `count` matching calls held at the door until released: a race set up by events, not by sleeping. */
export type Hold = {
  /** Resolves once `count` matching calls are waiting. */
  readonly arrived: Promise<WireCall[]>;
  /** Lets every held call (and every later one) through. */
  release(): void;
};
export type WireOptions = {
  /** Folder of the migrations whose CREATE TABLEs type the columns (default infra/ydb/migrations). */
  readonly migrationsDir?: string;
  /** More DDL, e.g. the migrations bookkeeping table the adapters create themselves. */
  readonly extraDdl?: readonly string[];
  /** Accepts or refuses a call's token (refused: gRPC UNAUTHENTICATED, as YDB answers). */
  readonly acceptToken?: (token: string | undefined) => boolean;
  /** Rows per ExecuteQuery response part (YDB streams large results in parts). */
  readonly rowsPerPart?: number;
};

const STATUS: Readonly<Record<YdbStatus, S>> = {
  BAD_REQUEST: S.BAD_REQUEST, UNAUTHORIZED: S.UNAUTHORIZED, INTERNAL_ERROR: S.INTERNAL_ERROR, ABORTED: S.ABORTED,
  UNAVAILABLE: S.UNAVAILABLE, OVERLOADED: S.OVERLOADED, SCHEME_ERROR: S.SCHEME_ERROR, GENERIC_ERROR: S.GENERIC_ERROR,
  TIMEOUT: S.TIMEOUT, BAD_SESSION: S.BAD_SESSION, PRECONDITION_FAILED: S.PRECONDITION_FAILED, NOT_FOUND: S.NOT_FOUND,
  SESSION_EXPIRED: S.SESSION_EXPIRED, UNDETERMINED: S.UNDETERMINED, SESSION_BUSY: S.SESSION_BUSY,
};
const GRPC: Readonly<Record<GrpcFault, GrpcStatus>> = {
  UNAVAILABLE: GrpcStatus.UNAVAILABLE, UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED, DEADLINE_EXCEEDED: GrpcStatus.DEADLINE_EXCEEDED,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED, INTERNAL: GrpcStatus.INTERNAL, CANCELLED: GrpcStatus.CANCELLED,
};

/** A failure the handler answers with: in-band status or transport error. */
class Failure extends Error {
  constructor(
    readonly status: S | null,
    readonly grpc: GrpcStatus | null,
    message: string,
    /** fail only after streaming this many parts (ExecuteQuery) */
    readonly afterParts = 0,
    /** fail only after the request was executed (and committed) */
    readonly applied = false,
    /** the engine refused the request (the transaction it ran in is over) */
    readonly engine = false,
  ) {
    super(message);
  }

  static of(e: unknown): Failure {
    if (e instanceof Failure) return e;
    if (e instanceof YqlError) return new Failure(S[e.status], null, e.message, 0, false, true);
    return new Failure(S.INTERNAL_ERROR, null, `wire: ${(e as Error).message}`);
  }
}
const statusName = (s: S): string => S[s] ?? String(s);
const issue = (message: string) => ({ message, severity: 1 });

type Session = { readonly id: string; readonly database: string; readonly epoch: number; alive: boolean; busy: boolean; readonly ended: Set<() => void> };
type Tx = {
  readonly id: string;
  readonly sessionId: string;
  readonly mode: string;
  readonly epoch: number;
  state: 'active' | 'committed' | 'rolled back' | 'aborted';
  readonly engine: EngineTx;
};
type Held = { readonly method: WireMethod; readonly match?: QueryMatch; readonly count: number; readonly calls: WireCall[]; open: boolean; readonly waiters: (() => void)[]; arrive: (c: WireCall[]) => void };
type Fault = FaultSpec & { seen: number; left: number };

/** Starts a wire server on 127.0.0.1 at a free port. Close it (afterAll) with `close()`. */
export async function startYdbWire(options: WireOptions = {}): Promise<YdbWire> {
  const wire = new YdbWire(options);
  await wire.listen();
  return wire;
}

export class YdbWire {
  readonly database = '/local';
  readonly schema: Schema;
  /** Every call, in arrival order. */
  readonly calls: WireCall[] = [];
  #port = 0;
  #server = new Server();
  #options: WireOptions;
  #sessions = new Map<string, Session>();
  #txs = new Map<string, Tx>();
  #scripts: { match: QueryMatch; reply: QueryReply; left: number }[] = [];
  #faults: Fault[] = [];
  #methodSeq = new Map<WireMethod, number>();
  #ids = 0;
  /** calls answered by a script (the others count as unmatched) */
  #matched = new WeakSet<WireCall>();
  /** calls not yet answered, and when one last arrived or was answered (for idle) */
  #active = 0;
  /** calls waiting in a hold */
  #parked = 0;
  #ddl: readonly string[];
  #engine: YqlEngine;
  /** bumped by reset(): calls that only finish an earlier epoch's business are served, not recorded */
  #epoch = 0;
  #holds: Held[] = [];
  #watchers = new Set<() => void>();
  /** checkQuery's verdict per text and sent parameter types (the schema is fixed per server) */
  #checked = new Map<string, string[]>();
  /** result column types parsed, per type text, and result-set descriptors per column list (the engine keeps one per statement) */
  #types = new Map<string, Type>();
  #columns = new WeakMap<readonly { name: string; type: string }[], WireColumn[]>();

  constructor(options: WireOptions) {
    this.#options = options;
    this.#ddl = migrationTexts(options.migrationsDir ?? resolve(import.meta.dirname, '../../infra/ydb/migrations'), options.extraDdl);
    this.schema = parseSchema(this.#ddl);
    this.#engine = new YqlEngine(this.#ddl);
    this.#install();
  }

  /** The rows a table of a database holds now, as JS values (Date for Date columns, bigint for integers). */
  tableRows(table: string, database = this.database): Record<string, unknown>[] {
    return this.#engine.rows(database, table);
  }

  /** Writes rows into a table of a database directly (a test's setup; no call is recorded). */
  seed(table: string, rows: readonly Record<string, unknown>[], database = this.database): void {
    this.#engine.seed(database, table, rows);
  }

  /** The I/O of the calls (default: all recorded): rows and bytes read and written, RU summed. */
  io(calls: readonly WireCall[] = this.calls): Io {
    const t = noIo();
    for (const c of calls) {
      t.rowsRead += c.io.rowsRead;
      t.bytesRead += c.io.bytesRead;
      t.rowsWritten += c.io.rowsWritten;
      t.bytesWritten += c.io.bytesWritten;
      t.ru += c.io.ru;
    }
    return t;
  }

  /** Holds calls of `method` (ExecuteQuery: those matching `match`) until released; see Hold. */
  hold(spec: { method: WireMethod; match?: QueryMatch; count?: number }): Hold {
    let arrive!: (c: WireCall[]) => void;
    const arrived = new Promise<WireCall[]>((ok) => (arrive = ok));
    const h: Held = { method: spec.method, match: spec.match, count: spec.count ?? 1, calls: [], open: false, waiters: [], arrive };
    this.#holds.push(h);
    return {
      arrived,
      release: () => {
        h.open = true;
        for (const w of h.waiters.splice(0)) w();
      },
    };
  }

  /** Resolves when `predicate` holds, checked after every call and session change (no clock involved). */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((ok) => {
      const check = () => {
        if (!predicate()) return;
        this.#watchers.delete(check);
        ok();
      };
      this.#watchers.add(check);
    });
  }

  #changed(): void {
    for (const w of [...this.#watchers]) w();
  }

  get port(): number {
    return this.#port;
  }
  /** `grpc://127.0.0.1:PORT/local`, what the @ydbjs Driver is given. */
  get connectionString(): string {
    return `grpc://127.0.0.1:${this.#port}${this.database}`;
  }

  /** @internal */
  listen(): Promise<void> {
    return new Promise((ok, fail) =>
      this.#server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
        if (err) return fail(err);
        this.#port = port;
        ok();
      }),
    );
  }

  /** Ends every open stream and stops listening. */
  close(): Promise<void> {
    for (const s of this.#sessions.values()) this.#kill(s);
    return new Promise((ok) => {
      this.#server.tryShutdown(() => ok());
      setTimeout(() => this.#server.forceShutdown(), 200).unref();
    });
  }

  /**
   * Resolves once no call is in flight (an event, not a clock). A call that arrives later
   * and only ends an earlier test's business — @ydbjs/query's DeleteSession, which it does
   * not await, or a best-effort rollback — is answered after a reset() but not recorded, so
   * it cannot leak into the next test's calls however late a busy machine delivers it.
   */
  idle(): Promise<void> {
    // a call parked by a hold waits for the test, not for the server
    return this.until(() => this.#active - this.#parked === 0);
  }

  /** Sessions created and neither deleted nor dropped by the server. */
  openSessions(): number {
    return [...this.#sessions.values()].filter((s) => s.alive).length;
  }

  /** ExecuteQuery calls, in order. */
  queries(): WireQuery[] {
    return this.calls.flatMap((c) => (c.query ? [c.query] : []));
  }
  /** BulkUpsert calls, in order. */
  bulks(): WireBulk[] {
    return this.calls.flatMap((c) => (c.bulk ? [c.bulk] : []));
  }
  /** Queries that no script matched (answered as if the tables were empty). */
  unmatched(): WireQuery[] {
    return this.calls.flatMap((c) => (c.query && c.status === 'SUCCESS' && !this.#matched.has(c) ? [c.query] : []));
  }

  /**
   * Answers ExecuteQuery calls whose text contains `match` (or matches the RegExp or predicate)
   * with `reply`'s result sets, `times` times (default: always). The newest script wins.
   * Unscripted queries get one empty result set per statement that starts with SELECT, its
   * columns typed from the migrations where the select list is plain (see selectColumns).
   */
  script(match: QueryMatch, reply: QueryReply, times = Infinity): this {
    this.#scripts.unshift({ match, reply, left: times });
    return this;
  }

  /** Makes calls of `spec.method` fail or answer slowly; see FaultSpec. */
  fault(spec: FaultSpec): this {
    this.#faults.push({ ...spec, seen: 0, left: spec.times ?? 1 });
    return this;
  }

  /**
   * Forgets calls, scripts, faults, holds and the data (every database starts migrated and
   * empty again); sessions stay. A straggler of the previous test (a DeleteSession or
   * RollbackTransaction its client did not await) is still answered, but not recorded.
   */
  reset(): void {
    this.calls.length = 0;
    this.#scripts.length = 0;
    this.#faults.length = 0;
    for (const h of this.#holds.splice(0)) for (const w of h.waiters.splice(0)) w();
    this.#methodSeq.clear();
    this.#epoch++;
    this.#engine = new YqlEngine(this.#ddl);
  }

  /** A result set with the given column types: `{ upload_id: 'Utf8', n: 'Uint64' }`. */
  resultSet(columns: Readonly<Record<string, string>>, rows: readonly Record<string, unknown>[]): ResultSetSpec {
    return { columns: Object.entries(columns).map(([name, type]) => ({ name, type })), rows };
  }

  /** A result set of `table`'s rows, typed by the migrations (nullable → Optional); `columns` picks and orders. */
  rows(table: string, rows: readonly Record<string, unknown>[], columns?: readonly string[]): ResultSetSpec {
    const def = this.schema.get(table);
    if (!def) throw new Error(`wire: no table ${table} in the migrations`);
    const names = columns ?? [...def.columns.keys()];
    return {
      columns: names.map((name) => {
        const c = def.columns.get(name);
        if (!c) throw new Error(`wire: ${table} has no column ${name}`);
        return { name, type: c.notNull ? c.type : `Optional<${c.type}>` };
      }),
      rows,
    };
  }

  #id(prefix: string): string {
    return `${prefix}-${++this.#ids}`;
  }

  #sessionOf(id: string): Session {
    const s = this.#sessions.get(id);
    if (!s || !s.alive) throw new Failure(S.BAD_SESSION, null, `session ${id} is not alive`);
    return s;
  }

  #kill(s: Session): void {
    s.alive = false;
    for (const end of s.ended) end();
    s.ended.clear();
    for (const tx of this.#txs.values()) {
      if (tx.sessionId === s.id && tx.state === 'active') {
        tx.state = 'aborted';
        this.#engine.discard(tx.engine);
      }
    }
    this.#changed();
  }

  /** Records a call. */
  #record(method: WireMethod, md: Metadata, requestBytes: number, extra: Partial<WireCall>): WireCall {
    const call: WireCall = {
      seq: 0, methodSeq: 0, method, database: md.get('x-ydb-database')[0]?.toString(),
      token: md.get('x-ydb-auth-ticket')[0]?.toString(), requestBytes, responseBytes: 0, status: 'SUCCESS', issues: [], resultRows: 0, io: noIo(), ...extra,
    };
    if (!this.#straggler(call)) {
      const methodSeq = (this.#methodSeq.get(method) ?? 0) + 1;
      this.#methodSeq.set(method, methodSeq);
      Object.assign(call, { seq: this.calls.length + 1, methodSeq });
      this.calls.push(call);
    }
    this.#active++;
    return call;
  }

  /** A call that only ends what an earlier epoch began: a session's delete, a transaction's rollback. */
  #straggler(call: WireCall): boolean {
    if (call.method === 'DeleteSession') return (this.#sessions.get(call.sessionId ?? '')?.epoch ?? this.#epoch) < this.#epoch;
    if (call.method === 'RollbackTransaction') return (this.#txs.get(call.tx?.txId ?? '')?.epoch ?? this.#epoch) < this.#epoch;
    return false;
  }

  #done(): void {
    this.#active--;
    this.#changed();
  }

  /** Waits while a hold keeps `call` at the door. */
  async #held(call: WireCall): Promise<void> {
    for (const h of this.#holds) {
      if (h.open || h.method !== call.method) continue;
      if (h.match && !(call.query && matches(h.match, call.query))) continue;
      if (h.calls.length >= h.count) continue;
      h.calls.push(call);
      if (h.calls.length === h.count) h.arrive([...h.calls]);
      this.#parked++;
      this.#changed();
      await new Promise<void>((ok) => h.waiters.push(ok));
      this.#parked--;
    }
  }

  /**
   * Applies the token check and the faults to a recorded call: throws the Failure it must
   * answer now, or returns the one it must answer after some result parts (or null).
   */
  async #gate(call: WireCall): Promise<Failure | null> {
    if (this.#options.acceptToken && !this.#options.acceptToken(call.token)) {
      throw new Failure(null, GrpcStatus.UNAUTHENTICATED, 'wire: token refused');
    }
    await this.#held(call);
    for (const f of this.#faults) {
      if (f.method !== call.method) continue;
      if (f.match && !(call.query && matches(f.match, call.query))) continue;
      f.seen++;
      const hit = f.calls ? f.calls.includes(f.seen) : f.left > 0;
      if (!hit) continue;
      if (!f.calls) f.left--;
      if (f.delayMs) await new Promise((ok) => setTimeout(ok, f.delayMs));
      const message = f.message ?? `wire: injected ${f.status ?? f.grpc ?? 'delay'} on ${call.method} #${call.methodSeq}`;
      const failure = f.grpc ? new Failure(null, GRPC[f.grpc], message, f.afterParts, f.applied) : f.status ? new Failure(STATUS[f.status], null, message, f.afterParts, f.applied) : null;
      if (failure && ((failure.afterParts > 0 && call.method === 'ExecuteQuery') || failure.applied)) return failure;
      if (failure) throw failure;
    }
    return null;
  }

  #fail(call: WireCall, f: Failure): void {
    this.#changed();
    call.status = f.grpc !== null ? `grpc:${GrpcStatus[f.grpc]}` : statusName(f.status!);
    call.issues.push(f.message);
    if (f.status === S.BAD_SESSION && call.sessionId) {
      const s = this.#sessions.get(call.sessionId);
      if (s) this.#kill(s);
    }
    if ((f.status === S.ABORTED || f.status === S.BAD_SESSION || f.engine) && call.tx?.txId) {
      const tx = this.#txs.get(call.tx.txId);
      if (tx && tx.state === 'active') {
        tx.state = 'aborted';
        this.#engine.discard(tx.engine);
      }
    }
  }

  #install(): void {
    const wire = this;
    const owner = new WeakMap<object, WireCall>();
    const bytes = new WeakMap<object, number>();
    // wraps each method's codec so that request and response sizes land on the call record
    type Codec = { requestDeserialize: (b: Buffer) => unknown; responseSerialize: (m: never) => Uint8Array };
    const service = (def: object): never =>
      Object.fromEntries(
        // the definitions also carry `name` and `fullName`, which are not methods
        Object.entries(def as Record<string, Codec | string>).flatMap(([k, m]) => (typeof m === 'string' ? [] : [[
          k,
          {
            ...m,
            requestDeserialize: (b: Buffer) => {
              const msg = m.requestDeserialize(b) as object;
              bytes.set(msg, b.length);
              return msg;
            },
            responseSerialize: (msg: object) => {
              const out = (m.responseSerialize as (x: object) => Uint8Array)(msg);
              const c = owner.get(msg);
              if (c) c.responseBytes += out.length;
              return Buffer.from(out.buffer, out.byteOffset, out.length);
            },
          },
        ]])),
      ) as never;

    type Unary = { request: object; metadata: Metadata };
    type Cb = (err: Partial<ServiceError> | null, res?: object) => void;
    const unary =
      (method: WireMethod, extra: (req: never) => Partial<WireCall>, answer: (req: never, call: WireCall) => object, failed: (f: Failure) => object) =>
      (c: Unary, cb: Cb) => {
        void (async () => {
          const call = wire.#record(method, c.metadata, bytes.get(c.request) ?? 0, extra(c.request as never));
          try {
            const late = await wire.#gate(call);
            const res = answer(c.request as never, call);
            if (late) throw late;
            owner.set(res, call);
            cb(null, res);
          } catch (e) {
            const f = Failure.of(e);
            wire.#fail(call, f);
            if (f.grpc !== null) return cb({ code: f.grpc, details: f.message });
            const res = failed(f);
            owner.set(res, call);
            cb(null, res);
          } finally {
            wire.#done();
          }
        })();
      };
    const inBand = (f: Failure) => ({ status: f.status!, issues: [issue(f.message)] });
    const operation = (f: Failure) => ({ operation: { ready: true, status: f.status!, issues: [issue(f.message)] } });
    const none = () => ({});

    this.#server.addService(service(DiscoveryServiceDefinition), {
      listEndpoints: unary('ListEndpoints', none, () => ({
        operation: {
          ready: true,
          status: S.SUCCESS,
          result: anyPack(ListEndpointsResultSchema, create(ListEndpointsResultSchema, {
            endpoints: [{ address: '127.0.0.1', port: wire.#port, nodeId: 1, location: 'wire' }],
            selfLocation: 'wire',
          })),
        },
      }), operation),
      whoAmI: unary('WhoAmI', none, () => ({
        operation: { ready: true, status: S.SUCCESS, result: anyPack(WhoAmIResultSchema, create(WhoAmIResultSchema, { user: 'wire' })) },
      }), operation),
    });

    type Sid = { sessionId: string };
    // ExecuteQuery's parts encoded by response-part.ts: the same bytes, without reflection over each part
    const query = { ...QueryServiceDefinition, executeQuery: { ...QueryServiceDefinition.executeQuery, responseSerialize: encodeResponsePart } };
    this.#server.addService(service(query), {
      createSession: unary('CreateSession', none, (_r: object, call: WireCall) => {
        const id = wire.#id('wire-session');
        wire.#sessions.set(id, { id, database: call.database ?? wire.database, epoch: wire.#epoch, alive: true, busy: false, ended: new Set() });
        return { status: S.SUCCESS, sessionId: id, nodeId: 1n };
      }, inBand),
      deleteSession: unary('DeleteSession', (r: Sid) => ({ sessionId: r.sessionId }), (r: Sid) => {
        wire.#kill(wire.#sessionOf(r.sessionId));
        return { status: S.SUCCESS };
      }, inBand),
      beginTransaction: unary('BeginTransaction', (r: Sid & { txSettings?: TransactionSettings }) => ({
        sessionId: r.sessionId, tx: { begin: r.txSettings?.txMode.case ?? 'serializableReadWrite', commit: false, txId: null },
      }), (r: Sid & { txSettings?: TransactionSettings }) => {
        const id = wire.#newTx(r.txSettings?.txMode.case ?? 'serializableReadWrite', wire.#sessionOf(r.sessionId));
        return { status: S.SUCCESS, txMeta: { id } };
      }, inBand),
      commitTransaction: unary('CommitTransaction', (r: Sid & { txId: string }) => ({ sessionId: r.sessionId, tx: { begin: null, commit: true, txId: r.txId } }),
        (r: Sid & { txId: string }, call: WireCall) => {
          wire.#sessionOf(r.sessionId);
          wire.#commit(wire.#activeTx(r.txId, r.sessionId), call);
          return { status: S.SUCCESS };
        }, inBand),
      rollbackTransaction: unary('RollbackTransaction', (r: Sid & { txId: string }) => ({ sessionId: r.sessionId, tx: { begin: null, commit: false, txId: r.txId } }),
        (r: Sid & { txId: string }) => {
          wire.#sessionOf(r.sessionId);
          const tx = wire.#activeTx(r.txId, r.sessionId);
          tx.state = 'rolled back';
          wire.#engine.discard(tx.engine);
          return { status: S.SUCCESS };
        }, inBand),
      attachSession: (c: { request: Sid; metadata: Metadata; write: (m: object) => void; end: () => void; on: (e: string, f: () => void) => void; emit: (e: string, x: unknown) => void }) => {
        void (async () => {
          const call = wire.#record('AttachSession', c.metadata, bytes.get(c.request) ?? 0, { sessionId: c.request.sessionId });
          try {
            await wire.#gate(call);
            const s = wire.#sessionOf(c.request.sessionId);
            const state = { status: S.SUCCESS };
            owner.set(state, call);
            c.write(state);
            const end = () => c.end();
            s.ended.add(end);
            c.on('cancelled', () => s.ended.delete(end));
          } catch (e) {
            const f = Failure.of(e);
            wire.#fail(call, f);
            if (f.grpc !== null) return c.emit('error', { code: f.grpc, details: f.message });
            c.write({ status: f.status!, issues: [issue(f.message)] });
            c.end();
          } finally {
            // the stream stays open with the session; the call itself is answered
            wire.#done();
          }
        })();
      },
      executeQuery: (c: { request: ExecuteQueryRequest; metadata: Metadata; write: (m: object) => boolean; end: () => void; emit: (e: string, x: unknown) => void; cancelled: boolean }) => {
        void (async () => {
          const req = c.request;
          const query = wire.#query(req);
          const call = wire.#record('ExecuteQuery', c.metadata, bytes.get(req) ?? 0, { sessionId: req.sessionId, query, tx: query.tx });
          let session: Session | undefined;
          try {
            // a session runs one query at a time from the moment the request arrives
            const s = wire.#sessionOf(req.sessionId);
            if (s.busy) throw new Failure(S.SESSION_BUSY, null, `session ${req.sessionId} is already executing a query`);
            session = s;
            session.busy = true;
            const late = await wire.#gate(call);
            const problems = wire.#check(query);
            if (problems.length) throw new Failure(S.BAD_REQUEST, null, `wire type check: ${problems.join('; ')}`);
            const txId = wire.#txFor(query.tx, s);
            const sets = wire.#reply(query, call, s, req, txId);
            call.resultRows = sets.reduce((n, set) => n + set.rows.length, 0);
            const parts = wire.#parts(sets, txId && query.tx.begin && !query.tx.commit ? txId : null);
            for (const p of late && !late.applied ? parts.slice(0, late.afterParts) : parts) {
              if (c.cancelled) return;
              owner.set(p, call);
              if (!late?.applied) c.write(p);
            }
            if (late) throw late;
            c.end();
          } catch (e) {
            const f = Failure.of(e);
            wire.#fail(call, f);
            if (f.grpc !== null) return c.emit('error', { code: f.grpc, details: f.message });
            const part = { status: f.status!, issues: [issue(f.message)] };
            owner.set(part, call);
            c.write(part);
            c.end();
          } finally {
            if (session) session.busy = false;
            wire.#done();
          }
        })();
      },
    });

    type Bulk = { table: string; rows?: TypedValue };
    this.#server.addService(service(TableServiceDefinition), {
      bulkUpsert: unary('BulkUpsert', (r: Bulk) => ({ bulk: wire.#bulk(r) }), (r: Bulk, call: WireCall) => {
        const problems = checkBulkRows(call.bulk!.table, r.rows?.type, wire.schema);
        if (problems.length) throw new Failure(S.BAD_REQUEST, null, `wire type check: ${problems.join('; ')}`);
        const rows = r.rows?.type && r.rows.value ? (toCell(r.rows.type, r.rows.value) as Record<string, unknown>[]) : [];
        call.io = wire.#engine.bulkUpsert(call.database ?? wire.database, call.bulk!.table, rows);
        return { operation: { ready: true, status: S.SUCCESS } };
      }, operation),
    });
  }

  #activeTx(id: string, sessionId: string): Tx {
    const tx = this.#txs.get(id);
    if (!tx || tx.sessionId !== sessionId || tx.state !== 'active') {
      throw new Failure(S.NOT_FOUND, null, `transaction ${id} is ${tx ? tx.state : 'unknown'} in session ${sessionId}`);
    }
    return tx;
  }

  /** The transaction a query runs in (begun here when it asks), or null for an implicit one. */
  #txFor(tx: WireTx, s: Session): string | null {
    if (tx.txId) return this.#activeTx(tx.txId, s.id).id;
    if (!tx.begin) return null;
    return this.#newTx(tx.begin, s);
  }

  #newTx(mode: string, s: Session): string {
    const id = this.#id('wire-tx');
    this.#txs.set(id, { id, sessionId: s.id, mode, epoch: this.#epoch, state: 'active', engine: this.#engine.begin(s.database, mode as never) });
    return id;
  }

  /** Commits: the engine checks the transaction's locks (ABORTED when broken) and applies its writes. */
  #commit(tx: Tx, call: WireCall): void {
    tx.state = 'committed';
    try {
      const io = this.#engine.commit(tx.engine);
      call.io = io;
    } catch (e) {
      tx.state = 'aborted';
      throw Failure.of(e);
    }
  }

  #query(req: ExecuteQueryRequest): WireQuery {
    const text = req.query.case === 'queryContent' ? req.query.value.text : '';
    const params: Record<string, WireParam> = {};
    for (const [name, tv] of Object.entries(req.parameters)) {
      let decoded: { v: unknown } | undefined;
      params[name] = {
        type: typeText(tv.type),
        get value() {
          decoded ??= { v: decodeValue(tv.type!, tv.value!) };
          return decoded.v;
        },
      };
    }
    const sel = req.txControl?.txSelector;
    const tx: WireTx = {
      begin: sel?.case === 'beginTx' ? (sel.value.txMode.case ?? 'serializableReadWrite') : null,
      commit: req.txControl?.commitTx ?? false,
      txId: sel?.case === 'txId' ? sel.value : null,
    };
    return { text, params, tx, sessionId: req.sessionId };
  }

  #bulk(r: { table: string; rows?: TypedValue }): WireBulk {
    const table = r.table.slice(r.table.lastIndexOf('/') + 1);
    let rows: Record<string, unknown>[] | undefined;
    const tv = r.rows;
    return {
      table,
      path: r.table,
      rowType: typeText(tv?.type),
      rowCount: tv?.value?.items.length ?? 0,
      get rows() {
        rows ??= tv?.type && tv.value ? (decodeValue(tv.type, tv.value) as Record<string, unknown>[]) : [];
        return rows;
      },
    };
  }

  /** A scripted answer, or the query executed (its transaction committed with it when it asks). */
  #reply(q: WireQuery, call: WireCall, s: Session, req: ExecuteQueryRequest, txId: string | null): readonly ResultSetSpec[] {
    for (const sc of this.#scripts) {
      if (sc.left <= 0 || !matches(sc.match, q)) continue;
      sc.left--;
      this.#matched.add(call);
      if (txId && q.tx.commit) this.#commit(this.#txs.get(txId)!, call);
      return typeof sc.reply === 'function' ? sc.reply(q) : sc.reply;
    }
    const tx = txId ? this.#txs.get(txId)! : null;
    const params = Object.fromEntries(Object.entries(req.parameters).map(([k, tv]) => [k, { type: tv.type!, value: tv.value! }]));
    let out: { sets: OutSet[]; io: Io };
    try {
      out = this.#engine.execute(s.database, q.text, params, tx?.engine ?? null, false);
    } catch (e) {
      throw Failure.of(e);
    }
    call.io = out.io;
    if (tx && q.tx.commit) {
      this.#commit(tx, call);
      const io = call.io;
      call.io = { rowsRead: out.io.rowsRead + io.rowsRead, bytesRead: out.io.bytesRead + io.bytesRead, rowsWritten: io.rowsWritten, bytesWritten: io.bytesWritten, ru: 0 };
      call.io.ru = yqlIoRu(call.io);
    }
    return out.sets;
  }

  #check(query: WireQuery): string[] {
    const types = Object.entries(query.params).map(([k, p]) => [k, p.type] as const);
    const key = `${query.text}\0${types.map(([k, t]) => `${k}:${t}`).join('\0')}`;
    let problems = this.#checked.get(key);
    if (!problems) {
      problems = checkQuery(query.text, new Map(types), this.schema);
      if (this.#checked.size > 10_000) this.#checked.clear();
      this.#checked.set(key, problems);
    }
    return problems;
  }

  #parts(sets: readonly ResultSetSpec[], txId: string | null): object[] {
    const per = this.#options.rowsPerPart ?? 1000;
    const parts: object[] = [];
    const typeOf = (text: string) => {
      let t = this.#types.get(text);
      if (!t) this.#types.set(text, (t = parseType(text)));
      return t;
    };
    sets.forEach((set, index) => {
      let columns = this.#columns.get(set.columns);
      if (!columns) this.#columns.set(set.columns, (columns = set.columns.map((c) => ({ name: c.name, type: typeOf(c.type) }))));
      for (let at = 0; at === 0 || at < set.rows.length; at += per) {
        const rows = set.rows.slice(at, at + per).map((row, n) =>
          ({ items: columns.map((c) => encodeValue(c.type, row[c.name], `result set ${index} row ${at + n} column ${c.name}`)) }),
        );
        parts.push({ status: S.SUCCESS, resultSetIndex: BigInt(index), resultSet: { columns, rows } });
      }
    });
    if (!parts.length) parts.push({ status: S.SUCCESS });
    if (txId) (parts[0] as { txMeta?: object }).txMeta = { id: txId };
    return parts;
  }
}

function matches(m: QueryMatch, q: WireQuery): boolean {
  if (typeof m === 'string') return q.text.includes(m);
  if (m instanceof RegExp) return m.test(q.text);
  return m(q);
}
