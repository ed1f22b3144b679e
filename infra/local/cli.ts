// The `sferum-pulse` command line: the main job on one machine. `run` uploads files to the
// local stack through the plain S3 API, waits until the chain is idle and prints what
// happened; `start` keeps the stack running for any S3 client; `upload`, `report`,
// `deliveries` and `migrate` are the operator's tools. Exit codes are stable:
// 0 success, 1 a file was rejected as a whole, 2 a usage or system error.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makeS3Client, S3ObjectStore } from '../../shared/adapters/s3/object-store.ts';
import { sqliteStores, type Stores } from '../../shared/runtime/composition.ts';
import { loadConfig, storeKind } from '../../shared/runtime/config.ts';
import { NotificationEvent } from '../../shared/domain/events.ts';
import { buildReference } from '../../shared/runtime/reference.ts';
import { UploadReport, periodLabel, type Period } from '../../shared/domain/schemas.ts';
import { regionalTable, formatCell, regionRowsInRange } from '../../shared/domain/report.ts';
import { renderCsvBytes } from '../../shared/report/render-csv.ts';
import { renderXlsx } from '../../shared/report/render-xlsx.ts';
import type { AggregateRow } from '../../shared/domain/metrics.ts';
import { createLocalStack, LOCAL_CREDENTIALS, type LocalStack } from './runtime.ts';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const BUCKET = 'sferum-pulse-exports';
const PREFIX = 'uploads/26/';

export const EXIT = { ok: 0, rejected: 1, error: 2 } as const;

