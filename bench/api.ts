// Read API load: `api <mode> <manifest> <workdir>` where mode is `bare` (a node:http server
// answering the period endpoint's JSON body) or `api` (the project's API, when it exists).
// The server runs in this process; the load runs in a separate child (bench/load.ts) so
// client and server are measured the way a real client sees them: 50 keep-alive
// connections on 127.0.0.1, bounded by request count and time.
import { createServer } from 'node:http';
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../shared/adapters/sqlite/database.ts';
import { SqliteSnapshotStore, SqliteUploadLedger } from '../shared/adapters/sqlite/snapshot-store.ts';
import { SqliteAggregateStore } from '../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../shared/adapters/sqlite/alert-store.ts';
import { buildReference } from '../shared/runtime/reference.ts';
import { defaultTargets } from '../shared/domain/targets.ts';
import { ingestObject } from '../shared/usecases/ingest-object.ts';
import { aggregatePeriod } from '../shared/usecases/aggregate-period.ts';
import type { Logger } from '../shared/ports/logger.ts';
import { FileObjectStore } from './object-store.ts';
import { FILE_NAME, PERIOD, type Inputs } from './gen.ts';

const [mode = 'bare', manifestPath = '', workdir = '/tmp', loadScript = '', requests = '20000', seconds = '10', connections = '50'] = process.argv.slice(2);
const inputs = JSON.parse(readFileSync(manifestPath, 'utf8')) as Inputs;
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** Region 26's aggregates for the bench period, in a fresh SQLite file: the data the endpoint serves. */
async function seed(dbPath: string) {
  const db = openDatabase(dbPath);
  const ref = buildReference(inputs.references);
  const objects = new FileObjectStore();
  const key = `uploads/26/${FILE_NAME}.csv`;
  objects.add('bench', key, join(inputs.files['nat-utf8']!.split, '26.csv'));
  const snapshots = new SqliteSnapshotStore(db);
  const aggregates = new SqliteAggregateStore(db);
  const clock = { nowMs: () => Date.parse('2023-03-13T09:00:00Z') };
  const r = await ingestObject(
    {
      objects,
      ledger: new SqliteUploadLedger(db),
      snapshots,
      periodChanged: { publish: async () => undefined },
      clock,
      log: silent,
      settings: { uploadPrefix: 'uploads/', reportPrefix: 'reports/', defaultRegion: null, bufferBytes: 32 << 20, minLeaseMs: 30_000, maxLeaseMs: 300_000, stageBatchRows: 1000 },
      mapHeaders: ref.mapHeaders,
      matchers: ref.matchers,
      knownRegions: ref.knownRegions,
    },
    { bucket: 'bench', key, remainingMs: 60_000 },
  );
  if (r.kind !== 'ingested') throw new Error('seed failed');
  for (const ev of r.changed) {
    await aggregatePeriod({ snapshots, aggregates, alerts: new SqliteAlertStore(db), sink: { publish: async () => undefined }, targets: defaultTargets().config, municipalities: ref.municipalities, clock }, ev);
  }
  return { db, aggregates };
}

const dir = mkdtempSync(join(workdir, 'api-'));
const { db, aggregates } = await seed(join(dir, 'pulse.sqlite'));
const path = `/v1/regions/26/periods/${PERIOD.start}..${PERIOD.end}`;
let server: { port: number; close: () => Promise<void> };

if (mode === 'bare') {
  // What the endpoint answers, computed once: the floor for any JSON API on node:http.
  const body = JSON.stringify({ region: '26', period: PERIOD, rows: await aggregates.readPeriod('26', PERIOD) });
  const s = createServer((req, res) => {
    if (req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  server = { port: (s.address() as { port: number }).port, close: () => new Promise((r) => s.close(() => r())) };
} else {
  if (!existsSync(new URL('../shared/api/http-adapter.ts', import.meta.url))) {
    process.stdout.write(`${JSON.stringify({ variant: `api:${mode}`, pending: true })}\n`);
    process.exit(0);
  }
  throw new Error('the API adapter exists: wire it here (bench/api.ts) once its interface is settled');
}

const child = fork(loadScript, [`http://127.0.0.1:${server.port}${path}`, requests, seconds, connections], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
let outText = '';
child.stdout!.on('data', (d: Buffer) => (outText += d.toString()));
await new Promise((r) => child.on('exit', r));
await server.close();
db.close();
rmSync(dir, { recursive: true, force: true });
const result = JSON.parse(outText.trim().split('\n').at(-1)!) as Record<string, unknown>;
process.stdout.write(`${JSON.stringify({ variant: `api:${mode}`, ...result, serverMaxRssKiB: process.resourceUsage().maxRSS })}\n`);
