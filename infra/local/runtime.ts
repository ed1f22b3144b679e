// The local runtime: the whole chain on one machine with the same bundled handlers, the
// same Yandex event JSON and the same wiring as in the cloud, read from serverless.yml.
// An in-process s3rver stands in for Object Storage (its object events become
// ObjectCreate/ObjectDelete trigger calls, with prefix/suffix filters, batches, retries and
// a dead-letter list), a local SQS-protocol endpoint for Message Queue (queue triggers
// with redelivery and dead letters), a clock for the cron triggers, and a SQLite file for
// YDB. Functions are invoked with a Yandex-like context and configured only through the
// environment, exactly as deployed.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import S3rver from 's3rver';
import { parseCron, matches, type Cron } from './cron.ts';
import { startQueueServer, type LocalQueue, type QueuedMessage } from './queue-server.ts';
import { buckets, loadServerlessConfig, queues, resolveVariables, type FunctionConfig, type ServerlessConfig } from './serverless-config.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
type RuntimeLog = (level: 'INFO' | 'WARN' | 'ERROR', msg: string, fields?: Record<string, unknown>) => void;

export type LocalStackOptions = {
  /** project root: serverless.yml and dist/ live here */
  readonly root: string;
  readonly dataDir: string;
  readonly s3Port?: number;
  readonly queuePort?: number;
  /** build the bundles first (default true) */
  readonly build?: boolean;
  /** trigger retry intervals are multiplied by this (local runs need not wait a minute) */
  readonly retryScale?: number;
  /** receives before a queue message is dead-lettered */
  readonly maxReceives?: number;
  /** false drops object events, as a lost trigger would (reconciliation tests) */
  readonly objectTriggers?: boolean;
  /** extra environment for the functions (e.g. NOTIFY_CONFIG_FILE) */
  readonly env?: Readonly<Record<string, string>>;
  readonly log?: RuntimeLog;
};

export type DeadLetter = { readonly source: string; readonly function: string; readonly event: unknown; readonly error: string };

export type Invocation = { readonly function: string; readonly trigger: string; readonly ok: boolean; readonly ms: number; readonly error?: string };

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

const FOLDER = 'b1glocal0000000000000';

function metadata(type: string) {
  return { event_id: randomUUID(), event_type: type, created_at: new Date().toISOString(), cloud_id: 'b1glocalcloud0000000', folder_id: FOLDER };
}

