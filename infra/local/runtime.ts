// Local runtime: the whole chain on one machine with the same bundled handlers, the same
// Yandex event JSON and the same wiring as in the cloud, all read from serverless.yml.
// This module composes the parts — Object Storage (s3rver + triggers), Message Queue (SQS
// endpoint + ymq triggers), timers on a drivable clock, API Gateway for HTTP functions,
// and the function instances — and tells when the chain is idle. Each function sees only
// its environment: the runtime's service endpoints plus its serverless.yml `environment`.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt, hostFunctions, type FunctionHost, type Invocation, type RuntimeLog } from './functions.ts';
import { loadSpecRoutes, startHttpGateway, triggerRoutes, type HttpGateway, type Route } from './http-gateway.ts';
import { LOCAL_CREDENTIALS, ObjectStorageTriggers, startObjectStorage } from './object-storage.ts';
import { startQueueService, type LocalQueue } from './queue-server.ts';
import { QueueTrigger } from './queue-triggers.ts';
import type { DeadLetter } from './retry.ts';
import { loadLocalModel, queueUrlVariable, resolveVariables, type FunctionSpec, type LocalModel, type Trigger } from './serverless-config.ts';
import { Timers, type Firing } from './timers.ts';

export { LOCAL_CREDENTIALS };
export type { DeadLetter, Invocation, Firing };

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type LocalStackOptions = {
  /** project root with serverless.yml and dist/ (default: this repository) */
  readonly root?: string;
  /** s3rver objects (s3/) and the SQLite file (pulse.sqlite) live here */
  readonly dataDir: string;
  /** 127.0.0.1 ports; 0 or absent = a free port */
  readonly ports?: { readonly s3?: number; readonly queue?: number; readonly api?: number };
  /** build missing or stale bundles with scripts/build.mjs first (default true) */
  readonly build?: boolean;
  /** the platform's waits (retry intervals, visibility timeout, ymq cutoff) × this; default 0.01 */
  readonly timeScale?: number;
  /** how long object events wait to be batched (ms, default 50) */
  readonly objectBatchCutoffMs?: number;
  /** receives before a queue message is dead-lettered (default 5) */
  readonly maxReceives?: number;
  /** false drops object events, as a lost trigger would */
  readonly objectTriggers?: boolean;
  /** where the simulated timer clock starts (default: now) */
  readonly clockStart?: Date;
  /** run timers on the wall clock (the `start` command) */
  readonly wallClock?: boolean;
  /** overrides for every function's environment, and values for `${env:…}` */
  readonly env?: Readonly<Record<string, string>>;
  /** an API Gateway OpenAPI spec to route from (default: one found in infra/), or false */
  readonly apiSpec?: string | false;
  /** the runtime's own log lines (default: JSON lines on stderr) */
  readonly log?: RuntimeLog;
  /** where the functions' stdout/stderr go (default process.stderr; null discards) */
  readonly functionLogs?: NodeJS.WritableStream | null;
};

export const stderrLog: RuntimeLog = (level, msg, fields) => {
  if (level !== 'DEBUG') process.stderr.write(`${JSON.stringify({ level, msg, ...fields })}\n`);
};

/** Environment variables of the host worth passing on (the cloud has its own of these). */
const HOST_VARS = ['PATH', 'HOME', 'TMPDIR', 'LANG'];

/** An OpenAPI spec with Yandex integrations in infra/ or a folder of it, if there is one. */
export function findApiSpec(root: string): string | undefined {
  const top = join(root, 'infra');
  if (!existsSync(top)) return undefined;
  const dirs = [top, ...readdirSync(top, { withFileTypes: true }).filter((e) => e.isDirectory() && !['local', 'ydb'].includes(e.name)).map((e) => join(top, e.name))];
  for (const dir of dirs) {
    for (const f of readdirSync(dir).sort()) {
      if (!/\.(ya?ml|json)$/.test(f)) continue;
      const text = readFileSync(join(dir, f), 'utf8');
      if (/openapi/.test(text) && text.includes('x-yc-apigateway-integration')) return join(dir, f);
    }
  }
  return undefined;
}

