// Port: one notification channel (webhook, VK bot, Postbox e-mail, log). A sender turns one
// rendered message into one attempt and classifies the result; it never throws for a
// receiver's answer, and its errors are codes without URLs, tokens or bodies.
import type { RenderedMessage } from '../domain/notify/render.ts';

export type OutboundMessage = {
  /** stable across retries and replays: the `webhook-id`, the VK `random_id` seed */
  readonly deliveryId: string;
  readonly channelId: string;
  readonly attempt: number;
  readonly message: RenderedMessage;
  /** what is left of the invocation for this send: the sender's own timeout is capped by it */
  readonly timeoutMs?: number;
};

/** What one attempt means for the outbox: delivered, retried (honouring Retry-After), dead, or the endpoint disabled. */
export type SendOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly error: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'dead'; readonly error: string }
  | { readonly kind: 'disabled'; readonly error: string };

export interface ChannelSender {
  readonly kind: 'webhook' | 'vk' | 'email' | 'log';
  send(msg: OutboundMessage): Promise<SendOutcome>;
}

