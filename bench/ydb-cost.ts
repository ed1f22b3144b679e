// What the cloud's YDB costs per operation, measured at the wire: `ydb-cost <manifest> <workdir>`.
// The YDB adapters run on a real @ydbjs Driver against the test wire server (test/ydb-wire),
// which answers reads from what this process wrote before (pointers, staged rows, aggregates,
// alert states: a scripted memory, not a database) and records every request. For the seed
// region's weekly upload (26) and the largest national region's, it reports round trips,
// request and response bytes, BulkUpsert chunks and an RU estimate by Yandex's serverless
// rules, per ingest, per aggregate and per API request. Prints one JSON line
// (BENCH_YDB_TRACE=1 also lists each operation's calls on stderr).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { Driver } from '@ydbjs/core';
import { ydbStoresOn } from '../shared/adapters/ydb/index.ts';
import { YdbClient } from '../shared/adapters/ydb/client.ts';
import { YdbReadModel } from '../shared/adapters/ydb/read-model.ts';
import * as Q from '../shared/adapters/ydb/queries.ts';
import type { Paged } from '../shared/adapters/ydb/queries.ts';
import { buildReference } from '../shared/runtime/reference.ts';
import { defaultTargets } from '../shared/domain/targets.ts';
import { ingestObject } from '../shared/usecases/ingest-object.ts';
import { aggregatePeriod } from '../shared/usecases/aggregate-period.ts';
import type { Logger } from '../shared/ports/logger.ts';
import type { ApiDeps } from '../shared/api/app.ts';
import { hashApiKey } from '../shared/api/auth.ts';
import { ResponseCache } from '../shared/api/response-cache.ts';
import { eventFromRequest } from '../infra/local/http-adapter.ts';
import { apiHandler } from '../functions/api/handler.ts';
import { selectColumns } from '../test/ydb-wire/check.ts';
import { type WireCall, type WireQuery, type YdbWire, startYdbWire } from '../test/ydb-wire/server.ts';
import { FileObjectStore } from './object-store.ts';
import { FILE_NAME, PERIOD, type Inputs } from './gen.ts';

// run from bench/ (tsx) or from its bundle in bench/.out/
const root = new URL('.', import.meta.url).pathname.replace(/bench\/(\.out\/)?$/, '');
const [manifestPath = '', , regionArg = ''] = process.argv.slice(2);
const inputs = JSON.parse(readFileSync(manifestPath, 'utf8')) as Inputs;
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
type Row = Record<string, unknown>;

// ---- the scripted memory: reads answered from earlier writes ----

