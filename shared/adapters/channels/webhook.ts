// Adapter: the `webhook` channel. POSTs the message payload as JSON, signed the Standard
// Webhooks way: `webhook-id` is the delivery id (the same on every retry and replay, the
// receiver's idempotency key), `webhook-timestamp` is the time of this attempt, and
// `webhook-signature` carries one `v1,` signature per configured secret (two during
// rotation). The answer is classified by status; the URL is never logged or reported.
import type { Clock } from '../../ports/clock.ts';
import type { ChannelSender, OutboundMessage, SendOutcome } from '../../ports/channel.ts';
import { parseRetryAfter } from '../../domain/notify/backoff.ts';
import { classifyStatus } from './classify.ts';
import { decodeWebhookSecret, signatureHeader } from './signing.ts';
import type { Secret } from '../../domain/notify/secret.ts';
import { guardedRequest, headerValue, outcomeOfError, type GuardOptions } from './http.ts';

export type WebhookSenderOptions = {
  readonly url: string;
  /** `whsec_<base64>` secrets, current first */
  readonly secrets: readonly Secret[];
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly guard: GuardOptions;
};

export class WebhookSender implements ChannelSender {
  readonly kind = 'webhook' as const;
  readonly #keys: readonly Uint8Array[];
  readonly #opts: WebhookSenderOptions;

  constructor(opts: WebhookSenderOptions) {
    this.#keys = opts.secrets.map((s) => decodeWebhookSecret(s.reveal()));
    this.#opts = opts;
  }

  async send(msg: OutboundMessage): Promise<SendOutcome> {
    const body = JSON.stringify(msg.message.payload);
    const nowMs = this.#opts.clock.nowMs();
    const ts = Math.floor(nowMs / 1000);
    try {
      const res = await guardedRequest(
        {
          url: this.#opts.url,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'sferum-pulse-notify/1',
            'webhook-id': msg.deliveryId,
            'webhook-timestamp': String(ts),
            'webhook-signature': signatureHeader(this.#keys, msg.deliveryId, ts, body),
          },
          body,
          timeoutMs: Math.min(this.#opts.timeoutMs, msg.timeoutMs ?? Infinity),
        },
        this.#opts.guard,
      );
      return classifyStatus(res.status, parseRetryAfter(headerValue(res.headers, 'retry-after'), nowMs));
    } catch (e) {
      return outcomeOfError(e);
    }
  }
}
