// What an upload and each API route the dashboard uses cost on YDB with 7, 52 and 104 weeks
// of history stored for the seed region (26): `ydb-history <manifest> <workdir>`. The YDB
// adapters run on a real @ydbjs Driver against the executing wire double (test/ydb-wire),
// which counts what each statement reads (bench/ydb-figures.ts prices it). Per weeks: the seed region's weekly file is ingested and aggregated
// (its period is the newest), weeks − 1 earlier weeks are written through the aggregate store
// (the period's rows with their dates moved), then a second upload of the week is measured,
// and each route twice on a fresh API instance: cold (new session, empty response cache) and
// warm (the same request again). Writes bench/.out/ydb-history.json and prints one JSON line.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
import { handleApiRequest, type ApiDeps } from '../shared/api/app.ts';
import { hashApiKey } from '../shared/api/auth.ts';
import { ResponseCache } from '../shared/api/response-cache.ts';
import type { AggregateRow } from '../shared/domain/metrics.ts';
import type { Period } from '../shared/domain/schemas.ts';
import { startYdbWire } from '../test/ydb-wire/server.ts';
import { FileObjectStore } from './object-store.ts';
import { FILE_NAME, PERIOD, type Inputs } from './gen.ts';
import { figures, type Figures } from './ydb-figures.ts';

const root = new URL('.', import.meta.url).pathname.replace(/bench\/(\.out\/)?$/, '');
const [manifestPath = ''] = process.argv.slice(2);
const inputs = JSON.parse(readFileSync(manifestPath, 'utf8')) as Inputs;
const REGION = '26';
const WEEKS = (process.env.BENCH_HISTORY_WEEKS ?? '7,52,104').split(',').map(Number);
const API_KEY = 'rk_bench_reader_0123456789abcdef';
const DAY = 86_400_000;
const shift = (iso: string, weeks: number) => new Date(Date.parse(`${iso}T00:00:00Z`) - weeks * 7 * DAY).toISOString().slice(0, 10);

export type HistoryFigure = {
  route: string;
  weeks: number;
  round_trips: number;
  rows_read: number;
  bytes_read: number;
  ru: number;
  round_trips_cold: number;
  rows_read_cold: number;
  bytes_read_cold: number;
  ru_cold: number;
};

const ref = buildReference(inputs.references);
const ds = inputs.files['nat-utf8']!;
// a clock that moves: the second upload of the week is acquired later, so it is the newer one
let tick = 0;
const clock = { nowMs: () => Date.parse('2023-03-13T09:00:00Z') + tick++ * 1000 };

async function scenario(weeks: number) {
  const wire = await startYdbWire({ migrationsDir: join(root, 'infra', 'ydb', 'migrations') });
  const driver = new Driver(wire.connectionString, { 'ydb.sdk.enable_discovery': false });
  await driver.ready();
  const stores = ydbStoresOn(driver);
  const objects = new FileObjectStore();
  const since = (at: number): Figures => figures(wire, wire.calls.slice(at));

  const upload = async (name: string) => {
    const k = `uploads/${REGION}/${name}.csv`;
    objects.add('bench', k, join(ds.split, `${REGION}.csv`));
    const at = wire.calls.length;
    const r = await ingestObject(
      pipelineOn(stores, objects, ref, clock).ingest,
      { bucket: 'bench', key: k, remainingMs: 600_000 },
    );
    if (r.kind !== 'ingested') throw new Error(`${k}: ${r.kind}`);
    const ingest = since(at);
    const a = wire.calls.length;
    for (const ev of r.changed) {
      await aggregatePeriod(
        pipelineOn(stores, objects, ref, clock).aggregate,
        ev,
      );
    }
    return { ingest, aggregate: since(a), uploadId: r.report.upload_id };
  };

  const first = await upload(FILE_NAME);
  // weeks − 1 earlier weeks: the period's rows, dated back (what the aggregate would have written)
  const rows = await stores.aggregates.readPeriod(REGION, PERIOD);
  for (let w = weeks - 1; w >= 1; w--) {
    const p: Period = { start: shift(PERIOD.start, w), end: shift(PERIOD.end, w) };
    await stores.aggregates.replacePeriod(REGION, p, rows.map((r): AggregateRow => ({ ...r, period: p })));
  }
  const second = await upload(`${FILE_NAME}-again`);

  const regions = new Map([...ref.municipalities].map(([c, r]) => [c, { code: c, name: r.region.name, municipalities: r.municipalities }]));
  const routes: [string, string, Record<string, string>][] = [
    ['/v1/regions/{region}/periods', `/v1/regions/${REGION}/periods`, {}],
    ['/v1/regions/{region}/periods/{period}', `/v1/regions/${REGION}/periods/${PERIOD.start}..${PERIOD.end}`, {}],
    ['/v1/regions/{region}/timeseries', `/v1/regions/${REGION}/timeseries`, { metric: 'schools_in_sferum_share', scope: 'region' }],
    ['/v1/regions/{region}/inactive-schools', `/v1/regions/${REGION}/inactive-schools`, { from: PERIOD.start, to: PERIOD.start }],
    ['/v1/uploads', '/v1/uploads', { limit: '20' }],
    ['/v1/uploads/{id}', `/v1/uploads/${second.uploadId}`, {}],
  ];
  const out: (HistoryFigure & { byMethodCold: Record<string, number>; byMethod: Record<string, number> })[] = [];
  const row = (route: string, warm: Figures, cold: Figures) => ({
    route, weeks,
    round_trips: warm.roundTrips, rows_read: warm.rowsRead, bytes_read: warm.bytesRead, ru: warm.ruEstimate,
    round_trips_cold: cold.roundTrips, rows_read_cold: cold.rowsRead, bytes_read_cold: cold.bytesRead, ru_cold: cold.ruEstimate,
    byMethod: warm.byMethod, byMethodCold: cold.byMethod,
  });
  out.push(row('upload', second.ingest, first.ingest));
  const aggregates = { warm: second.aggregate, cold: first.aggregate };
  for (const [route, path, query] of routes) {
    // a fresh API instance: its own session and an empty response cache
    const client = new YdbClient(driver);
    const deps: ApiDeps = {
      read: new YdbReadModel(client),
      keys: [{ name: 'bench', role: 'reader', sha256: hashApiKey(API_KEY) }],
      targets: defaultTargets().config,
      regions,
      defaultRegion: REGION,
      dashboard: null,
      log: silent,
      cache: new ResponseCache(),
    };
    const call = async () => {
      const at = wire.calls.length;
      const res = await handleApiRequest({ method: 'GET', path, query, headers: { 'x-api-key': API_KEY }, requestId: 'bench' }, deps);
      if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      return since(at);
    };
    const cold = await call();
    const warm = await call();
    out.push(row(route, warm, cold));
    await client.close();
  }
  await wire.idle();
  driver.close();
  await wire.close();
  return { figures: out, aggregate: { weeks, ...aggregates } };
}

const t0 = performance.now();
const all = [];
const aggregates = [];
for (const w of WEEKS) {
  const s = await scenario(w);
  all.push(...s.figures);
  aggregates.push(s.aggregate);
}
const outDir = join(root, 'bench', '.out');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'ydb-history.json'),
  `${JSON.stringify(all.map(({ byMethod: _b, byMethodCold: _c, ...f }) => f), null, 2)}\n`,
);
process.stdout.write(`${JSON.stringify({ variant: 'ydb:history', ms: performance.now() - t0, history: all, aggregates, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
