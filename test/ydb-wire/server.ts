// A YDB wire server for tests: a gRPC server on 127.0.0.1 speaking YDB's Discovery, Query and
// Table (BulkUpsert) services from @ydbjs/api's definitions, so the real @ydbjs driver reaches
// it through an ordinary connection string. It records every request, answers ExecuteQuery from
// the result sets a test scripts, injects faults, and type-checks every parameter against the
// migrations' columns. It never executes YQL: it is a test double, not a database.
import { resolve } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { Metadata, Server, ServerCredentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { DiscoveryServiceDefinition, ListEndpointsResultSchema, WhoAmIResultSchema } from '@ydbjs/api/discovery';
import { StatusIds_StatusCode as S } from '@ydbjs/api/operation';
import { QueryServiceDefinition, type ExecuteQueryRequest, type TransactionSettings } from '@ydbjs/api/query';
import { TableServiceDefinition } from '@ydbjs/api/table';
import { type TypedValue } from '@ydbjs/api/value';
import { checkBulkRows, checkQuery } from './check.ts';
import { decodeValue, encodeValue, parseType, typeText } from './types.ts';
import { type Schema, loadSchema } from './yql-text.ts';

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
  readonly message?: string;
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
  ) {
    super(message);
  }
}
const statusName = (s: S): string => S[s] ?? String(s);
const issue = (message: string) => ({ message, severity: 1 });

