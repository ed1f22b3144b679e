// CLI: `run` (one shot: a stack in a temporary or given data dir, the files uploaded in
// order through the S3 API, the chain run to idle, the document printed) and `start` (the
// stack kept running for any S3 client, the samples uploaded into an empty data dir).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReference } from '../shared/runtime/reference.ts';
import { sqliteStores } from '../shared/runtime/composition.ts';
import { IssueCode } from '../shared/domain/errors.ts';
import { collect, deliveredByChannel, reportFor, summaryText } from './document.ts';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, DEFAULT_PREFIX, DEFAULT_REGION, EXIT, existingFiles, objectStore, portOption, samples, UsageError, type Io } from './common.ts';
import { startStack, type IngestDone } from './stack.ts';
import { paint, termOf } from './term.ts';

/** Prints `[n/of] file: status, rows, rows/s` as each upload completes (stderr); the common prefix is said once. */
function progress(io: Io, total: () => number, prefix: string) {
  let n = 0;
  const started = new Map<string, number>();
  const ingested = new Set<string>();
  const c = paint(termOf(io.err));
  const statusColour: Record<string, (s: string) => string> = { accepted: c.green, partial: c.yellow, rejected: c.red };
  const name = (key: string) => (key.startsWith(prefix) ? key.slice(prefix.length) : key);
  return {
    /** whether ingest has reported on the key (the rest of the wait is aggregate and notify) */
    isIngested: (key: string) => ingested.has(key),
    uploading(key: string, bytes: number) {
      if (started.size === 0) io.err.write(`uploading ${total()} file(s) to ${prefix}, each ingested before the next\n`);
      started.set(key, Date.now());
      io.err.write(`[${n + 1}/${total()}] ${name(key)} (${(bytes / 1024).toFixed(0)} KiB) uploaded, ingesting…\n`);
    },
    ingested(d: IngestDone) {
      n++;
      ingested.add(d.key);
      const rows = d.accepted + d.rejected;
      const ms = d.ms ?? Date.now() - (started.get(d.key) ?? Date.now());
      const rate = ms > 0 ? Math.round((rows * 1000) / ms) : rows;
      const detail = d.rejected === 0 ? `${rows} rows` : `${rows} rows, ${d.rejected} rejected`;
      io.err.write(`[${n}/${total()}] ${name(d.key)}: ${(statusColour[d.status] ?? ((s: string) => s))(d.status)}, ${detail}, ${(ms / 1000).toFixed(1)} s, ${rate} rows/s\n`);
    },
  };
}

/**
 * Waits for the chain, saying every few seconds what it is waiting for: the file while
 * ingest reads it, the weeks' figures and notifications once ingest has reported.
 */
async function idleWithHeartbeat(io: Io, idle: () => Promise<void>, key: string, ingested: () => boolean): Promise<void> {
  const started = Date.now();
  const beat = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    io.err.write(ingested() ? `… ${key}: computing the weeks' figures and notifications (${s} s)\n` : `… ${key}: still reading the file after ${s} s\n`);
  }, 5000);
  try {
    await idle();
  } finally {
    clearInterval(beat);
  }
}

