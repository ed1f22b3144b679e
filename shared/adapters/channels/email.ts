// Adapter: the `email` channel through Yandex Cloud Postbox, which speaks the Amazon SES v2
// API (SendEmail, POST /v2/email/outbound-emails). The SDK's own retries are off: the
// outbox owns the schedule. Its sockets use the same connect-time address check as the
// webhook, and the SDK's errors are reduced to a status or an error name — never the
// keys, the recipients or the endpoint.
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { ChannelSender, OutboundMessage, SendOutcome } from '../../ports/channel.ts';
import { classifyStatus } from './classify.ts';
import { checkOutboundUrl } from '../../domain/notify/ssrf.ts';
import type { Secret } from '../../domain/notify/secret.ts';
import { guardedAgents, outcomeOfError, SsrfBlockedError, type GuardOptions } from './http.ts';

export type EmailSenderOptions = {
  readonly endpoint: string;
  readonly region: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly accessKeyId: Secret;
  readonly secretAccessKey: Secret;
  readonly timeoutMs: number;
  readonly guard: GuardOptions;
};

export class EmailSender implements ChannelSender {
  readonly kind = 'email' as const;
  readonly #opts: EmailSenderOptions;
  #ses: Promise<{ client: SESv2Client; SendEmailCommand: typeof import('@aws-sdk/client-sesv2').SendEmailCommand }> | undefined;

  constructor(opts: EmailSenderOptions) {
    this.#opts = opts;
  }

  /** The SES client, loaded on the first e-mail: a notify instance without one never parses the SDK. */
  #client() {
    this.#ses ??= import('@aws-sdk/client-sesv2').then(({ SESv2Client, SendEmailCommand }) => {
      const opts = this.#opts;
      const { httpAgent, httpsAgent } = guardedAgents(opts.guard);
      const client = new SESv2Client({
        endpoint: opts.endpoint,
        region: opts.region,
        maxAttempts: 1,
        credentials: async () => ({ accessKeyId: opts.accessKeyId.reveal(), secretAccessKey: opts.secretAccessKey.reveal() }),
        requestHandler: { httpAgent, httpsAgent, requestTimeout: opts.timeoutMs, connectionTimeout: opts.timeoutMs },
      });
      return { client, SendEmailCommand };
    });
    return this.#ses;
  }

  async send(msg: OutboundMessage): Promise<SendOutcome> {
    // literal addresses never reach the lookup hook, so check the endpoint itself first
    const check = checkOutboundUrl(this.#opts.endpoint, this.#opts.guard);
    if (!check.ok) return outcomeOfError(new SsrfBlockedError(check.kind ? `${check.reason}_${check.kind}` : check.reason));
    try {
      const { client, SendEmailCommand } = await this.#client();
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: this.#opts.from,
          Destination: { ToAddresses: [...this.#opts.to] },
          Content: {
            Simple: {
              Subject: { Data: msg.message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: msg.message.text, Charset: 'UTF-8' } },
            },
          },
        }),
        { abortSignal: AbortSignal.timeout(Math.min(this.#opts.timeoutMs, msg.timeoutMs ?? Infinity)) },
      );
      return { kind: 'delivered' };
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
      if (typeof status === 'number' && status >= 300) return classifyStatus(status, null);
      const inner = findSsrf(e);
      if (inner) return outcomeOfError(inner);
      return { kind: 'retry', error: `email.${e instanceof Error ? e.name : 'unknown'}`, retryAfterMs: null };
    }
  }
}

function findSsrf(e: unknown): SsrfBlockedError | null {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (cur instanceof SsrfBlockedError) return cur;
  }
  return null;
}