type Session = { readonly id: string; alive: boolean; busy: boolean; readonly ended: Set<() => void> };
type Tx = { readonly id: string; readonly sessionId: string; readonly mode: string; state: 'active' | 'committed' | 'rolled back' | 'aborted' };
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

  constructor(options: WireOptions) {
    this.#options = options;
    this.schema = loadSchema(options.migrationsDir ?? resolve(import.meta.dirname, '../../infra/ydb/migrations'), options.extraDdl);
    this.#install();
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
   * Resolves once every session the clients created has been deleted (or after `timeoutMs`):
   * @ydbjs deletes sessions without awaiting, so closing a driver before this leaves a rejected
   * DeleteSession behind.
   */
  async idle(timeoutMs = 2000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ([...this.#sessions.values()].some((s) => s.alive) && Date.now() < until) await new Promise((ok) => setTimeout(ok, 5));
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
  #matched = new WeakSet<WireCall>();

  /**
   * Answers ExecuteQuery calls whose text contains `match` (or matches the RegExp or predicate)
   * with `reply`'s result sets, `times` times (default: always). The newest script wins.
   * Unscripted queries get one empty result set per statement that starts with SELECT.
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

  /** Forgets calls, scripts and faults (sessions and transactions stay). */
  reset(): void {
    this.calls.length = 0;
    this.#scripts.length = 0;
    this.#faults.length = 0;
    this.#methodSeq.clear();
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
  }

  /** Records a call. */
  #record(method: WireMethod, md: Metadata, requestBytes: number, extra: Partial<WireCall>): WireCall {
    const methodSeq = (this.#methodSeq.get(method) ?? 0) + 1;
    this.#methodSeq.set(method, methodSeq);
    const call: WireCall = {
      seq: this.calls.length + 1, methodSeq, method, database: md.get('x-ydb-database')[0]?.toString(),
      token: md.get('x-ydb-auth-ticket')[0]?.toString(), requestBytes, responseBytes: 0, status: 'SUCCESS', issues: [], ...extra,
    };
    this.calls.push(call);
    return call;
  }

  /** Applies the token check and the faults to a recorded call; throws the Failure it must answer. */
  async #gate(call: WireCall): Promise<void> {
    if (this.#options.acceptToken && !this.#options.acceptToken(call.token)) {
      throw new Failure(null, GrpcStatus.UNAUTHENTICATED, 'wire: token refused');
    }
    for (const f of this.#faults) {
      if (f.method !== call.method) continue;
      if (f.match && !(call.query && matches(f.match, call.query))) continue;
      f.seen++;
      const hit = f.calls ? f.calls.includes(f.seen) : f.left > 0;
      if (!hit) continue;
      if (!f.calls) f.left--;
      if (f.delayMs) await new Promise((ok) => setTimeout(ok, f.delayMs));
      const message = f.message ?? `wire: injected ${f.status ?? f.grpc ?? 'delay'} on ${call.method} #${call.methodSeq}`;
      if (f.grpc) throw new Failure(null, GRPC[f.grpc], message);
      if (f.status) throw new Failure(STATUS[f.status], null, message);
    }
  }

  #fail(call: WireCall, f: Failure): void {
    call.status = f.grpc !== null ? `grpc:${GrpcStatus[f.grpc]}` : statusName(f.status!);
    call.issues.push(f.message);
    if (f.status === S.BAD_SESSION && call.sessionId) {
      const s = this.#sessions.get(call.sessionId);
      if (s) this.#kill(s);
    }
    if ((f.status === S.ABORTED || f.status === S.BAD_SESSION) && call.tx?.txId) {
      const tx = this.#txs.get(call.tx.txId);
      if (tx) tx.state = 'aborted';
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
            await wire.#gate(call);
            const res = answer(c.request as never, call);
            owner.set(res, call);
            cb(null, res);
          } catch (e) {
            const f = e instanceof Failure ? e : new Failure(S.INTERNAL_ERROR, null, `wire: ${(e as Error).message}`);
            wire.#fail(call, f);
            if (f.grpc !== null) return cb({ code: f.grpc, details: f.message });
            const res = failed(f);
            owner.set(res, call);
            cb(null, res);
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
    this.#server.addService(service(QueryServiceDefinition), {
      createSession: unary('CreateSession', none, () => {
        const id = wire.#id('wire-session');
        wire.#sessions.set(id, { id, alive: true, busy: false, ended: new Set() });
        return { status: S.SUCCESS, sessionId: id, nodeId: 1n };
      }, inBand),
      deleteSession: unary('DeleteSession', (r: Sid) => ({ sessionId: r.sessionId }), (r: Sid) => {
        wire.#kill(wire.#sessionOf(r.sessionId));
        wire.#sessions.delete(r.sessionId);
        return { status: S.SUCCESS };
      }, inBand),
      beginTransaction: unary('BeginTransaction', (r: Sid & { txSettings?: TransactionSettings }) => ({
        sessionId: r.sessionId, tx: { begin: r.txSettings?.txMode.case ?? 'serializableReadWrite', commit: false, txId: null },
      }), (r: Sid & { txSettings?: TransactionSettings }) => {
        wire.#sessionOf(r.sessionId);
        const id = wire.#id('wire-tx');
        wire.#txs.set(id, { id, sessionId: r.sessionId, mode: r.txSettings?.txMode.case ?? 'serializableReadWrite', state: 'active' });
        return { status: S.SUCCESS, txMeta: { id } };
      }, inBand),
      commitTransaction: unary('CommitTransaction', (r: Sid & { txId: string }) => ({ sessionId: r.sessionId, tx: { begin: null, commit: true, txId: r.txId } }),
        (r: Sid & { txId: string }) => {
          wire.#sessionOf(r.sessionId);
          wire.#activeTx(r.txId, r.sessionId).state = 'committed';
          return { status: S.SUCCESS };
        }, inBand),
      rollbackTransaction: unary('RollbackTransaction', (r: Sid & { txId: string }) => ({ sessionId: r.sessionId, tx: { begin: null, commit: false, txId: r.txId } }),
        (r: Sid & { txId: string }) => {
          wire.#sessionOf(r.sessionId);
          wire.#activeTx(r.txId, r.sessionId).state = 'rolled back';
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
            const f = e instanceof Failure ? e : new Failure(S.INTERNAL_ERROR, null, String(e));
            wire.#fail(call, f);
            if (f.grpc !== null) return c.emit('error', { code: f.grpc, details: f.message });
            c.write({ status: f.status!, issues: [issue(f.message)] });
            c.end();
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
            await wire.#gate(call);
            const types = new Map(Object.entries(query.params).map(([k, p]) => [k, p.type] as const));
            const problems = checkQuery(query.text, types, wire.schema);
            if (problems.length) throw new Failure(S.BAD_REQUEST, null, `wire type check: ${problems.join('; ')}`);
            const txId = wire.#txFor(query.tx, req.sessionId);
            const sets = wire.#reply(query, call);
            const parts = wire.#parts(sets, txId && query.tx.begin && !query.tx.commit ? txId : null);
            if (txId && query.tx.commit) wire.#txs.get(txId)!.state = 'committed';
            for (const p of parts) {
              if (c.cancelled) return;
              owner.set(p, call);
              c.write(p);
            }
            c.end();
          } catch (e) {
            const f = e instanceof Failure ? e : new Failure(S.INTERNAL_ERROR, null, `wire: ${(e as Error).message}`);
            wire.#fail(call, f);
            if (f.grpc !== null) return c.emit('error', { code: f.grpc, details: f.message });
            const part = { status: f.status!, issues: [issue(f.message)] };
            owner.set(part, call);
            c.write(part);
            c.end();
          } finally {
            if (session) session.busy = false;
          }
        })();
      },
    });

    type Bulk = { table: string; rows?: TypedValue };
    this.#server.addService(service(TableServiceDefinition), {
      bulkUpsert: unary('BulkUpsert', (r: Bulk) => ({ bulk: wire.#bulk(r) }), (_r: Bulk, call: WireCall) => {
        const problems = checkBulkRows(call.bulk!.table, _r.rows?.type, wire.schema);
        if (problems.length) throw new Failure(S.BAD_REQUEST, null, `wire type check: ${problems.join('; ')}`);
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
  #txFor(tx: WireTx, sessionId: string): string | null {
    if (tx.txId) return this.#activeTx(tx.txId, sessionId).id;
    if (!tx.begin) return null;
    const id = this.#id('wire-tx');
    this.#txs.set(id, { id, sessionId, mode: tx.begin, state: 'active' });
    return id;
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
    const prefix = `${this.database}/`;
    const table = r.table.startsWith(prefix) ? r.table.slice(prefix.length) : r.table.replace(/^\//, '');
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

  #reply(q: WireQuery, call: WireCall): readonly ResultSetSpec[] {
    for (const s of this.#scripts) {
      if (s.left <= 0 || !matches(s.match, q)) continue;
      s.left--;
      this.#matched.add(call);
      return typeof s.reply === 'function' ? s.reply(q) : s.reply;
    }
    const selects = q.text.split(';').filter((st) => /^\s*(--[^\n]*\n\s*)*SELECT\b/i.test(st)).length;
    return Array.from({ length: selects }, () => ({ columns: [], rows: [] }));
  }

  #parts(sets: readonly ResultSetSpec[], txId: string | null): object[] {
    const per = this.#options.rowsPerPart ?? 1000;
    const parts: object[] = [];
    sets.forEach((set, index) => {
      const columns = set.columns.map((c) => ({ name: c.name, type: parseType(c.type) }));
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
