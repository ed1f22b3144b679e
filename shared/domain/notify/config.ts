// Pure: the notification routing configuration (a JSON/YAML file the runtime reads) and
// its validation. Routes map a region, or one municipality of it, to channel ids; a route
// without a municipality is a region channel and receives the whole region. Channels hold
// only *references* to secrets (`{ env: "NAME" }` or a Lockbox entry), never the values,
// so the parsed config can be logged, stored and diffed safely. Every URL we will connect
// to is checked here (config time) and again after DNS by the HTTP adapter (connect time).
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { NotificationType } from '../events.ts';
import { RegionCode } from '../schemas.ts';
import { DEFAULT_BACKOFF } from './backoff.ts';
import { checkOutboundUrl } from './ssrf.ts';

/** The fallback channel: events no route covers are logged, never silently dropped. */
export const DEFAULT_LOG_CHANNEL_ID = 'log';

export const SecretRef = z.union([
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name') }).strict(),
  z
    .object({
      lockbox: z.object({ secretId: z.string().min(1), key: z.string().min(1), versionId: z.string().min(1).optional() }).strict(),
    })
    .strict(),
]);
export type SecretRef = z.infer<typeof SecretRef>;

const ChannelId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'expected a channel id of letters, digits, _ . -');
const Timeout = z.number().int().min(100).max(30_000).default(15_000);
const common = {
  id: ChannelId,
  /** per-channel filter: only these event types; all when absent */
  types: z.array(NotificationType).min(1).optional(),
};

export const WebhookChannel = z
  .object({
    ...common,
    kind: z.literal('webhook'),
    url: z.string(),
    /** current secret first; a second one only while the receiver rotates */
    secrets: z.array(SecretRef).min(1).max(2),
    timeoutMs: Timeout,
  })
  .strict();

export const VkChannel = z
  .object({
    ...common,
    kind: z.literal('vk'),
    peerId: z.number().int(),
    token: SecretRef,
    baseUrl: z.string().default('https://api.vk.com'),
    apiVersion: z.string().regex(/^\d+\.\d+$/).default('5.199'),
    timeoutMs: Timeout,
  })
  .strict();

export const EmailChannel = z
  .object({
    ...common,
    kind: z.literal('email'),
    from: z.email(),
    to: z.array(z.email()).min(1),
    /** Yandex Cloud Postbox speaks the SES v2 API */
    endpoint: z.string().default('https://postbox.cloud.yandex.net'),
    region: z.string().default('ru-central1'),
    accessKeyId: SecretRef,
    secretAccessKey: SecretRef,
    timeoutMs: Timeout,
  })
  .strict();

export const LogChannel = z.object({ ...common, kind: z.literal('log') }).strict();

export const ChannelConfig = z.discriminatedUnion('kind', [WebhookChannel, VkChannel, EmailChannel, LogChannel]);
export type ChannelConfig = z.infer<typeof ChannelConfig>;

export const RouteConfig = z
  .object({
    region: RegionCode,
    /** absent: a region route, every event of the region; present: only that municipality's events */
    municipality: z.string().min(1).optional(),
    channels: z.array(ChannelId).min(1),
  })
  .strict();
export type RouteConfig = z.infer<typeof RouteConfig>;

const RetryConfig = z
  .object({
    baseMs: z.number().int().positive(),
    capMs: z.number().int().positive(),
    maxAttempts: z.number().int().min(1).max(50),
    maxAgeMs: z.number().int().positive(),
  })
  .strict();

