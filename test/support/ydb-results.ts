// Test helper: YDB result sets built the way the server sends them (typed columns, rows
// as the List<Struct> items the adapters' own encoder produces), and a driver whose gRPC
// clients answer from a script and record every call — the unit tests' stand-in for the
// query and table services (the wire server under test/ydb-wire/ is the real-gRPC one).
import { StatusIds_StatusCode } from '@ydbjs/api/operation';
import { QueryServiceDefinition } from '@ydbjs/api/query';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ResultSetSchema, type ResultSet, type TypedValue } from '@ydbjs/api/value';
import { YDBError } from '@ydbjs/error';
import { BulkUpsertService } from '../../shared/adapters/ydb/bulk-upsert.ts';
import type { Params } from '../../shared/adapters/ydb/client.ts';
import type { Paged } from '../../shared/adapters/ydb/queries.ts';
import type { Driver } from '../../shared/adapters/ydb/sdk.ts';
import { col, decodeValue, listParam, ydbType, type ColumnType, type Columns, type RowOf } from '../../shared/adapters/ydb/codec.ts';

export function resultSetOf<C extends Columns>(columns: C, rows: readonly RowOf<C>[], truncated = false): ResultSet {
  return create(ResultSetSchema, {
    columns: Object.entries(columns).map(([name, c]) => ({ name, type: ydbType(c) })),
    rows: listParam(columns, rows).value!.items,
    truncated,
  });
}

/** A result set as a client receives it: through the protobuf encoding, 64-bit integers as bigints. */
export function receivedResultSet<C extends Columns>(columns: C, rows: readonly RowOf<C>[]): ResultSet {
  return fromBinary(ResultSetSchema, toBinary(ResultSetSchema, resultSetOf(columns, rows)));
}

/**
 * The page a paged statement (`q.first` or `q.next`) would return from `rows`, which are
 * sorted by `q.keys`: at most `$limit` rows, strictly after the `$after_<key>` values.
 */
export function pageOf<R extends Record<string, unknown>>(q: Paged, text: string, params: Params, rows: readonly R[], keyTypes: Readonly<Record<string, ColumnType>>): R[] {
  const limit = decodeValue(col.uint64, params.$limit!.value!) as number;
  if (text !== q.first && text !== q.next) throw new Error(`not a statement of this paged read: ${text.slice(0, 80)}`);
  if (text === q.first) return rows.slice(0, limit);
  const after = q.keys.map((k) => decodeValue(keyTypes[k]!, params[`$after_${k}`]!.value!) as string);
  const isAfter = (r: R) => {
    for (const [i, k] of q.keys.entries()) {
      const v = r[k] as string;
      if (v !== after[i]) return v > after[i]!;
    }
    return false;
  };
  const from = rows.findIndex(isAfter);
  return from < 0 ? [] : rows.slice(from, from + limit);
}

export type FakeCall = {
  readonly rpc: 'createSession' | 'attachSession' | 'executeQuery' | 'commitTransaction' | 'rollbackTransaction' | 'deleteSession' | 'bulkUpsert';
  readonly sessionId?: string;
  readonly text?: string;
  readonly params?: Record<string, TypedValue>;
  /** 'begin:<mode>' or 'tx:<id>', with '+commit' when the statement commits */
  readonly tx?: string;
  readonly table?: string;
  readonly rows?: number;
};

/** What the script answers: result sets, a YDB status error, or nothing (success, no rows). */
export type FakeAnswer = ResultSet[] | YDBError | Error | void;

export const ydbError = (status: keyof typeof StatusIds_StatusCode) => new YDBError(StatusIds_StatusCode[status], []);