export async function run(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' }, samples: { type: 'boolean' }, verbose: { type: 'boolean' }, prefix: { type: 'string' } },
  });
  const bundled = values.samples ? samples() : null;
  const files = [...(bundled?.files ?? []), ...existingFiles(positionals)];
  if (files.length === 0) throw new UsageError('no files to upload; give FILE... (e.g. events/samples/*.csv) or --samples');
  const prefix = values.prefix ?? bundled?.prefix ?? DEFAULT_PREFIX;
  if (!prefix.startsWith('uploads/')) throw new UsageError(`--prefix must be under uploads/ (the ingest trigger's prefix), got "${prefix}"`);
  // without --data-dir the stack lives in a temporary directory, removed when the run ends
  const temporary = !values['data-dir'];
  const dataDir = values['data-dir'] ? resolve(values['data-dir']) : mkdtempSync(join(tmpdir(), 'sferum-pulse-'));
  try {
    return await runIn(dataDir, files, prefix, values, io);
  } finally {
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runIn(dataDir: string, files: string[], prefix: string, values: { json?: boolean | undefined; verbose?: boolean | undefined; 'data-dir'?: string | undefined }, io: Io): Promise<number> {
  const report = progress(io, () => files.length, prefix);
  const { stack, close } = await startStack(io, { dataDir, oneShot: true, verbose: values.verbose ?? false, onIngest: (d) => report.ingested(d) });
  try {
    if (!stack.functions.available.includes('ingest')) throw new Error('the ingest function has no bundle; run "npm run build" and look for build errors');
    const bucket = stack.s3.bucket!;
    const s3 = objectStore(stack.s3.endpoint, stack.s3.credentials);
    const keys: string[] = [];
    for (const f of files) {
      const key = `${prefix}${basename(f)}`;
      const bytes = readFileSync(f);
      // through the S3 API, as any client would: the trigger does the rest
      await s3.put(bucket, key, bytes);
      keys.push(key);
      report.uploading(key, bytes.length);
      // the files are processed in the order given: each waits for the one before
      await idleWithHeartbeat(io, () => stack.idle(600_000), key, () => report.isIngested(key));
    }
    const stores = await sqliteStores(stack.sqlitePath);
    const notifications = [...stack.queues.values()].flatMap((q) => (/notifications$/.test(q.name) ? q.history : []));
    const doc = await collect({ s3, stores, bucket, keys, regions: buildReference().knownRegions.map((r) => r.code), published: notifications });
    for (const d of stack.deadLetters) io.err.write(`dead letter: ${d.function} gave up on ${d.source} (trigger ${d.trigger}): ${d.error}\n`);
    const term = termOf(io.out);
    // the JSON document goes out whole (never wrapped to a terminal's width); the summary is fitted
    if (values.json) (io.raw ?? io.out).write(`${JSON.stringify(doc, null, 2)}\n`);
    else io.out.write(summaryText(doc, { ...term, channels: await deliveredByChannel(stores), dataDir: values['data-dir'] ? dataDir : null }));
    // Ingest itself failing (a dead letter, no report, a fault of ours) is a system error, not a rejected file.
    const reports = await Promise.all(keys.map((k) => reportFor(s3, stores, bucket, k)));
    if (stack.deadLetters.length > 0 || reports.some((r) => r === null || r.file_error?.code === IssueCode.IngestFailed)) return EXIT.error;
    return doc.uploads.some((u) => u.status === 'rejected') ? EXIT.rejected : EXIT.ok;
  } finally {
    await close();
  }
}

export async function start(args: string[], io: Io, signal: Promise<unknown> = stopSignal()): Promise<number> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, verbose: { type: 'boolean' } } });
  const dataDir = resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);
  const port = portOption(values.port, DEFAULT_PORT);
  const fresh = !existsSync(dataDir) || readdirSync(dataDir).length === 0;
  const ports = port === 0 ? {} : { s3: port, api: port + 1, queue: port + 2 };
  // keys for this session unless API_KEYS names the keys: a reader's for the API and the
  // dashboard, an uploader's (the whole region) for the upload page; only their hashes reach the API
  const keys = process.env['API_KEYS'] ? null : { reader: sessionKey(), uploader: sessionKey() };
  const env: Record<string, string> = keys ? { API_KEYS: `local:reader:${sha256(keys.reader)},local-uploader:uploader@${DEFAULT_REGION}:${sha256(keys.uploader)}` } : {};
  const { stack, close } = await startStack(io, { dataDir, ports, env, oneShot: false, verbose: values.verbose ?? false, onIngest: (d) => io.err.write(`${d.key}: ${d.status}, ${d.accepted} accepted, ${d.rejected} rejected\n`) }).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'EADDRINUSE') throw new UsageError(`a port of ${port}-${port + 2} is in use: stop the other stack or pass --port N (0 = free ports)`);
    throw err;
  });
  try {
    const bucket = stack.s3.bucket!;
    io.out.write(
      [
        `sferum-pulse local stack — data in ${dataDir}`,
        `  S3 endpoint   ${stack.s3.endpoint}  (region ${stack.s3.region}, path-style)`,
        `  bucket        ${bucket}  — upload under ${DEFAULT_PREFIX}`,
        `  credentials   AWS_ACCESS_KEY_ID=${stack.s3.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${stack.s3.credentials.secretAccessKey}`,
        `  e.g.          aws --endpoint-url ${stack.s3.endpoint} s3 cp FILE s3://${bucket}/${DEFAULT_PREFIX}`,
        stack.api ? `  API           ${stack.api.url}/v1/…` : '  API           not served: no function with http events in serverless.yml yet',
        stack.api ? `  dashboard     ${stack.api.url}/` : '  dashboard     not served yet (it comes with the API function)',
        ...(stack.api
          ? keys
            ? [
                `  API key       ${keys.reader}  (reader: header X-API-Key, or the dashboard's ?key=; valid while this stack runs)`,
                `  upload page   ${stack.api.url}/upload`,
                `  uploader key  ${keys.uploader}  (for the upload page: region ${DEFAULT_REGION}, any municipality)`,
              ]
            : ['  API keys      those of API_KEYS (the upload page needs an uploader key)']
          : []),
        `  functions     ${stack.functions.available.join(', ')}${stack.functions.missing.length ? ` (not built yet: ${stack.functions.missing.join(', ')})` : ''}`,
        `  logs          ${join(dataDir, 'functions.log')}`,
        'Ctrl-C stops it.',
        '',
      ].join('\n'),
    );
    if (fresh) {
      const { files, prefix } = samples();
      const s3 = objectStore(stack.s3.endpoint, stack.s3.credentials);
      for (const f of files) {
        await s3.put(bucket, `${prefix}${basename(f)}`, readFileSync(f));
        await stack.idle(600_000);
      }
      io.out.write(`uploaded the ${files.length} bundled sample exports (${files.reduce((n, f) => n + statSync(f).size, 0)} bytes)\n`);
    }
    await signal;
    io.err.write('stopping…\n');
    return EXIT.ok;
  } finally {
    await close();
  }
}

const sessionKey = () => `sp-local-${randomBytes(16).toString('hex')}`;
const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
