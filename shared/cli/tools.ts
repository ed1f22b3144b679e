// CLI: the operator's tools — `upload` (to a running local stack or a real bucket),
// `report` (the seed's table from a data dir), `deliveries` (the notification outbox) and
// `migrate` (the YDB schema). Each loads the module it is backed by only when run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Stores } from '../runtime/composition.ts';
import { backing, DEFAULT_DATA_DIR, DEFAULT_PORT, DEFAULT_PREFIX, EXIT, existingFiles, objectStore, UsageError, type Io } from './common.ts';

const LOCAL = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function upload(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { endpoint: { type: 'string' }, bucket: { type: 'string' }, prefix: { type: 'string' } } });
  const files = existingFiles(positionals);
  if (files.length === 0) throw new UsageError('no files to upload; give FILE...');
  const endpoint = values.endpoint ?? `http://127.0.0.1:${DEFAULT_PORT}`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`--endpoint is a URL such as http://127.0.0.1:${DEFAULT_PORT} or https://storage.yandexcloud.net, got "${endpoint}"`);
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  const key = process.env['AWS_ACCESS_KEY_ID'];
  const secret = process.env['AWS_SECRET_ACCESS_KEY'];
  if (!local && (!key || !secret)) throw new UsageError('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to a static access key of a service account with storage.uploader on the bucket');
  const s3 = objectStore(endpoint, key && secret ? { accessKeyId: key, secretAccessKey: secret } : LOCAL, process.env['AWS_REGION'] ?? 'ru-central1');
  const bucket = values.bucket ?? 'sferum-pulse-exports';
  const prefix = values.prefix ?? DEFAULT_PREFIX;
  for (const f of files) {
    const target = `${prefix}${basename(f)}`;
    try {
      await s3.put(bucket, target, readFileSync(f));
    } catch (err) {
      const hint = local ? `is the local stack running? start it with "npm start" (or sferum-pulse start --port N and pass --endpoint)` : 'check the endpoint, the bucket name and the key\'s rights';
      throw new Error(`upload of ${f} to ${endpoint} failed (${err instanceof Error ? err.message : String(err)}); ${hint}`);
    }
    io.out.write(`uploaded ${f} → s3://${bucket}/${target}\n`);
  }
  return EXIT.ok;
}

async function storesIn(dataDir: string | undefined): Promise<Stores> {
  const path = join(resolve(dataDir ?? DEFAULT_DATA_DIR), 'pulse.sqlite');
  if (!existsSync(path)) throw new UsageError(`no data in ${path}; run "sferum-pulse start" or "sferum-pulse run --data-dir DIR FILE..." first, or pass --data-dir`);
  const { sqliteStores } = await import('../runtime/composition.ts');
  return sqliteStores(path);
}

export async function report(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, region: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } } });
  const format = values.format;
  if (format !== 'csv' && format !== 'xlsx' && format !== 'json') throw new UsageError('--format csv|xlsx|json is required');
  if (format === 'xlsx' && !values.out) throw new UsageError('--format xlsx writes a file: add --out FILE.xlsx');
  for (const d of [values.from, values.to]) if (d !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new UsageError(`--from and --to are dates YYYY-MM-DD, got "${d}"`);
  const region = values.region ?? '26';
  if (!/^\d{2}$/.test(region)) throw new UsageError(`--region is a two-digit region code such as 26, got "${region}"`);
  const domain = await backing('shared/domain/report.ts', () => import('../domain/report.ts'), 'report');
  const stores = await storesIn(values['data-dir']);
  const rows = [];
  for (const p of await stores.aggregates.periods(region)) rows.push(...(await stores.aggregates.readPeriod(region, p)));
  const inRange = domain.regionRowsInRange(rows, values.from ?? '0000-01-01', values.to ?? '9999-12-31');
  const table = domain.regionalTable(inRange.map((r) => ({ period: r.period, values: r.values })));
  let bytes: Uint8Array;
  if (format === 'csv') bytes = (await backing('shared/report/render-csv.ts', () => import('../report/render-csv.ts'), 'report --format csv')).renderCsvBytes(table);
  else if (format === 'xlsx') bytes = await (await backing('shared/report/render-xlsx.ts', () => import('../report/render-xlsx.ts'), 'report --format xlsx')).renderXlsx([table]);
  else bytes = Buffer.from(`${JSON.stringify({ title: table.title, headers: table.headers, rows: table.rows.map((r) => r.map(domain.formatCell)) }, null, 2)}\n`);
  if (values.out) writeFileSync(values.out, bytes);
  else io.out.write(bytes);
  return EXIT.ok;
}

const STATES = ['pending', 'delivered', 'retrying', 'dead', 'disabled'] as const;

export async function deliveries(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, state: { type: 'string' }, replay: { type: 'string' }, limit: { type: 'string' } } });
  const state = values.state ?? 'dead';
  if (!(STATES as readonly string[]).includes(state)) throw new UsageError(`--state is one of ${STATES.join(', ')}, got "${state}"`);
  const limit = Number(values.limit ?? 1000);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit is a positive number, got "${values.limit}"`);
  const stores = await storesIn(values['data-dir']);
  if (values.replay) {
    const rec = await stores.outbox.replay(values.replay, Date.now());
    if (!rec) throw new UsageError(`no dead or disabled delivery ${values.replay}; list them with "sferum-pulse deliveries --state dead"`);
    io.out.write(`${JSON.stringify(rec)}\n`);
    io.err.write(`delivery ${rec.id} is pending again; the notify timer sends it within a minute of a running stack\n`);
    return EXIT.ok;
  }
  for (const d of await stores.outbox.list(state as (typeof STATES)[number], { limit })) io.out.write(`${JSON.stringify(d)}\n`);
  return EXIT.ok;
}

export async function migrate(args: string[], io: Io): Promise<number> {
  parseArgs({ args, options: {} });
  const { loadConfig, storeKind } = await import('../runtime/config.ts');
  const env = loadConfig({ SQLITE_PATH: ':unused:', ...process.env });
  if (storeKind(env) !== 'ydb') throw new UsageError('set YDB_ENDPOINT and YDB_DATABASE (or YDB_CONNECTION_STRING) to the database to migrate, and YDB credentials (e.g. YDB_ACCESS_TOKEN_CREDENTIALS=$(yc iam create-token))');
  const ydb = await backing('shared/adapters/ydb/index.ts', () => import('../adapters/ydb/index.ts'), 'migrate');
  const driver = await ydb.getDriver({ connectionString: env.YDB_CONNECTION_STRING, endpoint: env.YDB_ENDPOINT, database: env.YDB_DATABASE });
  try {
    const r = await ydb.migrate(driver, { log: (line: string) => io.err.write(`${line}\n`) });
    io.out.write(`applied ${r.applied.length} migration(s); ${r.alreadyApplied.length} already applied\n`);
  } finally {
    await ydb.closeDriver();
  }
  return EXIT.ok;
}