class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `sferum-pulse — Sferum adoption pipeline on one machine

Usage: sferum-pulse <command> [options]

Commands:
  run [--data-dir DIR] [--json] [--samples] FILE...   upload files to a fresh local stack, wait, print the result
  start [--data-dir DIR] [--port N]                   run the local stack until Ctrl-C (uploads the samples into an empty data dir)
  upload FILE... [--endpoint URL] [--bucket NAME]     upload to a running stack or a real bucket (AWS_* credentials)
  report [--data-dir DIR] [--region ID] [--from DATE] [--to DATE] --format csv|xlsx|json [--out FILE]
  deliveries [--data-dir DIR] [--state STATE] [--replay ID]
  migrate                                             apply the YDB migrations (YDB_ENDPOINT/YDB_DATABASE)

Exit codes: 0 success; 1 a file was rejected as a whole; 2 usage or system error.
Run "sferum-pulse <command> --help" for a command's options.`,
  run: `sferum-pulse run [--data-dir DIR] [--json] [--samples] FILE...

Starts the local stack (s3rver + SQLite + the bundled functions) in DIR, or a temporary
directory, uploads each FILE in the order given under ${PREFIX} through the S3 API, waits
until ingest, aggregate and notify are idle, and prints the upload reports, the regional
table and the notifications. --samples uploads the bundled sample exports (events/samples).
--json prints exactly one JSON document on stdout. Progress and logs go to stderr.
Exit: 0 every file at least partly accepted; 1 a file rejected as a whole; 2 error.`,
  start: `sferum-pulse start [--data-dir DIR] [--port N]

Runs the local stack until Ctrl-C. S3 listens on 127.0.0.1:N (default 9090). An empty data
directory gets the bundled samples uploaded. Any S3 client can upload to the printed
endpoint with the printed credentials; timers run on the wall clock.`,
  upload: `sferum-pulse upload FILE... [--endpoint URL] [--bucket NAME] [--prefix P]

Uploads files under ${PREFIX} (or P) to a running local stack (default endpoint
http://127.0.0.1:9090) or, with --endpoint https://storage.yandexcloud.net, to a real bucket
using AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.`,
  report: `sferum-pulse report [--data-dir DIR] [--region ID] [--from DATE] [--to DATE] --format csv|xlsx|json [--out FILE]

Renders the table "Активность по ОО, МОУО СК в Сфере" for the periods in [from, to] from the
aggregates in DIR/pulse.sqlite. csv and json go to stdout unless --out is given; xlsx needs --out.`,
  deliveries: `sferum-pulse deliveries [--data-dir DIR] [--state pending|delivered|retrying|dead|disabled] [--replay ID]

Lists notification deliveries in the outbox (default state: dead), or replays a dead or
disabled delivery with its original id (the notify timer sends it).`,
  migrate: `sferum-pulse migrate

Applies the YDB schema migrations in infra/ydb/migrations to the database named by
YDB_ENDPOINT + YDB_DATABASE (or YDB_CONNECTION_STRING). Idempotent.`,
};

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      out.write(`${HELP.main}\n`);
      return command ? EXIT.ok : EXIT.error;
    }
    if (!(command in HELP) || command === 'main') throw new UsageError(`unknown command "${command}"; run "sferum-pulse --help"`);
    if (rest.includes('--help') || rest.includes('-h')) {
      out.write(`${HELP[command]}\n`);
      return EXIT.ok;
    }
    switch (command) {
      case 'run':
        return await run(rest, out, err);
      case 'start':
        return await start(rest, out, err);
      case 'upload':
        return await upload(rest, out);
      case 'report':
        return await report(rest, out);
      case 'deliveries':
        return await deliveries(rest, out);
      case 'migrate':
        return await migrate(out);
    }
    return EXIT.error;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      err.write(`sferum-pulse: ${e.message}\n`);
      return EXIT.error;
    }
    err.write(`sferum-pulse: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    return EXIT.error;
  }
}

function samplesInOrder(): string[] {
  const dir = join(ROOT, 'events/samples');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: { name: string }[] };
  return manifest.files.map((f) => join(dir, f.name));
}

async function startStack(dataDir: string, err: NodeJS.WritableStream, extra: { s3Port?: number; oneShot: boolean }): Promise<LocalStack> {
  process.env['LOG_DESTINATION'] = 'stderr';
  return createLocalStack({
    root: ROOT,
    dataDir,
    ...(extra.s3Port !== undefined ? { s3Port: extra.s3Port } : {}),
    // A one-shot run delivers at once; a running stack groups within the configured window.
    env: extra.oneShot ? { NOTIFY_CONFIG: JSON.stringify({ grouping: { windowMs: 0 } }) } : {},
    log: (level, msg, fields) => err.write(`${JSON.stringify({ level, msg, ...fields })}\n`),
  });
}

function s3For(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string } = LOCAL_CREDENTIALS) {
  return new S3ObjectStore(makeS3Client({ endpoint, region: 'ru-central1', forcePathStyle: true, credentials }));
}

async function run(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' }, samples: { type: 'boolean' } } });
  const files = [...(values.samples ? samplesInOrder() : []), ...positionals.map((p) => resolve(p))];
  if (files.length === 0) throw new UsageError('no files to upload; give FILE... or --samples');
  for (const f of files) if (!existsSync(f)) throw new UsageError(`no such file: ${f}`);
  const dataDir = values['data-dir'] ? resolve(values['data-dir']) : mkdtempSync(join(tmpdir(), 'sferum-pulse-'));
  const stack = await startStack(dataDir, err, { oneShot: true });
  try {
    const s3 = s3For(stack.s3.endpoint);
    const keys: string[] = [];
    for (const [i, f] of files.entries()) {
      const key = `${PREFIX}${basename(f)}`;
      await s3.put(BUCKET, key, readFileSync(f));
      keys.push(key);
      err.write(`${JSON.stringify({ level: 'INFO', msg: 'cli.uploaded', key, n: i + 1, of: files.length })}\n`);
      // Uploads are processed in the order given: wait for each before the next.
      await stack.idle();
    }
    const doc = await collect(stack, keys);
    if (values.json) out.write(`${JSON.stringify(doc, null, 2)}\n`);
    else out.write(summary(doc));
    return doc.uploads.some((u) => u.status === 'rejected') ? EXIT.rejected : EXIT.ok;
  } finally {
    await stack.close();
  }
}

type RunDocument = Awaited<ReturnType<typeof collect>>;

async function collect(stack: LocalStack, keys: readonly string[]) {
  const s3 = s3For(stack.s3.endpoint);
  const uploads = [];
  for (const key of keys) {
    const body = await s3.get(BUCKET, `reports/${key}.json`);
    if (!body) {
      uploads.push({ key, status: 'rejected' as const, tables: [], period: null, rows: { accepted: 0, rejected: 0 }, errors: [{ row: null, column: null, value: null, message: 'no report was written (see the logs)' }], warnings: [] });
      continue;
    }
    const chunks: Uint8Array[] = [];
    for await (const c of body) chunks.push(c);
    const r = UploadReport.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    const issue = (i: (typeof r.errors)[number]) => ({ row: i.row, column: i.column, value: i.value, message: i.message });
    uploads.push({
      key,
      status: r.status === 'superseded' || r.status === 'skipped' ? ('accepted' as const) : r.status,
      tables: [...new Set(r.tables.map((t) => t.kind))],
      period: r.periods.length === 1 ? `${r.periods[0]!.start}..${r.periods[0]!.end}` : null,
      rows: r.rows,
      errors: r.errors.map(issue),
      warnings: r.warnings.map(issue),
    });
  }
  const stores = await sqliteStores(stack.sqlitePath);
  const ref = buildReference();
  const periods = [];
  for (const region of ref.knownRegions) {
    for (const period of await stores.aggregates.periods(region.code)) {
      const rows = await stores.aggregates.readPeriod(region.code, period);
      const regionRow = rows.find((r) => r.scope.level === 'region');
      periods.push({
        period: { start: period.start, end: period.end, label: periodLabel(period) },
        region: { id: region.code, metrics: regionRow?.values ?? {} },
        municipalities: rows.filter((r) => r.scope.level === 'municipality').map((r) => ({ id: r.scope.id, name: r.scope.name, metrics: r.values })),
        warnings: rows.flatMap((r) => r.warnings),
      });
    }
  }
  const delivered = new Set((await stores.outbox.list('delivered', { limit: 10_000 })).flatMap((d) => d.eventIds));
  const seen = new Set<string>();
  const notifications: NotificationEvent[] = [];
  for (const queue of stack.queues.values()) {
    for (const body of queue.history) {
      const parsed = NotificationEvent.safeParse(safeJson(body));
      if (parsed.success && delivered.has(parsed.data.id) && !seen.has(parsed.data.id)) {
        seen.add(parsed.data.id);
        notifications.push(parsed.data);
      }
    }
  }
  return { uploads, periods, notifications };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

function summary(doc: RunDocument): string {
  const lines = ['Uploads:'];
  for (const u of doc.uploads) {
    lines.push(`  ${u.status.padEnd(8)} ${u.key}  rows ${u.rows.accepted} accepted, ${u.rows.rejected} rejected${u.period ? `  ${u.period}` : ''}`);
    for (const e of u.errors.slice(0, 10)) lines.push(`           row ${e.row ?? '-'} · ${e.column ?? '-'} · ${JSON.stringify(e.value)} — ${e.message}`);
    if (u.errors.length > 10) lines.push(`           … ${u.errors.length - 10} more errors in the report`);
  }
  const table = regionalTable(doc.periods.map((p) => ({ period: p.period, values: p.region.metrics as AggregateRow['values'] })));
  lines.push('', table.title, '');
  const cells = [table.headers, ...table.rows.map((r) => r.map(formatCell))];
  lines.push(...cells.map((r) => r.join('\t')));
  lines.push('', `Notifications delivered: ${doc.notifications.length}`);
  for (const n of doc.notifications.slice(0, 20)) lines.push(`  ${n.type} · ${n.scope.name} · ${n.target?.id ?? '-'} · ${n.period.label}`);
  return `${lines.join('\n')}\n`;
}

async function start(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, port: { type: 'string' } } });
  const dataDir = resolve(values['data-dir'] ?? '.data');
  const port = Number(values.port ?? 9090);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a TCP port, got ${values.port}`);
  const fresh = !existsSync(join(dataDir, 'pulse.sqlite'));
  const stack = await startStack(dataDir, err, { s3Port: port, oneShot: false });
  stack.startClock();
  out.write(
    [
      `sferum-pulse local stack (data in ${dataDir})`,
      `  S3 endpoint  ${stack.s3.endpoint}   bucket ${stack.s3.buckets.join(', ')}   region ru-central1`,
      `  credentials  AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}`,
      `  upload       aws --endpoint-url ${stack.s3.endpoint} s3 cp FILE s3://${BUCKET}/${PREFIX}`,
      `  functions    ${stack.functions.join(', ')}`,
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  if (fresh) {
    const s3 = s3For(stack.s3.endpoint);
    for (const f of samplesInOrder()) {
      await s3.put(BUCKET, `${PREFIX}${basename(f)}`, readFileSync(f));
      await stack.idle();
    }
    out.write(`uploaded ${samplesInOrder().length} sample exports\n`);
  }
  await new Promise<void>((r) => {
    process.once('SIGINT', r);
    process.once('SIGTERM', r);
  });
  await stack.close();
  return EXIT.ok;
}

async function upload(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { endpoint: { type: 'string' }, bucket: { type: 'string' }, prefix: { type: 'string' } } });
  if (positionals.length === 0) throw new UsageError('no files to upload');
  const endpoint = values.endpoint ?? 'http://127.0.0.1:9090';
  const local = endpoint.startsWith('http://127.0.0.1') || endpoint.startsWith('http://localhost');
  const key = process.env['AWS_ACCESS_KEY_ID'];
  const secret = process.env['AWS_SECRET_ACCESS_KEY'];
  if (!local && (!key || !secret)) throw new UsageError('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (a static key of a service account with storage.uploader)');
  const s3 = s3For(endpoint, local ? LOCAL_CREDENTIALS : { accessKeyId: key!, secretAccessKey: secret! });
  for (const f of positionals) {
    const target = `${values.prefix ?? PREFIX}${basename(f)}`;
    await s3.put(values.bucket ?? BUCKET, target, readFileSync(f));
    out.write(`uploaded ${f} → s3://${values.bucket ?? BUCKET}/${target}\n`);
  }
  return EXIT.ok;
}

