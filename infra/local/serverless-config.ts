// Local runtime: reads serverless.yml — the one description of the wiring — into a
// validated model: functions (bundle, timeout, environment) and their triggers (s3, ymq,
// cron, http), and the resources (queues, buckets). The schema follows
// @yandex-cloud/serverless-plugin's (research §6). Variables are resolved here too:
// `${env:NAME}`, `${env:NAME, 'default'}` and `${lockbox:<secret>/<key>}`, nested. The
// runtime never keeps a second copy of the wiring; everything it runs comes from this model.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/** Trigger retries as the platform allows them: 1–5 attempts, 10–60 s apart. */
const Retry = z.object({ attempts: z.number().int().min(1).max(5), interval: z.number().int().min(10).max(60) });

const S3Event = z.object({
  s3: z.object({
    bucket: z.string().min(1),
    events: z.array(z.enum(['create.object', 'update.object', 'delete.object'])).min(1),
    prefix: z.string().optional(),
    suffix: z.string().optional(),
    account: z.string(),
    retry: Retry.optional(),
    dlq: z.string().optional(),
  }),
});
const YmqEvent = z.object({
  ymq: z.object({
    queue: z.string().min(1),
    queueAccount: z.string(),
    account: z.string(),
    batch: z.number().int().min(1).max(1000),
    cutoff: z.number().min(0).max(60),
  }),
});
const CronEvent = z.object({
  cron: z.object({
    expression: z.string().min(1),
    account: z.string(),
    payload: z.string().max(4096).optional(),
    retry: Retry.optional(),
    dlq: z.string().optional(),
  }),
});
const HttpEvent = z.object({
  http: z.object({
    path: z.string().startsWith('/'),
    method: z.enum(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'any']),
    eventFormat: z.enum(['0.1', '1.0']).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
  }),
});
const KNOWN_KINDS = ['s3', 'ymq', 'cron', 'http'];
const isKnown = (e: unknown) => typeof e === 'object' && e !== null && Object.keys(e).length === 1 && KNOWN_KINDS.includes(Object.keys(e)[0]!);

const Event = z.union([S3Event, YmqEvent, CronEvent, HttpEvent]);

const Fn = z.object({
  handler: z.string().regex(/^dist\/[a-z0-9-]+\/index\.handler$/, 'handlers are dist/<name>/index.handler bundles (npm run build)'),
  memorySize: z.number().int().positive().default(128),
  timeout: z.string().regex(/^\d+$/, 'timeout is a string of seconds, e.g. "60"').default('5'),
  // the project gives every function its service account (least privilege)
  account: z.string(),
  environment: z.record(z.string(), z.string()).default({}),
  // kinds the plugin knows but the runtime does not emulate (yds, cr) are set aside here
  // and reported by loadLocalModel
  events: z.preprocess((v) => (Array.isArray(v) ? v.filter(isKnown) : v), z.array(Event)).default([]),
});

const Resource = z.looseObject({ type: z.string(), name: z.string().optional(), fifo: z.boolean().optional() });

export const ServerlessConfig = z.object({
  service: z.string(),
  provider: z.looseObject({
    name: z.literal('yandex-cloud'),
    runtime: z.string(),
    environment: z.record(z.string(), z.string()).default({}),
    httpApi: z.object({ payload: z.enum(['0.1', '1.0']) }).optional(),
  }),
  functions: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), Fn),
  resources: z.record(z.string(), Resource).default({}),
});
export type ServerlessConfig = z.infer<typeof ServerlessConfig>;

export type RetryPolicy = z.infer<typeof Retry>;

/** A trigger, normalised: each names its function and has an id like the plugin's `<function>-<kind>`. */
export type Trigger =
  | { kind: 's3'; id: string; fn: string; bucket: string; events: readonly ('create.object' | 'update.object' | 'delete.object')[]; prefix?: string; suffix?: string; retry?: RetryPolicy; dlq?: string }
  | { kind: 'ymq'; id: string; fn: string; queue: string; batch: number; cutoffS: number }
  | { kind: 'cron'; id: string; fn: string; expression: string; payload?: string; retry?: RetryPolicy; dlq?: string }
  | { kind: 'http'; id: string; fn: string; path: string; method: string; payloadVersion: '0.1' | '1.0'; context?: Record<string, unknown> }
  | { kind: 'unsupported'; id: string; fn: string; type: string };

