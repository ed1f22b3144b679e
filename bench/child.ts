// One measurement in one fresh process: `child <variant> <manifest.json> <workdir>`.
// Prints one JSON line: {ms, rows, bytes, maxRssKiB, ...}. The time covers the work only
// (not Node's start-up or module loading); maxRSS is the whole process's peak.
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../shared/adapters/sqlite/database.ts';
import { SqliteSnapshotStore } from '../shared/adapters/sqlite/snapshot-store.ts';
import { SqliteUploadLedger } from '../shared/adapters/sqlite/upload-ledger.ts';
import { SqliteAggregateStore } from '../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../shared/adapters/sqlite/alert-store.ts';
import { readCsv } from '../shared/formats/csv/reader.ts';
import type { ByteSource } from '../shared/formats/raw-table.ts';
import { buildReference } from '../shared/runtime/reference.ts';
import { defaultTargets } from '../shared/domain/targets.ts';
import { ingestObject, type IngestDeps } from '../shared/usecases/ingest-object.ts';
import { aggregatePeriod, type AggregateDeps } from '../shared/usecases/aggregate-period.ts';
import type { Logger } from '../shared/ports/logger.ts';
import type { PeriodChanged } from '../shared/domain/schemas.ts';
import { FileObjectStore } from './object-store.ts';
import { CountingAggregates, CountingLedger, CountingSnapshots, type WriteCounter } from './counting.ts';
import { FILE_NAME } from './gen.ts';
import type { Inputs } from './gen.ts';

const [variant = '', manifestPath = '', workdir = '/tmp'] = process.argv.slice(2);
const inputs = JSON.parse(readFileSync(manifestPath, 'utf8')) as Inputs;
const [kind, dsName = ''] = variant.split(':');
const ds = inputs.files[dsName];
if (!ds) throw new Error(`unknown dataset ${dsName}`);

const MiB = 1024 * 1024;
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

function fileSource(path: string): ByteSource {
  return () => createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array>;
}