export async function createLocalStack(opts: LocalStackOptions) {
  const root = resolve(opts.root ?? PROJECT_ROOT);
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? stderrLog;
  const timeScale = opts.timeScale ?? 0.01;
  const model: LocalModel = loadLocalModel(join(root, 'serverless.yml'));
  mkdirSync(dataDir, { recursive: true });
  if (opts.build !== false) await ensureBuilt(root, model.functions, log);

  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    const s3 = await startObjectStorage({ directory: join(dataDir, 's3'), buckets: model.buckets, ...(opts.ports?.s3 !== undefined ? { port: opts.ports.s3 } : {}) });
    closers.push(() => s3.close());
    const ymq = await startQueueService(
      model.queues.map((q) => q.name),
      opts.ports?.queue !== undefined ? { port: opts.ports.queue } : {},
    );
    closers.push(() => ymq.close());
    const queueByKey = new Map(model.queues.map((q) => [q.key, ymq.queues.get(q.name)!]));
    const queueUrls = Object.fromEntries(model.queues.map((q) => [q.key, ymq.urlOf(q.name)]));

    // The services a deployed function reaches through its environment, pointed here.
    const services: Record<string, string> = {
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      SQLITE_PATH: join(dataDir, 'pulse.sqlite'),
      YMQ_ENDPOINT: ymq.endpoint,
      ...Object.fromEntries(model.queues.map((q) => [queueUrlVariable(q.key), ymq.urlOf(q.name)])),
    };
    const overrides = opts.env ?? {};
    const lookup = { LOCKBOX_SECRET_ID: 'local', ...process.env, ...services, ...overrides };
    // Lockbox entries the functions need locally: the static key is s3rver's.
    const lockbox = (ref: string) => ({ aws_access_key_id: LOCAL_CREDENTIALS.accessKeyId, aws_secret_access_key: LOCAL_CREDENTIALS.secretAccessKey })[ref.split('/').pop() ?? ''];
    const envOf = (fn: FunctionSpec): Record<string, string> => {
      const env: Record<string, string> = {};
      for (const k of HOST_VARS) if (process.env[k] !== undefined) env[k] = process.env[k]!;
      const unset: string[] = [];
      for (const [k, raw] of Object.entries(fn.environment)) {
        const v = resolveVariables(raw, { env: lookup, lockbox });
        if (v === undefined) unset.push(k);
        else env[k] = v;
      }
      // Unset YDB variables leave the functions on the SQLite file, as intended locally.
      if (unset.length) log('DEBUG', 'local.env_unset', { function: fn.name, variables: unset });
      return { ...env, ...services, ...overrides };
    };

    const host: FunctionHost = hostFunctions(root, model.functions, envOf, { log, output: opts.functionLogs === undefined ? process.stderr : opts.functionLogs });
    closers.push(() => host.close());
    const runnable = (t: Trigger) => {
      if (t.kind === 'unsupported') {
        log('WARN', 'local.trigger_skipped', { trigger: t.id, reason: `${t.type} triggers are not emulated locally` });
        return false;
      }
      if (host.available.includes(t.fn)) return true;
      log('WARN', 'local.trigger_skipped', { trigger: t.id, reason: `function ${t.fn} has no bundle` });
      return false;
    };
    const triggers = model.triggers.filter(runnable);
    const deadLetters: DeadLetter[] = [];
    const sendToQueue = (key: string, body: string) => queueByKey.get(key)?.send(body);

    const objects = new ObjectStorageTriggers(
      triggers.filter((t): t is Extract<Trigger, { kind: 's3' }> => t.kind === 's3'),
      host,
      { batchCutoffMs: opts.objectBatchCutoffMs ?? 50, timeScale, log, sendToQueue, deadLetters },
    );
    objects.enabled = opts.objectTriggers !== false;
    s3.onEvent((e) => objects.accept(e));
    closers.push(() => objects.close());

    const keyOfQueue = new Map(model.queues.map((q) => [q.name, q.key]));
    const queueTriggers = triggers
      .filter((t): t is Extract<Trigger, { kind: 'ymq' }> => t.kind === 'ymq')
      .map(
        (t) =>
          new QueueTrigger(t, queueByKey.get(t.queue)!, host, {
            timeScale,
            maxReceives: opts.maxReceives ?? 5,
            visibilityTimeoutS: 30,
            log,
            deadLetters,
            deadLetterQueue: (q: LocalQueue) => queueByKey.get(`${keyOfQueue.get(q.name)}-dlq`),
          }),
      );
    closers.push(() => queueTriggers.forEach((q) => q.close()));

    const timers = new Timers(
      triggers.filter((t): t is Extract<Trigger, { kind: 'cron' }> => t.kind === 'cron'),
      host,
      { ...(opts.clockStart ? { start: opts.clockStart } : {}), timeScale, log, deadLetters, sendToQueue },
    );
    closers.push(() => timers.close());
    if (opts.wallClock) timers.startWallClock();

    const specFile = opts.apiSpec === false ? undefined : (opts.apiSpec ?? findApiSpec(root));
    const routes: Route[] = [...triggerRoutes(triggers)];
    if (specFile) {
      for (const r of loadSpecRoutes(specFile, host.available)) if (!routes.some((x) => x.method === r.method && x.path === r.path)) routes.push(r);
    }
    let gateway: HttpGateway | null = null;
    if (routes.length > 0) {
      gateway = await startHttpGateway(routes, host, { log, ...(opts.ports?.api !== undefined ? { port: opts.ports.api } : {}) });
      closers.push(() => gateway!.close());
    }

    const busy = () => objects.pending > 0 || host.busy > 0 || queueTriggers.some((q) => q.busy) || timers.busy || (gateway?.busy ?? 0) > 0;

    /** Resolves once no object event, queue message, retry or invocation is pending. */
    async function idle(timeoutMs = 120_000): Promise<void> {
      const end = Date.now() + timeoutMs;
      // a few quiet polls in a row: a call's publish lands in a queue just after it returns
      for (let quiet = 0; quiet < 3; ) {
        if (Date.now() > end) throw new Error(`the local stack was still busy after ${timeoutMs} ms (${JSON.stringify(status())})`);
        quiet = busy() ? 0 : quiet + 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    }

    const status = () => ({
      objectEvents: objects.pending,
      invocations: host.busy,
      queues: Object.fromEntries(queueTriggers.map((q) => [q.queue.name, q.queue.depth])),
      timers: timers.busy,
    });

    return {
      root,
      dataDir,
      model,
      s3: { endpoint: s3.endpoint, port: s3.port, bucket: model.buckets[0] ?? null, buckets: model.buckets, region: 'ru-central1', credentials: LOCAL_CREDENTIALS },
      ymq: { endpoint: ymq.endpoint, urls: queueUrls },
      /** local queues by queue name (sferum-pulse-notifications, …) */
      queues: ymq.queues,
      api: gateway ? { url: gateway.url, routes: gateway.routes } : null,
      sqlitePath: services['SQLITE_PATH']!,
      /** the service part of every function's environment */
      env: services,
      functions: { available: host.available, missing: host.missing },
      invocations: host.invocations as readonly Invocation[],
      firings: timers.firings as readonly Firing[],
      deadLetters: deadLetters as readonly DeadLetter[],
      /** invokes a function directly, as `yc serverless function invoke` would */
      invoke: (fn: string, event: unknown) => host.invoke(fn, 'direct', event),
      /** turns the Object Storage triggers off (a lost trigger) or back on */
      setObjectTriggers: (on: boolean) => {
        objects.enabled = on;
      },
      now: () => timers.now(),
      tick: (to: Date) => timers.tick(to),
      fireAt: (at: Date) => timers.fireAt(at),
      idle,
      status,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export type LocalStack = Awaited<ReturnType<typeof createLocalStack>>;