export type FunctionSpec = {
  readonly name: string;
  /** the bundle relative to the project root, e.g. dist/ingest/index.js */
  readonly bundle: string;
  readonly memoryMb: number;
  readonly timeoutS: number;
  /** provider environment overlaid with the function's, unresolved */
  readonly environment: Readonly<Record<string, string>>;
};

export type QueueSpec = { readonly key: string; readonly name: string; readonly fifo: boolean };

export type LocalModel = {
  readonly service: string;
  readonly functions: readonly FunctionSpec[];
  readonly triggers: readonly Trigger[];
  /** yc::MessageQueue resources by resource key */
  readonly queues: readonly QueueSpec[];
  /** yc::ObjectStorageBucket names, and every bucket an s3 trigger watches */
  readonly buckets: readonly string[];
};

export class ServerlessConfigError extends Error {
  override readonly name = 'ServerlessConfigError';
}

/** Validates a parsed serverless.yml. */
export function validate(raw: unknown): ServerlessConfig {
  const r = ServerlessConfig.safeParse(raw);
  if (!r.success) {
    throw new ServerlessConfigError(`serverless.yml is not valid:\n  ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  }
  return r.data;
}

/** Normalises a parsed serverless.yml into the model the runtime runs. */
export function toModel(raw: unknown): LocalModel {
  const y = validate(raw);
  const queues: QueueSpec[] = Object.entries(y.resources).flatMap(([key, res]) => (res.type === 'yc::MessageQueue' ? [{ key, name: res.name ?? key, fifo: res.fifo ?? false }] : []));
  const functions: FunctionSpec[] = [];
  const triggers: Trigger[] = [];
  const rawFunctions = (raw as { functions?: Record<string, { events?: unknown }> }).functions ?? {};
  for (const [name, fn] of Object.entries(y.functions)) {
    functions.push({
      name,
      bundle: fn.handler.replace(/\.handler$/, '.js'),
      memoryMb: fn.memorySize,
      timeoutS: Number(fn.timeout),
      environment: { ...y.provider.environment, ...fn.environment },
    });
    const seen = new Map<string, number>();
    const idFor = (kind: string) => {
      const n = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, n);
      return n === 1 ? `${name}-${kind}` : `${name}-${kind}-${n}`;
    };
    for (const e of fn.events) {
      if ('s3' in e) {
        const s = e.s3;
        triggers.push({ kind: 's3', id: idFor('s3'), fn: name, bucket: s.bucket, events: s.events, ...opt('prefix', s.prefix), ...opt('suffix', s.suffix), ...opt('retry', s.retry), ...opt('dlq', s.dlq) });
      } else if ('ymq' in e) {
        const q = e.ymq;
        if (!queues.some((x) => x.key === q.queue)) throw new ServerlessConfigError(`functions.${name}: the ymq trigger names queue "${q.queue}", which resources does not declare as yc::MessageQueue`);
        triggers.push({ kind: 'ymq', id: idFor('ymq'), fn: name, queue: q.queue, batch: q.batch, cutoffS: q.cutoff });
      } else if ('cron' in e) {
        const c = e.cron;
        triggers.push({ kind: 'cron', id: idFor('cron'), fn: name, expression: c.expression, ...opt('payload', c.payload), ...opt('retry', c.retry), ...opt('dlq', c.dlq) });
      } else {
        const h = e.http;
        triggers.push({ kind: 'http', id: idFor('http'), fn: name, path: h.path, method: h.method, payloadVersion: h.eventFormat ?? y.provider.httpApi?.payload ?? '0.1', ...opt('context', h.context) });
      }
    }
    const rawEvents = rawFunctions[name]?.events;
    for (const e of Array.isArray(rawEvents) ? rawEvents : []) {
      if (!isKnown(e)) {
        const type = typeof e === 'object' && e !== null ? Object.keys(e).join('+') || '(empty)' : typeof e;
        triggers.push({ kind: 'unsupported', id: idFor(type), fn: name, type });
      }
    }
  }
  for (const t of triggers) {
    if ((t.kind === 's3' || t.kind === 'cron') && t.dlq !== undefined && !queues.some((q) => q.key === t.dlq)) {
      throw new ServerlessConfigError(`trigger ${t.id}: dlq "${t.dlq}" is not a yc::MessageQueue resource`);
    }
  }
  const buckets = new Set(Object.values(y.resources).flatMap((res) => (res.type === 'yc::ObjectStorageBucket' ? [res.name ?? ''] : [])).filter(Boolean));
  for (const t of triggers) if (t.kind === 's3') buckets.add(t.bucket);
  return { service: y.service, functions, triggers, queues, buckets: [...buckets] };
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function readYaml(path: string): unknown {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ServerlessConfigError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** serverless.yml, validated, in the plugin's own shape. */
export function loadServerlessConfig(path: string): ServerlessConfig {
  return validate(readYaml(path));
}

/** serverless.yml as the model the local runtime runs. */
export function loadLocalModel(path: string): LocalModel {
  return toModel(readYaml(path));
}

/** The queue resources (yc::MessageQueue): resource key → queue name. */
export function queues(cfg: ServerlessConfig): Map<string, string> {
  return new Map(Object.entries(cfg.resources).flatMap(([k, r]) => (r.type === 'yc::MessageQueue' ? [[k, r.name ?? k] as const] : [])));
}

export type VariableSources = {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `${lockbox:<secret id>/<key>}`; undefined = no such entry */
  readonly lockbox?: (ref: string) => string | undefined;
};

/**
 * Resolves every `${source:...}` in `value`, innermost first, as the Serverless Framework
 * does. Returns undefined when a variable has no value and no default: the runtime then
 * leaves that environment variable unset, as a function would see a missing one.
 */
export function resolveVariables(value: string, sources: VariableSources): string | undefined {
  let missing = false;
  const resolveOne = (body: string): string => {
    const colon = body.indexOf(':');
    if (colon < 0) throw new ServerlessConfigError(`unsupported variable \${${body}}: expected \${env:NAME} or \${lockbox:ID/KEY}`);
    const source = body.slice(0, colon).trim();
    const rest = body.slice(colon + 1);
    const [ref, fallback] = splitDefault(rest);
    let v: string | undefined;
    if (source === 'env') v = sources.env[ref.trim()];
    else if (source === 'lockbox') v = sources.lockbox?.(ref.trim());
    else throw new ServerlessConfigError(`unsupported variable source "${source}" in \${${body}}: the local runtime resolves env and lockbox`);
    if (v !== undefined) return v;
    if (fallback !== undefined) return fallback;
    missing = true;
    return '';
  };
  const out = substitute(value, resolveOne);
  return missing ? undefined : out;
}

/** Replaces each top-level `${...}` (with nested ones resolved first); quotes may hold braces. */
function substitute(text: string, resolveOne: (body: string) => string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start < 0) break;
    out += text.slice(i, start);
    let depth = 0;
    let quote: string | null = null;
    let j = start;
    for (; j < text.length; j++) {
      const c = text[j]!;
      if (quote) {
        if (c === quote) quote = null;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '$' && text[j + 1] === '{') {
        depth++;
        j++;
      } else if (c === '}') {
        depth--;
        if (depth === 0) break;
      }
    }
    if (depth !== 0) throw new ServerlessConfigError(`unbalanced \${ in "${text}"`);
    const inner = substitute(text.slice(start + 2, j), resolveOne);
    out += resolveOne(inner);
    i = j + 1;
  }
  return out + text.slice(i);
}

/** `NAME, 'default'` → [NAME, default]; the default may be quoted and may contain commas. */
function splitDefault(rest: string): [string, string | undefined] {
  const comma = rest.indexOf(',');
  if (comma < 0) return [rest, undefined];
  const d = rest.slice(comma + 1).trim();
  const m = /^(['"])([\s\S]*)\1$/.exec(d);
  return [rest.slice(0, comma), m ? m[2]! : d];
}

/** The environment variable name a queue resource's URL is passed in: period-changed → PERIOD_CHANGED_QUEUE_URL. */
export function queueUrlVariable(queueKey: string): string {
  return `${queueKey.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_QUEUE_URL`;
}
