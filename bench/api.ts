// Read API load: `api <mode> <manifest> <workdir> <load.mjs> <requests> <seconds> <connections>`
// where mode is `bare` (a node:http server answering the period endpoint's JSON body), `api`
// (the project's API: the `api` function's handler behind the local node:http ↔ API
// Gateway payload 1.0 adapter, reading through a SqliteReadModel on its own connection to
// the seeded file, with an API key check) or `ydb` (the same API on the YDB read model: a
// real @ydbjs Driver to the executing wire double, test/ydb-wire, in a process of its own as
// YDB is remote to the function (bench/ydb-wire-serve.ts), seeded
// through the YDB stores; its response cache on, so a repeat is the region's read token, one
// round trip shared by the requests in flight, FreshReads). The bare server answers exactly the bytes the
// real API returns for the same path (taken from the API once, in-process, before the
// load), so the two differ only in what the API does per request.
// The server runs in this process; the load runs in a separate child (bench/load.mjs) so
// client and server are measured the way a real client sees them: keep-alive connections
// on 127.0.0.1, bounded by request count and time. Both servers get the same key header.
import { createServer, get, type IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { openDatabase } from '../shared/adapters/sqlite/database.ts';
import { SqliteSnapshotStore } from '../shared/adapters/sqlite/snapshot-store.ts';
import { SqliteUploadLedger } from '../shared/adapters/sqlite/upload-ledger.ts';
import { SqliteAggregateStore } from '../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../shared/adapters/sqlite/alert-store.ts';
import { buildReference } from '../shared/runtime/reference.ts';
import { defaultTargets } from '../shared/domain/targets.ts';
import { ingestObject } from '../shared/usecases/ingest-object.ts';
import { aggregatePeriod } from '../shared/usecases/aggregate-period.ts';
import { pipelineOn, silent, type BenchStores } from './pipeline.ts';
import { SqliteReadModel } from '../shared/adapters/sqlite/read-model.ts';
import { Driver } from '@ydbjs/core';
import { ydbStoresOn } from '../shared/adapters/ydb/index.ts';
import { YdbClient } from '../shared/adapters/ydb/client.ts';
import { YdbReadModel } from '../shared/adapters/ydb/read-model.ts';
import type { ReadModel } from '../shared/ports/read-model.ts';
import type { ApiDeps } from '../shared/api/app.ts';
import { hashApiKey } from '../shared/api/auth.ts';
import { ResponseCache } from '../shared/api/response-cache.ts';
import { eventFromRequest, listenApi } from '../infra/local/http-adapter.ts';
import { apiHandler } from '../functions/api/handler.ts';
import { FileObjectStore } from './object-store.ts';
import { FILE_NAME, PERIOD, type Inputs } from './gen.ts';

const [mode = 'bare', manifestPath = '', workdir = '/tmp', loadScript = '', requests = '20000', seconds = '10', connections = '50'] = process.argv.slice(2);
const inputs = JSON.parse(readFileSync(manifestPath, 'utf8')) as Inputs;

const ref = buildReference(inputs.references);

/** Region 26's aggregates for the bench period, written by the ingest and aggregate use cases on `stores`: the data the endpoint serves. */
async function seed(stores: BenchStores) {
  const objects = new FileObjectStore();
  const key = `uploads/26/${FILE_NAME}.csv`;
  objects.add('bench', key, join(inputs.files['nat-utf8']!.split, '26.csv'));
  const pipeline = pipelineOn(stores, objects, ref, { nowMs: () => Date.parse('2023-03-13T09:00:00Z') });
  const r = await ingestObject(pipeline.ingest, { bucket: 'bench', key, remainingMs: 60_000 });
  if (r.kind !== 'ingested') throw new Error('seed failed');
  for (const ev of r.changed) await aggregatePeriod(pipeline.aggregate, ev);
}

/** The read model the API reads, seeded: a SQLite file, or YDB through the wire double. */
async function readModel(): Promise<{ read: ReadModel; close: () => Promise<void> }> {
  if (mode === 'ydb') {
    // the double in a process of its own (bench/ydb-wire-serve.ts, bundled beside this one)
    const root = new URL('.', import.meta.url).pathname.replace(/bench\/(\.out\/)?$/, '');
    const wire = spawn(process.execPath, [join(root, 'bench', '.out', 'ydb-wire-serve.mjs'), root], { stdio: ['pipe', 'pipe', 'inherit'] });
    const first = await new Promise<string>((resolve, reject) => {
      let text = '';
      wire.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) resolve(text.split('\n')[0]!);
      });
      wire.on('exit', (code) => reject(new Error(`the wire double exited (${code}) before it listened`)));
    });
    const { connectionString } = JSON.parse(first) as { connectionString: string };
    const driver = new Driver(connectionString, { 'ydb.sdk.enable_discovery': false });
    await driver.ready();
    await seed(ydbStoresOn(driver));
    // the API's own client, as the function has its own sessions
    const client = new YdbClient(driver);
    return {
      read: new YdbReadModel(client),
      async close() {
        await client.close();
        driver.close();
        const exited = new Promise((r) => wire.once('exit', r));
        wire.stdin.end();
        await exited;
      },
    };
  }
  const dir = mkdtempSync(join(workdir, 'api-'));
  const dbPath = join(dir, 'pulse.sqlite');
  const db = openDatabase(dbPath);
  await seed({ ledger: new SqliteUploadLedger(db), snapshots: new SqliteSnapshotStore(db), aggregates: new SqliteAggregateStore(db), alerts: new SqliteAlertStore(db) });
  const read = new SqliteReadModel(dbPath);
  return {
    read,
    async close() {
      read.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const { read, close: closeRead } = await readModel();
const path = `/v1/regions/26/periods/${PERIOD.start}..${PERIOD.end}`;
const API_KEY = 'rk_bench_reader_0123456789abcdef';
const deps: ApiDeps = {
  read,
  keys: [{ name: 'bench-reader', role: 'reader', sha256: hashApiKey(API_KEY) }],
  targets: defaultTargets().config,
  regions: new Map([...ref.municipalities].map(([code, r]) => [code, { code, name: r.region.name, municipalities: r.municipalities }])),
  defaultRegion: '26',
  dashboard: null,
  log: silent,
  // as shared/runtime/wiring.ts builds it for the deployed function
  cache: new ResponseCache(),
};
const context = { requestId: 'bench', functionName: 'api', getRemainingTimeInMillis: () => 60_000 };
const invoke = (event: unknown) => apiHandler(event, context, deps);

// The body the API answers for the path: one in-process call through the same event shape
// the adapter builds. The bare server serves these bytes; the API must serve them too.
const probe = Object.assign(new PassThrough(), {
  url: path,
  method: 'GET',
  rawHeaders: ['Host', '127.0.0.1', 'X-API-Key', API_KEY],
  headers: { host: '127.0.0.1', 'x-api-key': API_KEY },
  socket: { remoteAddress: '127.0.0.1' },
}) as unknown as IncomingMessage;
const reference = (await invoke(eventFromRequest(probe, Buffer.alloc(0)))) as { statusCode: number; body: string; headers: Record<string, string> };
if (reference.statusCode !== 200) throw new Error(`the API answered ${reference.statusCode} for ${path}: ${reference.body.slice(0, 300)}`);
const body = Buffer.from(reference.body, 'utf8');
let server: { port: number; close: () => Promise<void> };

if (mode === 'bare') {
  // The floor for any JSON API on node:http: the same bytes, computed once.
  const s = createServer((req, res) => {
    if (req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': reference.headers['Content-Type'] ?? 'application/json', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  server = { port: (s.address() as { port: number }).port, close: () => new Promise((r) => s.close(() => r())) };
} else if (mode === 'api' || mode === 'ydb') {
  const api = await listenApi(invoke);
  server = { port: Number(new URL(api.url).port), close: () => api.close() };
} else {
  throw new Error(`unknown api mode ${mode}`);
}

// One request over HTTP before the load, in both modes: the server must answer the reference bytes.
const check = await new Promise<{ status: number; bytes: Buffer }>((resolve, reject) => {
  get({ host: '127.0.0.1', port: server.port, path, agent: false, headers: { 'X-API-Key': API_KEY } }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (d: Buffer) => chunks.push(d));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks) }));
  }).on('error', reject);
});
if (check.status !== 200 || !check.bytes.equals(body)) throw new Error(`api:${mode} answered ${check.status} with ${check.bytes.length} bytes, not the ${body.length}-byte reference body`);

