// Adapter: the `vk` channel — a VK/Sferum community bot message through VK API
// `messages.send`. Form POST (the token travels in the body, never in a URL that could
// be logged), with `random_id` derived from the delivery id: VK drops a second message
// with the same `random_id`, so a resend after a crash is deduplicated by the API itself.
import type { ChannelSender, OutboundMessage, SendOutcome } from '../../ports/channel.ts';
import type { Clock } from '../../ports/clock.ts';
import { parseRetryAfter } from '../../domain/notify/backoff.ts';
import { classifyStatus, classifyVkError } from './classify.ts';
import { vkRandomId } from '../../domain/notify/grouping.ts';
import type { Secret } from '../../domain/notify/secret.ts';
import { guardedRequest, headerValue, outcomeOfError, type GuardOptions } from './http.ts';

export type VkSenderOptions = {
  readonly baseUrl: string;
  readonly peerId: number;
  readonly token: Secret;
  readonly apiVersion: string;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly guard: GuardOptions;
};

export class VkSender implements ChannelSender {
  readonly kind = 'vk' as const;
  readonly #opts: VkSenderOptions;

  constructor(opts: VkSenderOptions) {
    this.#opts = opts;
  }

  async send(msg: OutboundMessage): Promise<SendOutcome> {
    const o = this.#opts;
    const form = new URLSearchParams({
      peer_id: String(o.peerId),
      message: msg.message.text,
      random_id: String(vkRandomId(msg.deliveryId)),
      access_token: o.token.reveal(),
      v: o.apiVersion,
    });
    try {
      const res = await guardedRequest(
        {
          url: `${o.baseUrl.replace(/\/+$/, '')}/method/messages.send`,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'sferum-pulse-notify/1' },
          body: form.toString(),
          timeoutMs: Math.min(o.timeoutMs, msg.timeoutMs ?? Infinity),
        },
        o.guard,
      );
      const byStatus = classifyStatus(res.status, parseRetryAfter(headerValue(res.headers, 'retry-after'), o.clock.nowMs()));
      if (byStatus.kind !== 'delivered') return byStatus;
      let json: unknown;
      try {
        json = JSON.parse(res.body.toString('utf8'));
      } catch {
        return { kind: 'retry', error: 'vk.bad_response', retryAfterMs: null };
      }
      const err = (json as { error?: { error_code?: unknown } }).error;
      if (err && typeof err.error_code === 'number') return classifyVkError(err.error_code);
      if (json && typeof json === 'object' && 'response' in json) return { kind: 'delivered' };
      return { kind: 'retry', error: 'vk.bad_response', retryAfterMs: null };
    } catch (e) {
      return outcomeOfError(e);
    }
  }
}