/** A driver whose query and table clients answer from `respond` and record every call. */
export function fakeDriver(respond: (call: FakeCall) => FakeAnswer = () => undefined, opts: { getToken?: (force: boolean) => Promise<string> } = {}) {
  const calls: FakeCall[] = [];
  let sessions = 0;
  let txs = 0;
  const answer = (call: FakeCall) => {
    calls.push(call);
    return respond(call);
  };
  const statusOf = (r: FakeAnswer) => (r instanceof YDBError ? { status: r.code, issues: [] } : { status: StatusIds_StatusCode.SUCCESS, issues: [] });
  const query = {
    async createSession() {
      const r = answer({ rpc: 'createSession' });
      if (r instanceof Error && !(r instanceof YDBError)) throw r;
      return { ...statusOf(r), sessionId: `s${++sessions}`, nodeId: 1n };
    },
    attachSession(req: { sessionId: string }, o: { signal: AbortSignal }) {
      const r = answer({ rpc: 'attachSession', sessionId: req.sessionId });
      return (async function* () {
        yield statusOf(r);
        await new Promise((resolve) => o.signal.addEventListener('abort', resolve));
      })();
    },
    executeQuery(req: { sessionId: string; query: { value: { text: string } }; parameters: Record<string, TypedValue>; txControl?: { txSelector: { case: string; value: unknown }; commitTx: boolean } }) {
      const sel = req.txControl?.txSelector;
      const tx = !sel
        ? undefined
        : `${sel.case === 'txId' ? `tx:${sel.value as string}` : `begin:${(sel.value as { txMode: { case: string } }).txMode.case}`}${req.txControl!.commitTx ? '+commit' : ''}`;
      const r = answer({ rpc: 'executeQuery', sessionId: req.sessionId, text: req.query.value.text, params: req.parameters, tx });
      const txId = sel?.case === 'beginTx' ? `tx${++txs}` : undefined;
      return (async function* () {
        if (r instanceof Error && !(r instanceof YDBError)) throw r;
        if (r instanceof YDBError) {
          yield { ...statusOf(r), resultSetIndex: 0n };
          return;
        }
        const sets = r ?? [];
        if (sets.length === 0) yield { ...statusOf(r), resultSetIndex: 0n, txMeta: txId ? { id: txId } : undefined };
        for (const [i, rs] of sets.entries()) yield { ...statusOf(r), resultSetIndex: BigInt(i), resultSet: rs, txMeta: txId ? { id: txId } : undefined };
      })();
    },
    async commitTransaction(req: { sessionId: string; txId: string }) {
      const r = answer({ rpc: 'commitTransaction', sessionId: req.sessionId, tx: `tx:${req.txId}` });
      if (r instanceof Error && !(r instanceof YDBError)) throw r;
      return statusOf(r);
    },
    async rollbackTransaction(req: { sessionId: string; txId: string }) {
      answer({ rpc: 'rollbackTransaction', sessionId: req.sessionId, tx: `tx:${req.txId}` });
      return statusOf(undefined);
    },
    async deleteSession(req: { sessionId: string }) {
      answer({ rpc: 'deleteSession', sessionId: req.sessionId });
      return statusOf(undefined);
    },
  };
  const table = {
    async bulkUpsert(req: { table: string; rows: TypedValue }) {
      const r = answer({ rpc: 'bulkUpsert', table: req.table, rows: req.rows.value?.items.length ?? 0 });
      if (r instanceof Error && !(r instanceof YDBError)) throw r;
      return { operation: { ready: true, ...statusOf(r) } };
    },
  };
  const driver = {
    database: '/local',
    options: { credentialsProvider: opts.getToken ? { getToken: opts.getToken } : undefined },
    createClient: (def: unknown) => {
      if (def === QueryServiceDefinition) return query;
      if (def === BulkUpsertService) return table;
      throw new Error('fake driver: unexpected service');
    },
  } as unknown as Driver;
  return { driver, calls };
}

/**
 * A retry clock (YdbClient's `clock`) whose sleeps advance it at once: where a retry loop
 * stops depends on the backoff arithmetic alone, never on how busy the machine is.
 */
export function steppedClock(start = 0) {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}
