// Test helper: a SQLite store filled through the real ingest and aggregate handlers from
// the bundled samples, and the api function's dependencies over it (a SqliteReadModel on
// its own connection, keys for each role, the dashboard compiled from source on demand).
import { readFileSync } from 'node:fs';
import { aggregateHandler } from '../../functions/aggregate/handler.ts';
import { apiHandler } from '../../functions/api/handler.ts';
import { ingestHandler } from '../../functions/ingest/handler.ts';
import { buildDashboard } from '../../scripts/dashboard.mjs';
import type { ApiDeps } from '../../shared/api/app.ts';
import { hashApiKey, type ApiKeyEntry } from '../../shared/api/auth.ts';
import { SqliteAggregateStore } from '../../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../../shared/adapters/sqlite/alert-store.ts';
import { SqliteReadModel } from '../../shared/adapters/sqlite/read-model.ts';
import { ResponseCache } from '../../shared/api/response-cache.ts';
import { dashboardAssets, type DashboardAssets } from '../../shared/api/pages/assets.ts';
import type { PeriodChanged } from '../../shared/domain/schemas.ts';
import { defaultTargets } from '../../shared/domain/targets.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import { buildReference } from '../../shared/runtime/reference.ts';
import { CollectingSink } from './aggregate.ts';
import { functionContext, loadEvent } from './events.ts';
import { v1Event } from './http-events.ts';
import { capturedLogger } from './logs.ts';
import { startIngestEnv, type IngestEnv } from './ingest-env.ts';
import { checkedHandler, specChecker } from './openapi.ts';
import { REPO_ROOT as root } from './paths.ts';

export const KEYS = { reader: 'rk_test_reader_0123456789abcdef', dashboard: 'dk_test_dashboard_0123456789abcdef' } as const;

export const TEST_KEYS: readonly ApiKeyEntry[] = [
  { name: 'ci-reader', role: 'reader', sha256: hashApiKey(KEYS.reader) },
  { name: 'ci-dashboard', role: 'dashboard', sha256: hashApiKey(KEYS.dashboard) },
];

const samplesDir = `${root}events/samples/`;
type Manifest = { prefix: string; files: { name: string; valid_rows: number }[] };

let compiled: Promise<DashboardAssets> | undefined;
/** The dashboard compiled from source once per test file (esbuild, as the build does). */
export function sourceDashboard(): Promise<DashboardAssets> {
  return (compiled ??= buildDashboard({ root, minify: false }).then(dashboardAssets));
}

export function queueEvent(bodies: readonly PeriodChanged[], tag: string) {
  return {
    messages: bodies.map((b, i) => ({
      event_metadata: { event_id: `${tag}-${i}`, event_type: 'yandex.cloud.events.messagequeue.QueueMessage', created_at: '2023-04-10T09:00:00Z' },
      details: { queue_id: 'yrn:yc:ymq:ru-central1:b1g:period-changed', message: { message_id: `${tag}-${i}`, body: JSON.stringify(b) } },
    })),
  };
}

export type SampleStore = {
  env: IngestEnv;
  aggregateDeps: Parameters<typeof aggregateHandler>[2];
  /** runs the aggregate function for a PeriodChanged, as the queue trigger would */
  aggregate(change: PeriodChanged, tag?: string): Promise<void>;
  changes: PeriodChanged[];
};

/** Every sample file through ingest, each PeriodChanged through aggregate, in manifest order. */
export async function loadSamples(): Promise<SampleStore> {
  const env = await startIngestEnv();
  const manifest = JSON.parse(readFileSync(`${samplesDir}manifest.json`, 'utf8')) as Manifest;
  const aggregateDeps = {
    snapshots: env.snapshots,
    aggregates: new SqliteAggregateStore(env.db),
    alerts: new SqliteAlertStore(env.db),
    sink: new CollectingSink(),
    targets: defaultTargets().config,
    municipalities: buildReference().municipalities,
    clock: { nowMs: () => Date.parse('2023-04-10T09:00:00Z') },
    log: env.logs.log,
  };
  let n = 0;
  const aggregate = async (change: PeriodChanged, tag = `agg-${n++}`) => {
    await aggregateHandler(queueEvent([change], tag), functionContext(), aggregateDeps);
  };
  for (const f of manifest.files) {
    await env.upload(`${manifest.prefix}${f.name}`, readFileSync(`${samplesDir}${f.name}`));
    const from = env.published.length;
    await ingestHandler(loadEvent(`samples/events/${f.name}.json`), functionContext(), env.deps());
    assertIngested(env.logs.lines, `${manifest.prefix}${f.name}`, f.valid_rows);
    for (const change of env.published.slice(from)) await aggregate(change);
  }
  return { env, aggregateDeps, aggregate, changes: [...env.published] };
}

export function apiDeps(dbPath: string, over: Partial<ApiDeps> & { log?: Logger } = {}): ApiDeps & { read: SqliteReadModel; logs: ReturnType<typeof capturedLogger> } {
  const logs = capturedLogger();
  const ref = buildReference();
  return {
    read: new SqliteReadModel(dbPath),
    keys: TEST_KEYS,
    targets: defaultTargets().config,
    regions: new Map([...ref.municipalities].map(([code, r]) => [code, { code, name: r.region.name, municipalities: r.municipalities }])),
    defaultRegion: '26',
    dashboard: null,
    log: logs.log,
    // as the deployed function has it, so the consistency tests cover reuse too
    cache: new ResponseCache(),
    logs,
    ...over,
  } as ApiDeps & { read: SqliteReadModel; logs: ReturnType<typeof capturedLogger> };
}

export { v01Event, v1Event } from './http-events.ts';

export type SamplesApi = {
  store: SampleStore;
  deps: ReturnType<typeof apiDeps>;
  /** a GET through the api function as API Gateway sends it (payload 1.0), its answer checked against the OpenAPI spec */
  get(path: string, query?: Record<string, string>, key?: string): ReturnType<typeof apiHandler>;
  close(): Promise<void>;
};

/** The samples loaded and the api function over them: a test file's `beforeAll`, `close` its `afterAll`. */
export async function samplesApi(over: Partial<ApiDeps> = {}): Promise<SamplesApi> {
  const spec = await specChecker();
  const store = await loadSamples();
  const deps = apiDeps(store.env.dbPath, over);
  const handler = checkedHandler(spec, (e) => apiHandler(e, functionContext(), deps));
  return {
    store,
    deps,
    get: (path, query = {}, key = KEYS.reader) => handler(v1Event(path, { query, headers: { 'X-API-Key': key } })),
    close: async () => {
      deps.read.close();
      await store.env[Symbol.asyncDispose]();
    },
  };
}

/**
 * Every sample must be ingested with all its valid rows before any test reads the store: an
 * ingest that ended otherwise (failed, rejected) would leave the later tables silently short,
 * so the loader stops there and names the upload and what its log said.
 */
function assertIngested(lines: readonly string[], key: string, validRows: number): void {
  const own = lines.map((l) => JSON.parse(l) as { msg: string; key?: string; accepted?: number }).filter((e) => e.key === key);
  const done = own.find((e) => e.msg === 'ingest.completed');
  if (done?.accepted !== validRows) {
    throw new Error(`sample ${key} was not ingested whole (expected ${validRows} rows): ${JSON.stringify(own)}`);
  }
}

