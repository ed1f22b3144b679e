// Bench support: a scripted memory on the test wire server, so the YDB adapters' reads are
// answered from what the same process wrote before (pointers, staged rows, aggregates, the
// period index, read tokens, alert states) — not a database: each read statement the
// adapters send is answered by a function of the writes recorded so far. Shared by
// ydb-cost.ts and ydb-history.ts, with the RU estimate by Yandex's serverless rules.
//
// Rows and bytes read: when the wire double executes statements (test/ydb-wire/engine.ts,
// issue 22 item 4), each call carries `io` (rows and bytes the statement READ, index rows
// included) and those are the figures; until then they are the rows and bytes ANSWERED,
// which for the point and prefix reads of the read model are the rows read, and for a
// scan that filters are fewer (a lower bound).
import * as Q from '../shared/adapters/ydb/queries.ts';
import type { Paged } from '../shared/adapters/ydb/queries.ts';
import { selectColumns } from '../test/ydb-wire/check.ts';
import type { WireCall, WireQuery, YdbWire } from '../test/ydb-wire/server.ts';

type Row = Record<string, unknown>;

const key = (v: unknown): number | string => (v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : (v as string));
const cmp = (a: readonly unknown[], b: readonly unknown[]) => {
  for (let i = 0; i < a.length; i++) {
    const x = key(a[i]);
    const y = key(b[i]);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};
const keyOf = (r: Row, keys: readonly string[]) => keys.map((k) => String(key(r[k]))).join('|');

/** Rows of `list` keyed by `keys`, the last write of each key winning. */
function latest(list: readonly Row[], keys: readonly string[]): Row[] {
  const m = new Map<string, Row>();
  for (const r of list) m.set(keyOf(r, keys), r);
  return [...m.values()];
}

/**
 * The memory: every write statement is folded in as it is recorded (the wire's query log is
 * read incrementally), so a read costs the size of the table, not of the whole history of
 * statements.
 */
class Memory {
  readonly #wire: YdbWire;
  #seen = 0;
  readonly pointers = new Map<string, Row>();
  readonly snapshotPeriods = new Map<string, Row>();
  readonly regionPeriods = new Map<string, Row>();
  readonly tokens = new Map<string, Row>();
  readonly alerts = new Map<string, Row>();
  readonly completeness = new Map<string, Row>();
  /** ledger rows by upload id, partial updates merged */
  readonly ledger = new Map<string, Row>();
  /** aggregate rows by period key (region|start|end), each period replaced whole */
  readonly aggregates = new Map<string, Row[]>();

  constructor(wire: YdbWire) {
    this.#wire = wire;
  }

  sync(current?: WireQuery): void {
    const qs = this.#wire.queries();
    for (; this.#seen < qs.length; this.#seen++) {
      const q = qs[this.#seen]!;
      if (q === current) break;
      const rows = (p: string) => (q.params[p]?.value as Row[] | undefined) ?? [];
      const put = (m: Map<string, Row>, list: Row[], keys: string[]) => {
        for (const r of list) m.set(keyOf(r, keys), r);
      };
      if (q.text === Q.COMMIT_POINTERS) {
        put(this.pointers, rows('$pointers'), ['region', 'period_start', 'period_end', 'kind', 'municipality_id']);
        put(this.snapshotPeriods, rows('$periods'), ['region', 'period_start', 'period_end']);
        put(this.tokens, rows('$read_token'), ['region']);
      } else if (q.text === Q.AGGREGATE_REPLACE_PERIOD) {
        const pk = keyOf({ region: q.params.$region!.value, period_start: q.params.$period_start!.value, period_end: q.params.$period_end!.value }, ['region', 'period_start', 'period_end']);
        this.aggregates.set(pk, rows('$rows'));
        put(this.regionPeriods, rows('$period'), ['region', 'period_start', 'period_end']);
        put(this.completeness, rows('$completeness'), ['region', 'period_start', 'period_end']);
        put(this.tokens, rows('$read_token'), ['region']);
      } else if (q.text === Q.LEDGER_INSERT || q.text === Q.LEDGER_TAKEOVER || q.text === Q.LEDGER_COMPLETE) {
        for (const r of rows('$rows')) this.ledger.set(r.upload_id as string, { ...this.ledger.get(r.upload_id as string), ...r });
      } else if (q.text === Q.ALERTS_SAVE) {
        put(this.alerts, rows('$rows'), ['region', 'alert_id', 'level', 'unit']);
        put(this.tokens, rows('$read_token'), ['region']);
      }
    }
  }

  allAggregates(): Row[] {
    return [...this.aggregates.values()].flat();
  }
}

/** Rows matching the statement's `= $param` equalities (parameters named after columns). */
function matching(q: WireQuery, rows: readonly Row[]): Row[] {
  const eq = Object.entries(q.params).filter(([n]) => n !== '$limit' && !n.startsWith('$after_') && n !== '$now_ms' && n !== '$periods');
  return rows.filter((r) => eq.every(([n, v]) => !(n.slice(1) in r) || Array.isArray(v.value) || key(r[n.slice(1)]) === key(v.value)));
}

function project(wire: YdbWire, q: WireQuery, rows: readonly Row[], sortKeys: readonly string[], index = 0) {
  const cols = selectColumns(q.text, wire.schema)[index] ?? [];
  const sorted = [...rows].sort((a, b) => cmp(sortKeys.map((k) => a[k]), sortKeys.map((k) => b[k])));
  return { columns: cols.map(({ name, type }) => ({ name, type })), rows: sorted.map((r) => Object.fromEntries(cols.map((c) => [c.name, r[c.source ?? c.name]]))) };
}

/** One page of a paged statement over `rows`: the WHERE's equalities, strictly after `$after_*`, at most `$limit`. */
function page(wire: YdbWire, q: WireQuery, p: Paged, rows: readonly Row[]) {
  let out = matching(q, rows).sort((a, b) => cmp(p.keys.map((k) => a[k]), p.keys.map((k) => b[k])));
  if (q.text === p.next) {
    const after = p.keys.map((k) => q.params[`$after_${k}`]!.value);
    out = out.filter((r) => cmp(p.keys.map((k) => r[k]), after) > 0);
  }
  const set = project(wire, q, out, p.keys);
  return [{ ...set, rows: set.rows.slice(0, Number(q.params.$limit!.value)) }];
}

/** Whether the wire double executes statements (h22double's engine: it counts each call's `io`). */
export function executes(wire: YdbWire): boolean {
  return typeof (wire as YdbWire & { io?: unknown }).io === 'function';
}

/** Scripts the memory on a double that does not execute; an executing one answers from its tables. */
export function remember(wire: YdbWire): void {
  if (executes(wire)) return;
  const mem = new Memory(wire);
  const bulk = (table: string) => wire.bulks().filter((b) => b.table === table).flatMap((b) => b.rows as Row[]);
  const synced = <T>(f: (q: WireQuery) => T) => (q: WireQuery) => {
    mem.sync(q);
    return f(q);
  };
  const paged: [Paged, () => Row[]][] = [[Q.SCHOOLS_OF_BATCH, () => bulk('school_snapshot')]];
  for (const [p, rows] of paged) wire.script((q) => q.text === p.first || q.text === p.next, synced((q) => page(wire, q, p, rows())));
  // one-result reads: the statement's equalities over the rows, in key order
  const whole: [string, () => Row[], string[]][] = [
    [Q.POINTERS, () => [...mem.pointers.values()], ['municipality_id']],
    [Q.MUNICIPALITIES_OF_BATCH, () => bulk('municipality_snapshot'), ['municipality_id']],
    [Q.AGGREGATE_READ_PERIOD, () => mem.allAggregates(), ['level', 'unit']],
    [Q.ALERTS_FOR_REGION, () => [...mem.alerts.values()], ['alert_id', 'level', 'unit']],
    ...Object.values(Q.AGGREGATE_TIMESERIES).map((t): [string, () => Row[], string[]] => [t, () => mem.allAggregates(), ['period_start', 'period_end']]),
  ];
  for (const [text, rows, order] of whole) wire.script((q) => q.text === text, synced((q) => [project(wire, q, matching(q, rows()), order)]));
  wire.script((q) => q.text === Q.CURRENT_PERIODS, synced((q) => [project(wire, q, matching(q, [...mem.snapshotPeriods.values()]), ['period_start', 'period_end'])]));
  wire.script((q) => q.text === Q.COMPLETENESS_FOR_REGION, synced((q) => [project(wire, q, matching(q, [...mem.completeness.values()]), ['period_start', 'period_end'])]));
  wire.script((q) => q.text === Q.AGGREGATE_PERIODS, synced((q) => [project(wire, q, matching(q, [...mem.regionPeriods.values()]), ['period_start', 'period_end'])]));
  wire.script((q) => q.text === Q.READ_VERSION, synced((q) => [project(wire, q, matching(q, [...mem.tokens.values()]), [])]));
  wire.script((q) => q.text === Q.LEDGER_GET || q.text === Q.LEDGER_REPORT, synced((q) => [project(wire, q, matching(q, [...mem.ledger.values()]), [])]));
  wire.script(
    (q) => q.text === Q.LEDGER_LIST_REPORTS,
    synced((q) => {
      const before = key(q.params.$before!.value);
      const list = matching(q, [...mem.ledger.values()]).filter((r) => key(r.ingest_sequence) < before);
      const set = project(wire, q, list, ['ingest_sequence']);
      return [{ ...set, rows: set.rows.reverse().slice(0, Number(q.params.$limit!.value)) }];
    }),
  );
}

// ---- the RU estimate (Yandex Managed Service for YDB, serverless mode) ----
// YQL ("Request cost for YQL"): max(CPU, I/O); I/O = 1 RU per read + 2 RU per write, reads =
// max(rows, started 4 KB blocks), writes = max(rows, started 1 KB blocks), index rows included.
// CPU (1 RU per 1.5 ms) is not visible at the wire: the figure is the I/O part, a lower bound,
// with at least 1 RU per statement. BulkUpsert ("Request cost for special APIs"): 0.5 RU per
// started KB of each row, the call's sum rounded up. Row sizes are their protobuf sizes.

const WRITE = /(?:UPSERT|INSERT|REPLACE)\s+INTO\s+(\w+)\s+SELECT\s+\*\s+FROM\s+AS_TABLE\(\$(\w+)\)|(?:UPDATE|DELETE\s+FROM)\s+(\w+)\s+ON\s+SELECT\s+\*\s+FROM\s+AS_TABLE\(\$(\w+)\)/g;

/** What the executing double counted for a call, when it counts (h22double's `io`). */
type Io = { rowsRead: number; bytesRead: number; rowsWritten: number; bytesWritten: number; ru: number };
const ioOf = (c: WireCall): Io | undefined => (c as WireCall & { io?: Io }).io;

/** Rows and bytes a call read: the double's counters when it executes, else the rows and bytes it answered. */
export function readOf(c: WireCall): { rows: number; bytes: number; counted: boolean } {
  const io = ioOf(c);
  if (io) return { rows: io.rowsRead, bytes: io.bytesRead, counted: true };
  return { rows: c.resultRows ?? 0, bytes: c.query ? c.responseBytes : 0, counted: false };
}

export function ru(wire: YdbWire, c: WireCall): number {
  if (c.bulk) {
    const def = wire.schema.get(c.bulk.table)!;
    const perRow = c.bulk.rowCount ? c.requestBytes / c.bulk.rowCount : 0;
    return Math.ceil(c.bulk.rowCount * 0.5 * Math.max(1, Math.ceil(perRow / 1024)) * (1 + def.indexes.size));
  }
  if (!c.query) return 0;
  const io = ioOf(c);
  if (io && io.ru > 0) return io.ru;
  let writes = 0;
  for (const m of c.query.text.matchAll(WRITE)) {
    const table = m[1] ?? m[3]!;
    const rows = (c.query.params[`$${m[2] ?? m[4]}`]?.value as unknown[] | undefined) ?? [];
    const bytes = c.requestBytes * (rows.length / Math.max(1, Object.values(c.query.params).reduce((n, p) => n + (Array.isArray(p.value) ? p.value.length : 1), 0)));
    writes += Math.max(rows.length, Math.ceil(bytes / 1024)) * (1 + (wire.schema.get(table)?.indexes.size ?? 0));
  }
  if (/UPDATE\s+\w+\s+SET/i.test(c.query.text)) writes += 1;
  const read = readOf(c);
  const reads = Math.max(read.rows, Math.ceil(read.bytes / 4096));
  return Math.max(1, reads + 2 * writes);
}

export type Figures = {
  roundTrips: number;
  byMethod: Record<string, number>;
  requestBytes: number;
  responseBytes: number;
  rowsRead: number;
  bytesRead: number;
  /** true when rows and bytes read are the executing double's counters */
  readCounted: boolean;
  bulkChunks: number;
  statements: number;
  ruEstimate: number;
};

export function figures(wire: YdbWire, calls: readonly WireCall[]): Figures {
  const byMethod: Record<string, number> = {};
  for (const c of calls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
  const reads = calls.map(readOf);
  return {
    roundTrips: calls.length,
    byMethod,
    requestBytes: calls.reduce((n, c) => n + c.requestBytes, 0),
    responseBytes: calls.reduce((n, c) => n + c.responseBytes, 0),
    rowsRead: reads.reduce((n, r) => n + r.rows, 0),
    bytesRead: reads.reduce((n, r) => n + r.bytes, 0),
    readCounted: reads.length > 0 && reads.every((r) => r.counted),
    bulkChunks: calls.filter((c) => c.bulk).length,
    statements: calls.filter((c) => c.query).length,
    ruEstimate: calls.reduce((n, c) => n + ru(wire, c), 0),
  };
}

export { latest };