const key = (v: unknown): number | string => (v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : (v as string));
const cmp = (a: readonly unknown[], b: readonly unknown[]) => {
  for (let i = 0; i < a.length; i++) {
    const x = key(a[i]);
    const y = key(b[i]);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

/** Rows of `list` keyed by `keys`, the last write of each key winning. */
function latest(list: readonly Row[], keys: readonly string[]): Row[] {
  const m = new Map<string, Row>();
  for (const r of list) m.set(keys.map((k) => String(key(r[k]))).join('|'), r);
  return [...m.values()];
}

/** The rows earlier statements `text` wrote through `param` (not those of `current`, the call being answered). */
function writtenRows(wire: YdbWire, text: string, param: string, current?: WireQuery): Row[] {
  return wire.queries().filter((q) => q.text === text && q !== current).flatMap((q) => q.params[param]!.value as Row[]);
}

/** One page of a paged statement over `rows`: the WHERE's equalities, strictly after `$after_*`, at most `$limit`. */
function page(wire: YdbWire, q: WireQuery, p: Paged, rows: readonly Row[]) {
  const cols = selectColumns(q.text, wire.schema)[0] ?? [];
  const eq = Object.entries(q.params).filter(([n]) => n !== '$limit' && !n.startsWith('$after_') && n !== '$now_ms');
  let out = rows.filter((r) => eq.every(([n, v]) => !(n.slice(1) in r) || key(r[n.slice(1)]) === key(v.value)));
  out.sort((a, b) => cmp(p.keys.map((k) => a[k]), p.keys.map((k) => b[k])));
  if (q.text === p.next) {
    const after = p.keys.map((k) => q.params[`$after_${k}`]!.value);
    out = out.filter((r) => cmp(p.keys.map((k) => r[k]), after) > 0);
  }
  const projected = out.map((r) => Object.fromEntries(cols.map((c) => [c.name, r[c.source ?? c.name]])));
  const distinct = /SELECT\s+DISTINCT/i.test(q.text) ? latest(projected, cols.map((c) => c.name)) : projected;
  return [{ columns: cols.map(({ name, type }) => ({ name, type })), rows: distinct.slice(0, Number(q.params.$limit!.value)) }];
}

function remember(wire: YdbWire): void {
  const bulk = (table: string) => wire.bulks().filter((b) => b.table === table).flatMap((b) => b.rows as Row[]);
  const pointers = () => latest(writtenRows(wire, Q.COMMIT_POINTERS, '$pointers'), ['region', 'period_start', 'period_end', 'kind', 'municipality_id']);
  const aggKeys = ['region', 'period_start', 'period_end', 'level', 'unit'];
  const aggregates = (current?: WireQuery) => {
    const deleted = new Set(writtenRows(wire, Q.AGGREGATE_DELETE_KEYS, '$keys').map((r) => aggKeys.map((k) => String(key(r[k]))).join('|')));
    return latest(writtenRows(wire, Q.AGGREGATE_WRITE_PERIOD, '$rows', current), aggKeys).filter((r) => !deleted.has(aggKeys.map((k) => String(key(r[k]))).join('|')));
  };
  const paged: [Paged, () => Row[]][] = [
    [Q.POINTERS, pointers],
    [Q.CURRENT_PERIODS, pointers],
    [Q.SCHOOLS_OF_BATCH, () => bulk('school_snapshot')],
    [Q.MUNICIPALITIES_OF_BATCH, () => bulk('municipality_snapshot')],
    [Q.AGGREGATE_READ_PERIOD, aggregates],
    [Q.AGGREGATE_PERIODS, aggregates],
    [Q.ALERTS_FOR_REGION, () => latest(writtenRows(wire, Q.ALERTS_SAVE, '$rows'), ['region', 'alert_id', 'level', 'unit'])],
    ...Object.values(Q.AGGREGATE_TIMESERIES).map((p): [Paged, () => Row[]] => [p, aggregates]),
  ];
  for (const [p, rows] of paged) wire.script((q) => q.text === p.first || q.text === p.next, (q) => page(wire, q, p, rows()));
  wire.script((q) => q.text === Q.COUNTER_GET, () => [wire.rows('sequence_counter', writtenRows(wire, Q.LEDGER_INSERT, '$counter').slice(-1))]);
  wire.script((q) => q.text === Q.AGGREGATE_WRITE_PERIOD, (q) => [
    wire.rows('aggregate_metrics', aggregates(q).filter((r) => ['$region', '$period_start', '$period_end'].every((n) => key(r[n.slice(1)]) === key(q.params[n]!.value))), ['level', 'unit']),
  ]);
}

// ---- the RU estimate (Yandex Managed Service for YDB, serverless mode) ----
// YQL ("Request cost for YQL"): max(CPU, I/O); I/O = 1 RU per read + 2 RU per write, reads =
// max(rows, started 4 KB blocks), writes = max(rows, started 1 KB blocks), index rows included.
// CPU (1 RU per 1.5 ms) is not visible at the wire: the figure is the I/O part, a lower bound,
// with at least 1 RU per statement. BulkUpsert ("Request cost for special APIs"): 0.5 RU per
// started KB of each row, the call's sum rounded up. Row sizes are their protobuf sizes.

const WRITE = /(?:UPSERT|INSERT|REPLACE)\s+INTO\s+(\w+)\s+SELECT\s+\*\s+FROM\s+AS_TABLE\(\$(\w+)\)|(?:UPDATE|DELETE\s+FROM)\s+(\w+)\s+ON\s+SELECT\s+\*\s+FROM\s+AS_TABLE\(\$(\w+)\)/g;

function ru(wire: YdbWire, c: WireCall): number {
  if (c.bulk) {
    const def = wire.schema.get(c.bulk.table)!;
    const perRow = c.bulk.rowCount ? c.requestBytes / c.bulk.rowCount : 0;
    return Math.ceil(c.bulk.rowCount * 0.5 * Math.max(1, Math.ceil(perRow / 1024)) * (1 + def.indexes.size));
  }
  if (!c.query) return 0;
  let writes = 0;
  for (const m of c.query.text.matchAll(WRITE)) {
    const table = m[1] ?? m[3]!;
    const rows = (c.query.params[`$${m[2] ?? m[4]}`]?.value as unknown[] | undefined) ?? [];
    const bytes = c.requestBytes * (rows.length / Math.max(1, Object.values(c.query.params).reduce((n, p) => n + (Array.isArray(p.value) ? p.value.length : 1), 0)));
    writes += Math.max(rows.length, Math.ceil(bytes / 1024)) * (1 + (wire.schema.get(table)?.indexes.size ?? 0));
  }
  if (/UPDATE\s+\w+\s+SET/i.test(c.query.text)) writes += 1;
  const reads = Math.max(c.resultRows ?? 0, Math.ceil(c.responseBytes / 4096));
  return Math.max(1, reads + 2 * writes);
}

type Figures = { roundTrips: number; byMethod: Record<string, number>; requestBytes: number; responseBytes: number; bulkChunks: number; statements: number; ruEstimate: number };

function figures(wire: YdbWire, calls: readonly WireCall[]): Figures {
  const byMethod: Record<string, number> = {};
  for (const c of calls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
  return {
    roundTrips: calls.length,
    byMethod,
    requestBytes: calls.reduce((n, c) => n + c.requestBytes, 0),
    responseBytes: calls.reduce((n, c) => n + c.responseBytes, 0),
    bulkChunks: calls.filter((c) => c.bulk).length,
    statements: calls.filter((c) => c.query).length,
    ruEstimate: calls.reduce((n, c) => n + ru(wire, c), 0),
  };
}

// ---- the scenarios ----

const wire = await startYdbWire({ migrationsDir: join(root, 'infra', 'ydb', 'migrations') });
remember(wire);
const driver = new Driver(wire.connectionString, { 'ydb.sdk.enable_discovery': false });
await driver.ready();
const stores = ydbStoresOn(driver);
const readClient = new YdbClient(driver);
const ref = buildReference(inputs.references);
const objects = new FileObjectStore();
const clock = { nowMs: () => Date.parse('2023-03-13T09:00:00Z') };
const ds = inputs.files['nat-utf8']!;
const mark = () => wire.calls.length;
const since = (at: number) => {
  const calls = wire.calls.slice(at);
  if (process.env.BENCH_YDB_TRACE) {
    for (const c of calls) process.stderr.write(`${c.method} ${c.requestBytes} B → ${c.responseBytes} B, ${c.resultRows} rows, ${ru(wire, c)} RU ${c.query?.text.split('\n').find((l) => !l.startsWith('DECLARE'))?.slice(0, 60) ?? c.bulk?.table ?? ''}\n`);
    process.stderr.write('--\n');
  }
  return figures(wire, calls);
};

async function region(code: string) {
  const k = `uploads/${code}/${FILE_NAME}.csv`;
  objects.add('bench', k, join(ds.split, `${code}.csv`));
  const at = mark();
  const r = await ingestObject(
    {
      objects, ledger: stores.ledger, snapshots: stores.snapshots, periodChanged: { publish: async () => undefined }, clock, log: silent,
      settings: { uploadPrefix: 'uploads/', reportPrefix: 'reports/', defaultRegion: null, bufferBytes: 32 << 20, minLeaseMs: 30_000, maxLeaseMs: 300_000, stageBatchRows: 1000 },
      mapHeaders: ref.mapHeaders, matchers: ref.matchers, knownRegions: ref.knownRegions,
    },
    { bucket: 'bench', key: k, remainingMs: 600_000 },
  );
  if (r.kind !== 'ingested') throw new Error(`${k}: ${r.kind}`);
  const ingest = { ...since(at), rows: r.report.rows.accepted, status: r.report.status };
  const aggregates = [];
  for (const ev of r.changed) {
    const a = mark();
    await aggregatePeriod(
      { snapshots: stores.snapshots, aggregates: stores.aggregates, alerts: stores.alerts, sink: { publish: async () => undefined }, targets: defaultTargets().config, municipalities: ref.municipalities, clock },
      ev,
    );
    aggregates.push(since(a));
  }
  return { region: code, ingest, aggregates };
}

async function apiRequest(code: string) {
  const API_KEY = 'rk_bench_reader_0123456789abcdef';
  const deps: ApiDeps = {
    read: new YdbReadModel(readClient),
    keys: [{ name: 'bench-reader', role: 'reader', sha256: hashApiKey(API_KEY) }],
    targets: defaultTargets().config,
    regions: new Map([...ref.municipalities].map(([c, r]) => [c, { code: c, name: r.region.name, municipalities: r.municipalities }])),
    defaultRegion: code,
    dashboard: null,
    log: silent,
    cache: new ResponseCache(),
  };
  const path = `/v1/regions/${code}/periods/${PERIOD.start}..${PERIOD.end}`;
  // the event the local HTTP adapter builds for a GET, as bench/api.ts probes the API
  const probe = Object.assign(new PassThrough(), {
    url: path, method: 'GET', rawHeaders: ['Host', '127.0.0.1', 'X-API-Key', API_KEY], headers: { host: '127.0.0.1', 'x-api-key': API_KEY },
    socket: { remoteAddress: '127.0.0.1' },
  }) as unknown as IncomingMessage;
  const event = eventFromRequest(probe, Buffer.alloc(0));
  const at = mark();
  const res = (await apiHandler(event, { requestId: 'bench', functionName: 'api', getRemainingTimeInMillis: () => 60_000 }, deps)) as { statusCode: number; body: string };
  if (res.statusCode !== 200) throw new Error(`the API answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  return { path, bodyBytes: res.body.length, ...since(at) };
}

// the national region: the largest per-region file of the national export (or the one named)
const largest = readdirSync(ds.split)
  .filter((f) => f.endsWith('.csv') && f !== '26.csv')
  .sort((a, b) => statSync(join(ds.split, b)).size - statSync(join(ds.split, a)).size)[0]!
  .slice(0, -4);
const t0 = performance.now();
const seed = await region('26');
const api = await apiRequest('26');
const national = await region(regionArg || largest);
await readClient.close();
await wire.idle();
driver.close();
await wire.close();
process.stdout.write(`${JSON.stringify({ variant: 'ydb:cost', ms: performance.now() - t0, seed, national, api, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