// BENCH_CPU_PROF=<file>: a CPU profile of this (server) process during the load only,
// without the seeding and module loading (summarise it with bench/profile-summary.mjs).
const profile = process.env.BENCH_CPU_PROF ? new Session() : null;
if (profile) {
  profile.connect();
  await profile.post('Profiler.enable');
  await profile.post('Profiler.start');
}
// the server process's own CPU per request (the load's 200 warm-up requests included): with
// `ydb`, what the API spends on its YDB calls, apart from the double's process
const cpu0 = process.cpuUsage();
const child = fork(loadScript, [`http://127.0.0.1:${server.port}${path}`, requests, seconds, connections, `X-API-Key: ${API_KEY}`], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
let outText = '';
child.stdout!.on('data', (d: Buffer) => (outText += d.toString()));
await new Promise((r) => child.on('exit', r));
const used = process.cpuUsage(cpu0);
if (profile) {
  const { profile: cpu } = await profile.post('Profiler.stop');
  writeFileSync(process.env.BENCH_CPU_PROF!, JSON.stringify(cpu));
  profile.disconnect();
}
await server.close();
await closeRead();
const result = JSON.parse(outText.trim().split('\n').at(-1)!) as Record<string, unknown>;
const served = (result.requests as number) + 200;
process.stdout.write(`${JSON.stringify({ variant: `api:${mode}`, ...result, serverCpuMsPerRequest: (used.user + used.system) / 1000 / served, serverMaxRssKiB: process.resourceUsage().maxRSS })}\n`);
