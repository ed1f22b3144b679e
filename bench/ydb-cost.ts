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
import { buildReference } from '../shared/runtime/reference.ts';
import { defaultTargets } from '../shared/domain/targets.ts';
import { ingestObject } from '../shared/usecases/ingest-object.ts';
import { aggregatePeriod } from '../shared/usecases/aggregate-period.ts';
import { pipelineOn, silent } from './pipeline.ts';
import type { ApiDeps } from '../shared/api/app.ts';
import { hashApiKey } from '../shared/api/auth.ts';
import { ResponseCache } from '../shared/api/response-cache.ts';
import { eventFromRequest } from '../infra/local/http-adapter.ts';
import { apiHandler } from '../functions/api/handler.ts';
import { startYdbWire } from '../test/ydb-wire/server.ts';
import { figures, ru } from './ydb-figures.ts';
import { FileObjectStore } from './object-store.ts';
import { FILE_NAME, PERIOD, type Inputs } from './gen.ts';

// run from bench/ (tsx) or from its bundle in bench/.out/
const root = new URL('.', import.meta.url).pathname.replace(/bench\/(\.out\/)?$/, '');
const [manifestPath = '', , regionArg = ''] = process.argv.slice(2);
const inputs = JSON.parse(readFileSync(manifestPath, 'utf8')) as Inputs;

// ---- the scenarios ----

const wire = await startYdbWire({ migrationsDir: join(root, 'infra', 'ydb', 'migrations') });
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
    pipelineOn(stores, objects, ref, clock).ingest,
    { bucket: 'bench', key: k, remainingMs: 600_000 },
  );
  if (r.kind !== 'ingested') throw new Error(`${k}: ${r.kind}`);
  const ingest = { ...since(at), rows: r.report.rows.accepted, status: r.report.status };
  const aggregates = [];
  for (const ev of r.changed) {
    const a = mark();
    await aggregatePeriod(
      pipelineOn(stores, objects, ref, clock).aggregate,
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
