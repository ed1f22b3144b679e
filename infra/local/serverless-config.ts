// Reads serverless.yml — the one description of the wiring — into a validated model the
// local runtime runs: functions with their handler, environment and trigger events, and
// the resources (buckets, queues). `${env:NAME}` and `${env:NAME, 'default'}` variables are
// resolved against the runtime's environment; `${lockbox:...}` against local stand-ins.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const S3Event = z.object({ s3: z.object({ bucket: z.string(), events: z.array(z.string()).min(1), prefix: z.string().optional(), suffix: z.string().optional(), account: z.string(), retry: z.object({ attempts: z.number().int(), interval: z.number().int() }).optional(), dlq: z.string().optional() }) });
const YmqEvent = z.object({ ymq: z.object({ queue: z.string(), queueAccount: z.string(), account: z.string(), batch: z.number().int().min(1), cutoff: z.number().min(0) }) });
const CronEvent = z.object({ cron: z.object({ expression: z.string(), account: z.string(), payload: z.string().optional(), retry: z.object({ attempts: z.number().int(), interval: z.number().int() }).optional() }) });
const HttpEvent = z.object({ http: z.object({ path: z.string(), method: z.string() }).passthrough() });
const Event = z.union([S3Event, YmqEvent, CronEvent, HttpEvent]);

const Fn = z.object({
  handler: z.string().regex(/^dist\/[a-z-]+\/index\.handler$/, 'handlers are dist/<name>/index.handler bundles'),
  memorySize: z.number().int().optional(),
  timeout: z.string().regex(/^\d+$/),
  account: z.string(),
  environment: z.record(z.string(), z.string()).optional(),
  events: z.array(Event).default([]),
});

const Resource = z.object({ type: z.string(), name: z.string().optional(), roles: z.array(z.string()).optional() }).passthrough();

export const ServerlessConfig = z.object({
  service: z.string(),
  provider: z.object({ name: z.literal('yandex-cloud'), runtime: z.string(), environment: z.record(z.string(), z.string()).default({}) }).passthrough(),
  functions: z.record(z.string(), Fn),
  resources: z.record(z.string(), Resource).default({}),
});
export type ServerlessConfig = z.infer<typeof ServerlessConfig>;
export type FunctionConfig = z.infer<typeof Fn>;
export type TriggerEvent = z.infer<typeof Event>;

export function loadServerlessConfig(path: string): ServerlessConfig {
  return ServerlessConfig.parse(parse(readFileSync(path, 'utf8')));
}

/** Resolves `${env:NAME}`, `${env:NAME, 'default'}` and `${lockbox:...}` in one value. */
export function resolveVariables(value: string, env: Readonly<Record<string, string | undefined>>, lockbox: (ref: string) => string): string {
  return value.replace(/\$\{(env|lockbox):([^}]*(?:\}[^}]*)?)\}/g, (_, kind: string, body: string) => {
    if (kind === 'lockbox') return lockbox(body);
    const [name, fallback] = body.split(',').map((s) => s.trim());
    const v = env[name!];
    if (v !== undefined) return v;
    if (fallback !== undefined) return fallback.replace(/^['"]|['"]$/g, '');
    return '';
  });
}

/** The queue resources (yc::MessageQueue) by resource key, and the buckets. */
export function queues(cfg: ServerlessConfig): Map<string, string> {
  return new Map(Object.entries(cfg.resources).flatMap(([k, r]) => (r.type === 'yc::MessageQueue' ? [[k, r.name ?? k]] : [])));
}

export function buckets(cfg: ServerlessConfig): string[] {
  return Object.values(cfg.resources).flatMap((r) => (r.type === 'yc::ObjectStorageBucket' ? [r.name!] : []));
}