function out(r: Record<string, unknown>) {
  process.stdout.write(`${JSON.stringify({ variant, ...r, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
}

async function floor() {
  const t0 = performance.now();
  let n = 0;
  for await (const c of fileSource(ds!.path)()) n += c.length;
  out({ ms: performance.now() - t0, rows: ds!.rows, bytes: n });
}

async function parse() {
  const t0 = performance.now();
  const { table } = await readCsv(fileSource(ds!.path), { file: ds!.path, encoding: ds!.encoding, limits: { maxBytes: 1024 * MiB } });
  let rows = 0;
  let cells = 0;
  for await (const r of table.rows) {
    rows++;
    cells += r.cells.length;
  }
  out({ ms: performance.now() - t0, rows, bytes: ds!.bytes, cells });
}

async function duck(threads: number) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const dir = mkdtempSync(join(workdir, 'duck-'));
  const t0 = performance.now();
  const inst = await DuckDBInstance.create(join(dir, 'analyst.duckdb'), { threads: String(threads) });
  const conn = await inst.connect();
  // What an analyst writes instead: every cell as text, the same normalisations in SQL
  // (NBSP/space thousands separators, да/нет, the period text → two dates), a persisted
  // table, then the region and municipality aggregates.
  const num = (c: string) => `TRY_CAST(regexp_replace("${c}", '[\\s\\x{00A0}]', '', 'g') AS BIGINT)`;
  const yes = (c: string) => `CASE lower(trim("${c}")) WHEN 'да' THEN true WHEN 'нет' THEN false END`;
  const [enc] = ds!.encoding === 'windows-1251' ? [`, encoding='latin-1'`] : [''];
  await conn.run(`CREATE TABLE schools AS
    SELECT "Регион" AS region, "Муниципалитет" AS municipality, "Наименование ОО" AS school_name,
           "ИНН" AS inn, "КПП" AS kpp,
           strptime(split_part(split_part("Период", '-', 1), '.', 1) || '.' || split_part(split_part("Период", '-', 1), '.', 2) || '.' || split_part("Период", '.', -1), '%d.%m.%Y')::DATE AS period_start,
           strptime(split_part("Период", '-', 2), '%d.%m.%Y')::DATE AS period_end,
           ${yes('В Сфере')} AS in_sferum, ${yes('Администратор активен')} AS admin_active,
           ${num('Педагогов всего')} AS teachers_total, ${num('Педагогов в Сфере')} AS teachers_in_sferum,
           ${num('Обучающихся всего')} AS students_total, ${num('Обучающихся в Сфере')} AS students_in_sferum,
           ${num('Педагогов, создавших ≥1 чат')} AS chat, ${num('Педагогов, написавших ≥3 сообщений за неделю')} AS msg3,
           ${num('Педагогов, написавших ≥10 сообщений за неделю')} AS msg10, ${num('Педагогов, совершивших ≥1 звонок за неделю')} AS calls
    FROM read_csv('${ds!.path}', delim=';', header=true, quote='"', escape='"', all_varchar=true${enc})`);
  const agg = (by: string) => `SELECT ${by}, period_start, period_end, count(*) AS schools,
      count(*) FILTER (WHERE in_sferum) AS schools_in, count(*) FILTER (WHERE in_sferum AND NOT admin_active) AS inactive,
      sum(teachers_total) AS t, sum(teachers_in_sferum) AS ti, sum(students_total) AS s, sum(students_in_sferum) AS si,
      sum(chat) / sum(teachers_total) AS chat_share, sum(msg3) / sum(teachers_total) AS msg3_share,
      sum(msg10) / sum(teachers_total) AS msg10_share, sum(calls) / sum(teachers_total) AS calls_share
    FROM schools GROUP BY ALL`;
  await conn.run(`CREATE TABLE region_agg AS ${agg('region')}`);
  await conn.run(`CREATE TABLE municipality_agg AS ${agg('region, municipality')}`);
  const n = Number((await conn.runAndReadAll('SELECT count(*) FROM schools')).getRows()[0]![0]);
  const m = Number((await conn.runAndReadAll('SELECT count(*) FROM municipality_agg')).getRows()[0]![0]);
  conn.closeSync();
  inst.closeSync();
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  out({ ms, rows: n, bytes: ds!.bytes, municipalities: m });
}

type Env = { db: Db; dbPath: string; dir: string; ingest: IngestDeps; aggregate: AggregateDeps; counter: WriteCounter; objects: FileObjectStore };

function env(production = false): Env {
  const dir = mkdtempSync(join(workdir, 'e2e-'));
  const dbPath = join(dir, 'pulse.sqlite');
  const db = openDatabase(dbPath);
  const ref = buildReference(inputs.references);
  const counter: WriteCounter = { snapshotRows: 0, snapshotBytes: 0, floorRows: 0, floorBytes: 0, pointerRows: 0, pointerBytes: 0, ledgerRows: 0, ledgerBytes: 0, aggregateRows: 0, aggregateBytes: 0, deletedRows: 0 };
  const snapshots = new CountingSnapshots(new SqliteSnapshotStore(db), counter);
  const objects = new FileObjectStore();
  const clock = { nowMs: () => Date.parse('2023-03-13T09:00:00Z') };
  const ingest: IngestDeps = {
    objects,
    ledger: new CountingLedger(new SqliteUploadLedger(db), counter),
    snapshots,
    periodChanged: { publish: async () => undefined },
    clock,
    log: silent,
    settings: {
      uploadPrefix: 'uploads/',
      reportPrefix: 'reports/',
      defaultRegion: null,
      bufferBytes: 32 * MiB,
      minLeaseMs: 30_000,
      maxLeaseMs: 300_000,
      stageBatchRows: Number(process.env.BENCH_STAGE_ROWS ?? 1000), // INGEST_STAGE_BATCH_ROWS's default (shared/runtime/config.ts)
      // the bench's big files exceed the production maxBytes; ingest1 runs with production's
      // limits (BENCH_INGEST_MAX_BYTES lifts its maxBytes, to measure past the limit)
      ...(production ? (process.env.BENCH_INGEST_MAX_BYTES ? { limits: { maxBytes: Number(process.env.BENCH_INGEST_MAX_BYTES) } } : {}) : { limits: { maxBytes: 1024 * MiB } }),
    },
    mapHeaders: ref.mapHeaders,
    matchers: ref.matchers,
    knownRegions: ref.knownRegions,
  };
  const aggregate: AggregateDeps = {
    snapshots,
    aggregates: new CountingAggregates(new SqliteAggregateStore(db), counter),
    alerts: new SqliteAlertStore(db),
    sink: { publish: async () => undefined },
    targets: defaultTargets().config,
    municipalities: ref.municipalities,
    clock,
  };
  return { db, dbPath, dir, ingest, aggregate, counter, objects };
}

/** Physical bytes per table and index (SQLite dbstat), after a checkpoint. */
function physical(db: Db): Record<string, number> {
  db.pragma('wal_checkpoint(TRUNCATE)');
  try {
    const rows = db.prepare<[], { name: string; bytes: number }>(`SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name`).all();
    return Object.fromEntries(rows.map((r) => [r.name, r.bytes]));
  } catch {
    return { total: (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number) };
  }
}

async function e2e(split: boolean, aggregate = true) {
  const e = env(!aggregate);
  const ext = ds!.kind === 'xlsx' ? 'xlsx' : 'csv';
  const uploads: { key: string; path: string }[] = split
    ? readdirSync(ds!.split)
        .filter((f) => f.endsWith(`.${ext}`))
        .sort()
        .map((f) => ({ key: `uploads/${f.slice(0, 2)}/${FILE_NAME}.${ext}`, path: join(ds!.split, f) }))
    : [{ key: `uploads/${FILE_NAME}.${ext}`, path: ds!.path }];
  for (const u of uploads) e.objects.add('bench', u.key, u.path);
  const statuses: Record<string, number> = {};
  let accepted = 0;
  let rejected = 0;
  let aggregated = 0;
  let tIngest = 0;
  let tAggregate = 0;
  let fileError: string | null = null;
  let reportBytes = 0;
  const t0 = performance.now();
  for (const u of uploads) {
    const a = performance.now();
    const r = await ingestObject(e.ingest, { bucket: 'bench', key: u.key, remainingMs: 600_000 });
    tIngest += performance.now() - a;
    if (r.kind !== 'ingested') throw new Error(`${u.key}: ${r.kind}`);
    if (!aggregate && r.report.file_error) fileError ??= `${r.report.file_error.code} at row ${r.report.file_error.row ?? '—'}`;
    statuses[r.report.status] = (statuses[r.report.status] ?? 0) + 1;
    accepted += r.report.rows.accepted;
    rejected += r.report.rows.rejected;
    reportBytes = Math.max(reportBytes, JSON.stringify(r.report, null, 2).length);
    fileError ??= r.report.file_error ? `${r.report.file_error.code}: ${r.report.file_error.message.slice(0, 80)}` : null;
    const b = performance.now();
    for (const ev of aggregate ? (r.changed as PeriodChanged[]) : []) {
      await aggregatePeriod(e.aggregate, ev);
      aggregated++;
    }
    tAggregate += performance.now() - b;
  }
  const ms = performance.now() - t0;
  const phys = physical(e.db);
  const bytes = uploads.reduce((n, u) => n + statSync(u.path).size, 0);
  e.db.close();
  rmSync(e.dir, { recursive: true, force: true });
  out({ ms, rows: ds!.rows, bytes, uploads: uploads.length, accepted, rejected, statuses, fileError, reportBytes, aggregated, ingestMs: tIngest, aggregateMs: tAggregate, writes: e.counter, physical: phys });
}

const main: Record<string, () => Promise<void>> = {
  floor,
  parse,
  duck1: () => duck(1),
  duck2: () => duck(2),
  e2e: () => e2e(true),
  e2e1: () => e2e(false),
  // the ingest function alone (its own invocation in the cloud): the file as one upload
  ingest1: () => e2e(false, false),
};
const run = main[kind!];
if (!run) throw new Error(`unknown variant kind ${kind}`);
await run();