export async function createLocalStack(opts: LocalStackOptions) {
  const log: RuntimeLog = opts.log ?? ((level, msg, fields) => process.stderr.write(`${JSON.stringify({ level, msg, ...fields })}\n`));
  const cfg: ServerlessConfig = loadServerlessConfig(join(opts.root, 'serverless.yml'));
  if (opts.build !== false) execFileSync(process.execPath, [join(opts.root, 'scripts/build.mjs')], { stdio: 'ignore' });
  mkdirSync(join(opts.dataDir, 's3'), { recursive: true });

  const bucketNames = buckets(cfg);
  const s3 = new S3rver({ port: opts.s3Port ?? 0, address: '127.0.0.1', silent: true, directory: join(opts.dataDir, 's3'), configureBuckets: bucketNames.map((name) => ({ name })) });
  const s3Info = await s3.run();
  const s3Endpoint = `http://127.0.0.1:${s3Info.port}`;

  const queueNames = queues(cfg);
  let pump: () => void = () => undefined;
  const q = await startQueueServer([...queueNames.values()], { port: opts.queuePort ?? 0, onMessage: () => pump() });

  // The environment of a deployed function, pointed at the local services.
  const base: Record<string, string> = {
    S3_ENDPOINT: s3Endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    SQLITE_PATH: join(opts.dataDir, 'pulse.sqlite'),
    YMQ_ENDPOINT: q.endpoint,
    ...Object.fromEntries([...queueNames].map(([key, name]) => [`${key.toUpperCase().replace(/-/g, '_')}_QUEUE_URL`, q.urlOf(name)])),
    ...(opts.env ?? {}),
  };
  const lookup = { ...process.env, ...base };
  const lockbox = (ref: string) => (/aws_secret_access_key/.test(ref) ? LOCAL_CREDENTIALS.secretAccessKey : /aws_access_key_id/.test(ref) ? LOCAL_CREDENTIALS.accessKeyId : '');
  for (const source of [cfg.provider.environment, ...Object.values(cfg.functions).map((f) => f.environment ?? {})]) {
    for (const [k, v] of Object.entries(source)) base[k] ??= resolveVariables(v, lookup, lockbox);
  }
  // The YDB variables resolve to '' locally: the functions then use SQLITE_PATH.
  for (const [k, v] of Object.entries(base)) {
    if (v === '') delete process.env[k];
    else process.env[k] = v;
  }

  const requireBundle = createRequire(join(opts.root, 'package.json'));
  const handlers = new Map<string, Handler>();
  for (const [name, fn] of Object.entries(cfg.functions)) {
    const file = join(opts.root, fn.handler.replace(/\.handler$/, '.js'));
    if (!existsSync(file)) {
      log('WARN', 'local.function_missing', { function: name, file });
      continue;
    }
    // A fresh module per stack: a bundle keeps its warm dependencies (endpoints, database)
    // in module state, exactly as a function instance does.
    delete requireBundle.cache[requireBundle.resolve(file)];
    handlers.set(name, (requireBundle(file) as { handler: Handler }).handler);
  }

  const invocations: Invocation[] = [];
  const deadLetters: DeadLetter[] = [];
  let inFlight = 0;
  let timers = 0;

  async function invoke(name: string, trigger: string, event: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
    const h = handlers.get(name);
    const fn = cfg.functions[name]!;
    if (!h) return { ok: false, error: `function ${name} has no bundle` };
    inFlight++;
    const started = Date.now();
    const deadline = started + Number(fn.timeout) * 1000;
    try {
      const value = await h(event, { requestId: randomUUID(), functionName: name, functionVersion: '$latest', memoryLimitInMB: fn.memorySize ?? 128, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) });
      invocations.push({ function: name, trigger, ok: true, ms: Date.now() - started });
      return { ok: true, value };
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      invocations.push({ function: name, trigger, ok: false, ms: Date.now() - started, error });
      return { ok: false, error };
    } finally {
      inFlight--;
    }
  }

  const later = (ms: number, f: () => void) => {
    timers++;
    setTimeout(() => {
      timers--;
      f();
    }, ms);
  };

  // ── Object Storage triggers ──
  type ObjectEvent = { bucket: string; key: string; type: 'ObjectCreate' | 'ObjectDelete' };
  const s3Triggers = Object.entries(cfg.functions).flatMap(([name, fn]) => fn.events.flatMap((e) => ('s3' in e ? [{ name, t: e.s3 }] : [])));
  const objectEvents: ObjectEvent[] = [];
  let dispatching = false;
  s3.on('event', (e: { Records: { eventName: string; s3: { bucket: { name: string }; object: { key: string } } }[] }) => {
    if (opts.objectTriggers === false) return;
    for (const r of e.Records) {
      const type = r.eventName.startsWith('ObjectCreated') ? 'ObjectCreate' : 'ObjectDelete';
      objectEvents.push({ bucket: r.s3.bucket.name, key: r.s3.object.key, type });
    }
    void dispatchObjects();
  });
  const wants = (t: (typeof s3Triggers)[number]['t'], e: ObjectEvent) =>
    t.bucket === e.bucket &&
    (t.prefix === undefined || e.key.startsWith(t.prefix)) &&
    (t.suffix === undefined || e.key.endsWith(t.suffix)) &&
    t.events.includes(e.type === 'ObjectCreate' ? 'create.object' : 'delete.object');

  async function dispatchObjects(): Promise<void> {
    if (dispatching) return;
    dispatching = true;
    try {
      // Events are handled one batch at a time, in upload order (≤ 10 per call).
      while (objectEvents.length > 0) {
        const batch = objectEvents.splice(0, 10);
        for (const { name, t } of s3Triggers) {
          const mine = batch.filter((e) => wants(t, e));
          if (mine.length === 0) continue;
          const event = { messages: mine.map((e) => ({ event_metadata: { ...metadata(`yandex.cloud.events.storage.${e.type}`), tracing_context: { trace_id: randomUUID().slice(0, 16), span_id: '', parent_span_id: '' } }, details: { bucket_id: e.bucket, object_id: e.key } })) };
          await withRetry(name, 's3', event, t.retry);
        }
      }
    } finally {
      dispatching = false;
    }
  }

  async function withRetry(name: string, source: string, event: unknown, retry: { attempts: number; interval: number } | undefined): Promise<void> {
    const attempts = 1 + (retry?.attempts ?? 0);
    let last = '';
    for (let i = 0; i < attempts; i++) {
      const r = await invoke(name, source, event);
      if (r.ok) return;
      last = r.error;
      log('WARN', 'local.invocation_failed', { function: name, source, attempt: i + 1, error: last });
      if (i + 1 < attempts) await new Promise((res) => later((retry!.interval * 1000) * (opts.retryScale ?? 0.001), () => res(undefined)));
    }
    deadLetters.push({ source, function: name, event, error: last });
  }

  // ── Message Queue triggers ──
  const ymqTriggers = Object.entries(cfg.functions).flatMap(([name, fn]) =>
    fn.events.flatMap((e) => ('ymq' in e ? [{ name, t: e.ymq, queue: q.queues.get(queueNames.get(e.ymq.queue) ?? '')! }] : [])),
  );
  for (const t of ymqTriggers) if (!t.queue) throw new Error(`ymq trigger of ${t.name} names queue ${t.t.queue}, which serverless.yml does not declare`);
  let pumping = false;
  pump = () => {
    if (pumping) return;
    pumping = true;
    void (async () => {
      try {
        for (let moved = true; moved; ) {
          moved = false;
          for (const { name, t, queue } of ymqTriggers) {
            const batch = queue.take(t.batch, Date.now());
            if (batch.length === 0) continue;
            moved = true;
            const r = await invoke(name, 'ymq', queueEvent(queue, batch));
            if (r.ok) queue.ack(batch);
            else {
              queue.nack(batch, Date.now(), 30_000 * (opts.retryScale ?? 0.001), opts.maxReceives ?? 5);
              for (const m of queue.dead.filter((d) => batch.includes(d))) deadLetters.push({ source: `ymq:${queue.name}`, function: name, event: m.body, error: r.error });
              later(30_000 * (opts.retryScale ?? 0.001) + 1, pump);
            }
          }
        }
      } finally {
        pumping = false;
      }
    })();
  };

  function queueEvent(queue: LocalQueue, batch: readonly QueuedMessage[]) {
    return {
      messages: batch.map((m) => ({
        event_metadata: metadata('yandex.cloud.events.messagequeue.QueueMessage'),
        details: {
          queue_id: `yrn:yc:ymq:ru-central1:${FOLDER}:${queue.name}`,
          message: { message_id: m.id, md5_of_body: m.md5, body: m.body, attributes: { SentTimestamp: String(m.sentMs), ApproximateReceiveCount: String(m.receives) }, message_attributes: {}, md5_of_message_attributes: '' },
        },
      })),
    };
  }

  // ── Timer triggers ──
  const crons = Object.entries(cfg.functions).flatMap(([name, fn]) =>
    fn.events.flatMap((e, i) => ('cron' in e ? [{ name, id: `${name}-cron-${i}`, cron: parseCron(e.cron.expression) as Cron, payload: e.cron.payload, retry: e.cron.retry }] : [])),
  );

  /** Fires every timer whose expression matches the minute `at` (UTC), as the cloud would. */
  async function tick(at: Date): Promise<void> {
    for (const c of crons) {
      if (!matches(c.cron, at)) continue;
      const event = { messages: [{ event_metadata: metadata('yandex.cloud.events.serverless.triggers.TimerMessage'), details: { trigger_id: c.id, ...(c.payload !== undefined ? { payload: c.payload } : {}) } }] };
      await withRetry(c.name, 'cron', event, c.retry);
    }
  }

  let clock: NodeJS.Timeout | undefined;
  /** Runs the timers on the wall clock (the `start` command). */
  function startClock(): void {
    const next = () => 60_000 - (Date.now() % 60_000);
    const arm = () => {
      clock = setTimeout(() => {
        void tick(new Date(Math.floor(Date.now() / 60_000) * 60_000)).finally(arm);
      }, next());
    };
    arm();
  }

  /** Resolves once no object event, queue message, retry or invocation is pending. */
  async function idle(timeoutMs = 120_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    let quiet = 0;
    while (Date.now() < end) {
      const busy = objectEvents.length > 0 || dispatching || pumping || inFlight > 0 || timers > 0 || [...q.queues.values()].some((x) => x.pending > 0);
      quiet = busy ? 0 : quiet + 1;
      if (quiet >= 3) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the local stack did not become idle within ${timeoutMs} ms`);
  }

  async function close(): Promise<void> {
    if (clock) clearTimeout(clock);
    await q.close();
    await s3.close();
  }

  return {
    config: cfg,
    s3: { endpoint: s3Endpoint, buckets: bucketNames, credentials: LOCAL_CREDENTIALS },
    queues: q.queues,
    env: base,
    sqlitePath: base.SQLITE_PATH!,
    functions: [...handlers.keys()],
    invocations,
    deadLetters,
    invoke,
    tick,
    startClock,
    idle,
    close,
    [Symbol.asyncDispose]: close,
  };
}

export type LocalStack = Awaited<ReturnType<typeof createLocalStack>>;
export type { FunctionConfig };