function storesIn(dataDir: string | undefined): Promise<Stores> {
  const path = join(resolve(dataDir ?? '.data'), 'pulse.sqlite');
  if (!existsSync(path)) throw new UsageError(`no data in ${path}; run "sferum-pulse start" or "sferum-pulse run --data-dir DIR FILE..." first`);
  return sqliteStores(path);
}

async function report(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, region: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } } });
  const format = values.format;
  if (format !== 'csv' && format !== 'xlsx' && format !== 'json') throw new UsageError('--format must be csv, xlsx or json');
  if (format === 'xlsx' && !values.out) throw new UsageError('--format xlsx needs --out FILE');
  for (const d of [values.from, values.to]) if (d !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new UsageError(`dates are YYYY-MM-DD, got ${d}`);
  const stores = await storesIn(values['data-dir']);
  const region = values.region ?? '26';
  const rows: AggregateRow[] = [];
  for (const p of await stores.aggregates.periods(region)) rows.push(...(await stores.aggregates.readPeriod(region, p)));
  const inRange = regionRowsInRange(rows, values.from ?? '0000-01-01', values.to ?? '9999-12-31');
  const table = regionalTable(inRange.map((r) => ({ period: r.period as Period, values: r.values })));
  const bytes =
    format === 'csv'
      ? renderCsvBytes(table)
      : format === 'xlsx'
        ? await renderXlsx([table])
        : Buffer.from(`${JSON.stringify({ title: table.title, headers: table.headers, rows: table.rows.map((r) => r.map(formatCell)) }, null, 2)}\n`);
  if (values.out) writeFileSync(values.out, bytes);
  else out.write(bytes);
  return EXIT.ok;
}