export const NotifyConfig = z
  .object({
    channels: z.array(ChannelConfig).default([]),
    routes: z.array(RouteConfig).default([]),
    grouping: z.object({ windowMs: z.number().int().min(0).max(86_400_000) }).strict().default({ windowMs: 300_000 }),
    retry: RetryConfig.default({ ...DEFAULT_BACKOFF }),
    /** when set, messages link to the report; checked like a webhook URL */
    apiBaseUrl: z.string().optional(),
    /** permits loopback targets for local runs and tests; never in the cloud */
    allowLoopback: z.boolean().default(false),
    /** permits `http://` channel URLs (a receiver on this machine) for local runs and tests; never
     * in the cloud: a webhook body carries school data and its signature, which must not travel in clear */
    allowHttp: z.boolean().default(false),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const ids = new Set<string>();
    for (const [i, ch] of cfg.channels.entries()) {
      if (ids.has(ch.id)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'id'], message: `duplicate channel id ${ch.id}` });
      ids.add(ch.id);
      for (const issue of channelRuleIssues(ch, cfg)) ctx.addIssue({ code: 'custom', path: ['channels', i, issue.field], message: issue.message });
    }
    ids.add(DEFAULT_LOG_CHANNEL_ID);
    for (const [i, r] of cfg.routes.entries()) {
      for (const [j, c] of r.channels.entries()) {
        if (!ids.has(c)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'channels', j], message: `unknown channel ${c}` });
      }
    }
    if (cfg.apiBaseUrl !== undefined) urlIssue(cfg.apiBaseUrl, cfg.allowLoopback, ['apiBaseUrl'], ctx);
    if (cfg.retry.capMs < cfg.retry.baseMs) ctx.addIssue({ code: 'custom', path: ['retry', 'capMs'], message: 'capMs is below baseMs' });
  });
export type NotifyConfig = z.infer<typeof NotifyConfig>;

// The message names the field and the reason, never the URL: webhook URLs often embed tokens.
function urlIssue(url: string, allowLoopback: boolean, path: (string | number)[], ctx: z.RefinementCtx): void {
  const refused = refusal(url, allowLoopback);
  if (refused) ctx.addIssue({ code: 'custom', path, message: refused });
}

/** A channel sends signed school data: only over TLS, unless a local run says otherwise. */
function cleartext(url: string, allowHttp: boolean): string | null {
  return !allowHttp && new URL(url).protocol === 'http:' ? 'refused URL: http (use https; NOTIFY_ALLOW_HTTP=1 permits http for a local receiver)' : null;
}

function refusal(url: string, allowLoopback: boolean): string | null {
  const check = checkOutboundUrl(url, { allowLoopback });
  return check.ok ? null : `refused URL: ${check.reason}${check.kind ? ` (${check.kind})` : ''}`;
}

/** Switches the environment may set without editing the file (NOTIFY_ALLOW_LOOPBACK, NOTIFY_ALLOW_HTTP). */
export type Overrides = { allowLoopback?: boolean | undefined; allowHttp?: boolean | undefined };

/**
 * Validates a raw config object. `allowLoopback` from the environment (NOTIFY_ALLOW_LOOPBACK)
 * can switch loopback on without editing the file. Throws a ConfigError listing paths and
 * reasons only; input values are not echoed.
 */
export function parseNotifyConfig(raw: unknown, overrides: Overrides = {}): NotifyConfig {
  const set = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const input = Object.keys(set).length > 0 && raw && typeof raw === 'object' ? { ...raw, ...set } : raw;
  const parsed = NotifyConfig.safeParse(input);
  if (!parsed.success) {
    const list = issuesOf(parsed.error).join('; ');
    throw new ConfigError(`notification config is invalid: ${list}`);
  }
  return parsed.data;
}

/** A channel left out of the running configuration, with why (field paths and reasons only). */
export type DisabledChannel = { readonly id: string; readonly reasons: readonly string[] };

const issuesOf = (error: z.ZodError): string[] => error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);

/**
 * The configuration the notify function runs with: one channel whose entry is invalid (a
 * refused URL, a missing field) is left out and reported, so the other channels, the log
 * channel included, keep delivering; routes lose only that channel. Anything that is not
 * about one channel (the file's shape, grouping, retry, apiBaseUrl) still fails as a whole,
 * like parseNotifyConfig.
 */
