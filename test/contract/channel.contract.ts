// Contract suite: what every ChannelSender promises the outbox, whatever its protocol. The
// outbox's schedule rests on these: an attempt is one request (the sender never retries on
// its own), a receiver's answer or silence is an outcome and never a thrown error, a
// transient failure is `retry`, a permanent refusal `dead`, and an error is a short code
// that names neither a secret nor the receiver's address.
import { describe, expect, test } from 'vitest';
import { renderMessage } from '../../shared/domain/notify/render.ts';
import type { ChannelSender, OutboundMessage } from '../../shared/ports/channel.ts';
import { breach, MUNI } from '../support/builders.ts';

/** How the channel's receiver behaves for one test. */
export type ReceiverScript = 'accepts' | 'fails_transiently' | 'refuses' | 'unreachable' | 'silent';

export type ChannelUnderTest = AsyncDisposable & {
  readonly sender: ChannelSender;
  /** requests the receiver has seen so far */
  requests(): number;
  /** strings no outcome may carry: tokens, keys, the receiver's address */
  readonly neverReported: readonly string[];
};

/** A sender wired to a receiver that behaves as `script` says, in this channel's protocol. */
export type ChannelFactory = (script: ReceiverScript) => Promise<ChannelUnderTest>;

export const ALL_SCRIPTS: readonly ReceiverScript[] = ['accepts', 'fails_transiently', 'refuses', 'unreachable', 'silent'];

/** The sender's timeout the factories configure: a silent receiver must cost about this. */
export const CONTRACT_TIMEOUT_MS = 300;

const ERROR_CODE = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/i;

/**
 * `scripts`: the receivers this channel can have; a channel without a remote end (the log
 * line) has only `accepts`, which every channel owes.
 */
export function channelSenderContract(name: string, make: ChannelFactory, scripts: readonly ReceiverScript[] = ALL_SCRIPTS) {
  describe(`ChannelSender contract: ${name}`, () => {
    const cases: { script: ReceiverScript; kind: string; attempts: number | null; title: string }[] = [
      { script: 'accepts', kind: 'delivered', attempts: 1, title: 'an accepting receiver gets exactly one request and the message is delivered' },
      { script: 'fails_transiently', kind: 'retry', attempts: 1, title: 'a transient failure is retried by the outbox, not inside the sender: one request, outcome retry' },
      { script: 'refuses', kind: 'dead', attempts: 1, title: 'a permanent refusal is dead at once' },
      { script: 'unreachable', kind: 'retry', attempts: null, title: 'an unreachable receiver is a retry, never a thrown error' },
      { script: 'silent', kind: 'retry', attempts: null, title: 'a receiver that never answers costs the timeout and is a retry' },
    ];
    for (const c of cases.filter((c) => c.script === 'accepts' || scripts.includes(c.script))) {
      test(c.title, async () => {
        await using ch = await make(c.script);
        const started = Date.now();
        const outcome = await ch.sender.send(message(name));
        const elapsed = Date.now() - started;

        expect(outcome.kind).toBe(c.kind);
        if (c.attempts !== null) expect(ch.requests()).toBe(c.attempts);
        if (outcome.kind !== 'delivered') {
          expect(outcome.error).toMatch(ERROR_CODE);
          for (const s of ch.neverReported) expect(outcome.error).not.toContain(s);
        }
        // a hang guard with room for a loaded machine, not a speed figure
        if (c.script === 'silent') expect(elapsed).toBeGreaterThanOrEqual(CONTRACT_TIMEOUT_MS - 50);
        expect(elapsed).toBeLessThan(CONTRACT_TIMEOUT_MS + 10_000);
      });
    }
  });
}

function message(channelId: string): OutboundMessage {
  const deliveryId = `contract-${channelId}-1`;
  return { deliveryId, channelId, attempt: 1, message: renderMessage(deliveryId, [breach({ municipality: MUNI })]) };
}
