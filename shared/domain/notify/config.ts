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
export type WebhookChannelConfig = z.infer<typeof WebhookChannel>;
export type VkChannelConfig = z.infer<typeof VkChannel>;
export type EmailChannelConfig = z.infer<typeof EmailChannel>;
export type LogChannelConfig = z.infer<typeof LogChannel>;

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
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const ids = new Set<string>();
    for (const [i, ch] of cfg.channels.entries()) {
      if (ids.has(ch.id)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'id'], message: `duplicate channel id ${ch.id}` });
      ids.add(ch.id);
      if (ch.id === DEFAULT_LOG_CHANNEL_ID && ch.kind !== 'log') {
        ctx.addIssue({ code: 'custom', path: ['channels', i, 'id'], message: `channel id "${DEFAULT_LOG_CHANNEL_ID}" is reserved for a log channel` });
      }
      const url = ch.kind === 'webhook' ? ch.url : ch.kind === 'vk' ? ch.baseUrl : ch.kind === 'email' ? ch.endpoint : null;
      const field = ch.kind === 'webhook' ? 'url' : ch.kind === 'vk' ? 'baseUrl' : 'endpoint';
      if (url !== null) urlIssue(url, cfg.allowLoopback, ['channels', i, field], ctx);
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
  const check = checkOutboundUrl(url, { allowLoopback });
  if (!check.ok) {
    ctx.addIssue({ code: 'custom', path, message: `refused URL: ${check.reason}${check.kind ? ` (${check.kind})` : ''}` });
  }
}

/**
 * Validates a raw config object. `allowLoopback` from the environment (NOTIFY_ALLOW_LOOPBACK)
 * can switch loopback on without editing the file. Throws a ConfigError listing paths and
 * reasons only; input values are not echoed.
 */
export function parseNotifyConfig(raw: unknown, overrides: { allowLoopback?: boolean } = {}): NotifyConfig {
  const input = overrides.allowLoopback !== undefined && raw && typeof raw === 'object' ? { ...raw, allowLoopback: overrides.allowLoopback } : raw;
  const parsed = NotifyConfig.safeParse(input);
  if (!parsed.success) {
    const list = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`notification config is invalid: ${list}`);
  }
  return parsed.data;
}

/** The configured channels plus the implicit default log channel. */
export function effectiveChannels(cfg: NotifyConfig): ChannelConfig[] {
  return cfg.channels.some((c) => c.id === DEFAULT_LOG_CHANNEL_ID) ? [...cfg.channels] : [...cfg.channels, { kind: 'log', id: DEFAULT_LOG_CHANNEL_ID }];
}