export function loadNotifyConfig(raw: unknown, overrides: Overrides = {}): { config: NotifyConfig; disabled: DisabledChannel[] } {
  const input = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  const channels = input && Array.isArray(input['channels']) ? (input['channels'] as unknown[]) : null;
  if (!input || !channels) return { config: parseNotifyConfig(raw, overrides), disabled: [] };
  const allow = { allowLoopback: overrides.allowLoopback ?? input['allowLoopback'] === true, allowHttp: overrides.allowHttp ?? input['allowHttp'] === true };
  const kept: unknown[] = [];
  const disabled: DisabledChannel[] = [];
  const seen = new Set<string>();
  for (const [i, ch] of channels.entries()) {
    const rawId = (ch as { id?: unknown } | null)?.id;
    const id = typeof rawId === 'string' && ChannelId.safeParse(rawId).success ? rawId : `channels[${i}]`;
    const reasons = channelIssues(ch, allow);
    if (seen.has(id)) reasons.push(`id: duplicate channel id ${id}`);
    seen.add(id);
    if (reasons.length) disabled.push({ id, reasons });
    else kept.push(ch);
  }
  const off = new Set(disabled.map((d) => d.id));
  const known = new Set([DEFAULT_LOG_CHANNEL_ID, ...kept.map((c) => (c as { id: string }).id)]);
  const routes = Array.isArray(input['routes'])
    ? (input['routes'] as unknown[]).flatMap((r) => {
        const list = (r as { channels?: unknown } | null)?.channels;
        if (!Array.isArray(list)) return [r];
        // a route keeps every channel but the disabled ones; names it never had still fail below
        const left = list.filter((c) => !(typeof c === 'string' && off.has(c) && !known.has(c)));
        return left.length ? [{ ...(r as object), channels: left }] : [];
      })
    : input['routes'];
  return { config: parseNotifyConfig({ ...input, channels: kept, ...(routes === undefined ? {} : { routes }) }, overrides), disabled };
}

type Allow = { readonly allowLoopback: boolean; readonly allowHttp: boolean };

function channelIssues(ch: unknown, allow: Allow): string[] {
  const parsed = ChannelConfig.safeParse(ch);
  if (!parsed.success) return issuesOf(parsed.error);
  return channelRuleIssues(parsed.data, allow).map((issue) => `${issue.field}: ${issue.message}`);
}

/** The rules of one well-formed channel beyond its schema: the reserved log id, and the URL it connects to. */
function channelRuleIssues(ch: ChannelConfig, allow: Allow): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = [];
  if (ch.id === DEFAULT_LOG_CHANNEL_ID && ch.kind !== 'log') issues.push({ field: 'id', message: `channel id "${DEFAULT_LOG_CHANNEL_ID}" is reserved for a log channel` });
  const out = outboundUrlOf(ch);
  const refused = out ? (refusal(out.url, allow.allowLoopback) ?? cleartext(out.url, allow.allowHttp)) : null;
  if (refused) issues.push({ field: out!.field, message: refused });
  return issues;
}

/** The URL a channel connects to, and the field that holds it; null for the log channel. */
function outboundUrlOf(ch: ChannelConfig): { field: string; url: string } | null {
  if (ch.kind === 'webhook') return { field: 'url', url: ch.url };
  if (ch.kind === 'vk') return { field: 'baseUrl', url: ch.baseUrl };
  if (ch.kind === 'email') return { field: 'endpoint', url: ch.endpoint };
  return null;
}

/** The config without the given channels: routes drop them, and a route left with none goes. */
export function withoutChannels(cfg: NotifyConfig, ids: ReadonlySet<string>): NotifyConfig {
  if (ids.size === 0) return cfg;
  return {
    ...cfg,
    channels: cfg.channels.filter((c) => !ids.has(c.id)),
    routes: cfg.routes.flatMap((r) => {
      const channels = r.channels.filter((c) => !ids.has(c));
      return channels.length ? [{ ...r, channels }] : [];
    }),
  };
}

/** The configured channels plus the implicit default log channel. */
export function effectiveChannels(cfg: NotifyConfig): ChannelConfig[] {
  return cfg.channels.some((c) => c.id === DEFAULT_LOG_CHANNEL_ID) ? [...cfg.channels] : [...cfg.channels, { kind: 'log', id: DEFAULT_LOG_CHANNEL_ID }];
}