async function deliveries(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, state: { type: 'string' }, replay: { type: 'string' } } });
  const stores = await storesIn(values['data-dir']);
  if (values.replay) {
    const rec = await stores.outbox.replay(values.replay, Date.now());
    if (!rec) throw new UsageError(`no dead or disabled delivery ${values.replay}; list them with "sferum-pulse deliveries --state dead"`);
    out.write(`${JSON.stringify(rec)}\n`);
    return EXIT.ok;
  }
  const state = values.state ?? 'dead';
  if (!['pending', 'delivered', 'retrying', 'dead', 'disabled'].includes(state)) throw new UsageError('--state is one of pending, delivered, retrying, dead, disabled');
  for (const d of await stores.outbox.list(state as 'dead', { limit: 1000 })) out.write(`${JSON.stringify(d)}\n`);
  return EXIT.ok;
}

async function migrate(out: NodeJS.WritableStream): Promise<number> {
  const env = loadConfig();
  if (storeKind(env) !== 'ydb') throw new UsageError('set YDB_ENDPOINT and YDB_DATABASE (or YDB_CONNECTION_STRING) to the database to migrate');
  const ydb = await import('../../shared/adapters/ydb/index.ts');
  const driver = await ydb.getDriver({ connectionString: env.YDB_CONNECTION_STRING, endpoint: env.YDB_ENDPOINT, database: env.YDB_DATABASE });
  try {
    const r = await ydb.migrate(driver, { log: (line) => out.write(`${line}\n`) });
    out.write(`applied ${r.applied.length} migration(s); ${r.alreadyApplied.length} already applied\n`);
  } finally {
    await ydb.closeDriver();
  }
  return EXIT.ok;
}
