// Adapter: builds one ChannelSender per configured channel (plus the default log channel),
// resolving every secret reference once, at start-up. Only this module sees secret values
// on their way into the senders; the use case gets senders by channel id.
import type { ChannelConfig, NotifyConfig, SecretRef } from '../../domain/notify/config.ts';
import { effectiveChannels } from '../../domain/notify/config.ts';
import type { Secret } from '../../domain/notify/secret.ts';
import type { ChannelSender } from '../../ports/channel.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { SecretResolver } from '../../ports/secrets.ts';
import { EmailSender } from './email.ts';
import type { Resolve } from './http.ts';
import { LogSender } from './log.ts';
import { VkSender } from './vk.ts';
import { WebhookSender } from './webhook.ts';

export type SenderDeps = {
  readonly secrets: SecretResolver;
  readonly clock: Clock;
  readonly log: Pick<Logger, 'info'>;
  /** DNS override for tests; the system resolver otherwise */
  readonly resolve?: Resolve;
  /** when set, a channel whose sender cannot be built (a secret that does not resolve) is
   * reported here and left out, instead of failing every channel */
  readonly onChannelError?: (channelId: string, error: unknown) => void;
};

export async function createSenders(config: NotifyConfig, deps: SenderDeps): Promise<Map<string, ChannelSender>> {
  const cache = new Map<string, Promise<Secret>>();
  const secret = (ref: SecretRef) => {
    const key = JSON.stringify(ref);
    let s = cache.get(key);
    if (!s) cache.set(key, (s = deps.secrets.resolve(ref)));
    return s;
  };
  const guard = { allowLoopback: config.allowLoopback, ...(deps.resolve ? { resolve: deps.resolve } : {}) };
  const senders = new Map<string, ChannelSender>();
  for (const ch of effectiveChannels(config)) {
    try {
      senders.set(ch.id, await senderFor(ch));
    } catch (err) {
      if (!deps.onChannelError) throw err;
      deps.onChannelError(ch.id, err);
    }
  }
  return senders;

  async function senderFor(ch: ChannelConfig): Promise<ChannelSender> {
    switch (ch.kind) {
      case 'webhook':
        return new WebhookSender({ url: ch.url, secrets: await Promise.all(ch.secrets.map(secret)), timeoutMs: ch.timeoutMs, clock: deps.clock, guard });
      case 'vk':
        return new VkSender({ baseUrl: ch.baseUrl, peerId: ch.peerId, token: await secret(ch.token), apiVersion: ch.apiVersion, timeoutMs: ch.timeoutMs, clock: deps.clock, guard });
      case 'email':
        return new EmailSender({
          endpoint: ch.endpoint,
          region: ch.region,
          from: ch.from,
          to: ch.to,
          accessKeyId: await secret(ch.accessKeyId),
          secretAccessKey: await secret(ch.secretAccessKey),
          timeoutMs: ch.timeoutMs,
          guard,
        });
      case 'log':
        return new LogSender(deps.log);
    }
  }
}
