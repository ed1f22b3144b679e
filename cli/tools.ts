// CLI: the operator's tools — `upload` (to a running local stack or a real bucket),
// `deliveries` (the notification outbox) and `migrate` (the YDB schema). Each loads the
// module it is backed by only when run. `report` is in report.ts.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DeliveryState } from '../shared/domain/store-rules/delivery.ts';
import type { Stores } from '../shared/runtime/composition.ts';
import { readDeliveries, replay } from '../shared/usecases/outbox.ts';
import { DEFAULT_PORT, DEFAULT_PREFIX, EXIT, existingFiles, objectStore, sqliteIn, UsageError, type Io } from './common.ts';

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
  const path = sqliteIn(dataDir);
  const { sqliteStores } = await import('../shared/runtime/composition.ts');
  return sqliteStores(path);
}

export async function deliveries(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, state: { type: 'string' }, replay: { type: 'string' }, limit: { type: 'string' } } });
  const state = DeliveryState.safeParse(values.state ?? 'dead');
  if (!state.success) throw new UsageError(`--state is one of ${DeliveryState.options.join(', ')}, got "${values.state}"`);
  const limit = Number(values.limit ?? 1000);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit is a positive number, got "${values.limit}"`);
  const stores = await storesIn(values['data-dir']);
  if (values.replay) {
    const rec = await replay(stores.outbox, values.replay, Date.now());
    if (!rec) throw new UsageError(`no dead or disabled delivery ${values.replay}; list them with "sferum-pulse deliveries --state dead"`);
    (io.raw ?? io.out).write(`${JSON.stringify(rec)}\n`);
    io.err.write(`delivery ${rec.id} is pending again; the notify timer sends it within a minute of a running stack\n`);
    return EXIT.ok;
  }
  // JSON lines go out whole, never wrapped to the terminal: they are data to copy or pipe
  for (const d of await readDeliveries(stores.outbox, state.data, limit)) (io.raw ?? io.out).write(`${JSON.stringify(d)}\n`);
  return EXIT.ok;
}

export async function migrate(args: string[], io: Io): Promise<number> {
  parseArgs({ args, options: {} });
  const { loadConfig, storeKind } = await import('../shared/runtime/config.ts');
  const env = loadConfig({ SQLITE_PATH: ':unused:', ...process.env });
  if (storeKind(env) !== 'ydb') throw new UsageError('set YDB_ENDPOINT and YDB_DATABASE (or YDB_CONNECTION_STRING) to the database to migrate, and YDB credentials (e.g. YDB_ACCESS_TOKEN_CREDENTIALS=$(yc iam create-token))');
  const ydb = await import('../shared/adapters/ydb/index.ts');
  const driver = await ydb.getDriver({ connectionString: env.YDB_CONNECTION_STRING, endpoint: env.YDB_ENDPOINT, database: env.YDB_DATABASE });
  try {
    const r = await ydb.migrate(driver, { log: (line: string) => io.err.write(`${line}\n`) });
    io.out.write(`applied ${r.applied.length} migration(s); ${r.alreadyApplied.length} already applied\n`);
  } finally {
    await ydb.closeDriver();
  }
  return EXIT.ok;
}
