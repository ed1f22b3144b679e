// Bench support: the YDB figures of a list of wire calls — round trips, bytes, rows and bytes
// read (the executing double's counters: test/ydb-wire/engine.ts counts each statement's
// access path) and the RU by Yandex's serverless rules. Shared by ydb-cost.ts and
// ydb-history.ts.
import type { WireCall, YdbWire } from '../test/ydb-wire/server.ts';

// ---- the RU estimate (Yandex Managed Service for YDB, serverless mode) ----
// YQL ("Request cost for YQL"): max(CPU, I/O); I/O = 1 RU per read + 2 RU per write, reads =
// max(rows, started 4 KB blocks), writes = max(rows, started 1 KB blocks), index rows included.
// CPU (1 RU per 1.5 ms) is not visible at the wire: the figure is the I/O part, a lower bound,
// with at least 1 RU per statement. BulkUpsert ("Request cost for special APIs"): 0.5 RU per
// started KB of each row, the call's sum rounded up. Row sizes are their protobuf sizes.

const WRITE = /(?:UPSERT|INSERT|REPLACE)\s+INTO\s+(\w+)\s+SELECT\s+\*\s+FROM\s+AS_TABLE\(\$(\w+)\)|(?:UPDATE|DELETE\s+FROM)\s+(\w+)\s+ON\s+SELECT\s+\*\s+FROM\s+AS_TABLE\(\$(\w+)\)/g;


export function ru(wire: YdbWire, c: WireCall): number {
  if (c.bulk) {
    const def = wire.schema.get(c.bulk.table)!;
    const perRow = c.bulk.rowCount ? c.requestBytes / c.bulk.rowCount : 0;
    return Math.ceil(c.bulk.rowCount * 0.5 * Math.max(1, Math.ceil(perRow / 1024)) * (1 + def.indexes.size));
  }
  if (!c.query) return 0;
  // a statement that committed its transaction carries the commit's writes with ru 0: priced here
  if (c.io.ru > 0) return c.io.ru;
  let writes = 0;
  for (const m of c.query.text.matchAll(WRITE)) {
    const table = m[1] ?? m[3]!;
    const rows = (c.query.params[`$${m[2] ?? m[4]}`]?.value as unknown[] | undefined) ?? [];
    const bytes = c.requestBytes * (rows.length / Math.max(1, Object.values(c.query.params).reduce((n, p) => n + (Array.isArray(p.value) ? p.value.length : 1), 0)));
    writes += Math.max(rows.length, Math.ceil(bytes / 1024)) * (1 + (wire.schema.get(table)?.indexes.size ?? 0));
  }
  if (/UPDATE\s+\w+\s+SET/i.test(c.query.text)) writes += 1;
  const reads = Math.max(c.io.rowsRead, Math.ceil(c.io.bytesRead / 4096));
  return Math.max(1, reads + 2 * writes);
}

export type Figures = {
  roundTrips: number;
  byMethod: Record<string, number>;
  requestBytes: number;
  responseBytes: number;
  rowsRead: number;
  bytesRead: number;
  bulkChunks: number;
  statements: number;
  ruEstimate: number;
};

export function figures(wire: YdbWire, calls: readonly WireCall[]): Figures {
  const byMethod: Record<string, number> = {};
  for (const c of calls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
  return {
    roundTrips: calls.length,
    byMethod,
    requestBytes: calls.reduce((n, c) => n + c.requestBytes, 0),
    responseBytes: calls.reduce((n, c) => n + c.responseBytes, 0),
    rowsRead: calls.reduce((n, c) => n + c.io.rowsRead, 0),
    bytesRead: calls.reduce((n, c) => n + c.io.bytesRead, 0),
    bulkChunks: calls.filter((c) => c.bulk).length,
    statements: calls.filter((c) => c.query).length,
    ruEstimate: calls.reduce((n, c) => n + ru(wire, c), 0),
  };
}

