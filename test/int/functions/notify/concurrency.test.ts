// Integration: one channel stops nothing. Channels are sent concurrently, each send bounded
// by a deadline derived from the invocation's remaining time (less the time to record the
// outcomes); claiming stops while there is time to finish; a sender that throws fails only
// its own deliveries, which are marked for retry rather than left leased until their lease
// expires. Real webhook senders, real loopback receivers (one never answers), real SQLite.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { notifyHandler } from '../../../../functions/notify/handler.ts';
import type { ChannelSender } from '../../../../shared/ports/channel.ts';
import { acceptEvents, sendDue, type NotifyDeps } from '../../../../shared/usecases/deliver-notifications.ts';
import { readDeliveries } from '../../../../shared/usecases/outbox.ts';
import { breach } from '../../../support/builders.ts';
import { functionContext } from '../../../support/events.ts';
import { notifyEnv } from '../../../support/notify-env.ts';
import { receiver } from '../../../support/receiver.ts';

const muni = (i: number) => ({ id: `m${i}`, name: `МО ${i}` });
const events = (n: number) => Array.from({ length: n }, (_, i) => breach({ municipality: muni(i) }));

/** A receiver that accepts the connection and the request and never answers. */
async function hangingReceiver() {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server: Server = createServer(() => void requests++);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const hook = (id: string, url: string) => ({ kind: 'webhook', id, url, secrets: [{ env: 'HOOK_SECRET' }], timeoutMs: 30_000 });
const env = { HOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };

/** Wall-clock time for the use case: the send deadline is a real timer. */
const wallClock = { nowMs: () => Date.now() };

async function states(deps: NotifyDeps) {
  const out: Record<string, { state: string; error: string | null }[]> = {};
  for (const state of ['pending', 'retrying', 'delivered', 'dead'] as const) {
    for (const r of await readDeliveries(deps.outbox, state)) (out[r.channelId] ??= []).push({ state: r.state, error: r.lastError });
  }
  return out;
}

describe('notify: one channel stops nothing', () => {
  test('a sender that throws fails only its own deliveries: the other channel delivers, the thrower’s are retried, not stranded', async () => {
    await using fast = await receiver();
    using n = await notifyEnv({ config: { channels: [hook('fast', fast.url), { kind: 'log', id: 'audit' }], routes: [{ region: '26', channels: ['audit', 'fast'] }], grouping: { windowMs: 0 } }, env });
    const throwing: ChannelSender = {
      kind: 'log',
      send: () => {
        throw new TypeError('sender bug');
      },
    };
    const deps: NotifyDeps = { ...n.deps, clock: wallClock, senders: new Map([...n.deps.senders, ['audit', throwing]]) };
    await acceptEvents(deps, events(3));

    const sent = await sendDue(deps, { remainingMs: 30_000 });

    expect(sent).toMatchObject({ attempted: 6, delivered: 3, retrying: 3 });
    expect(fast.seen).toHaveLength(3);
    const s = await states(deps);
    expect(s['fast']).toEqual(Array(3).fill({ state: 'delivered', error: null }));
    expect(s['audit']).toEqual(Array(3).fill({ state: 'retrying', error: 'error.TypeError' }));
  });

  test('a receiver that never answers holds back no other channel; its sends end at the invocation deadline and are retried', async () => {
    await using fast = await receiver();
    await using slow = await hangingReceiver();
    using n = await notifyEnv({ config: { channels: [hook('slow', slow.url), hook('fast', fast.url)], routes: [{ region: '26', channels: ['slow', 'fast'] }], grouping: { windowMs: 0 } }, env });
    const deps: NotifyDeps = { ...n.deps, clock: wallClock, settings: { finishMarginMs: 1_000, minSendMs: 500 } };
    await acceptEvents(deps, events(2));

    const started = Date.now();
    const sent = await sendDue(deps, { remainingMs: 2_500 });
    const took = Date.now() - started;

    // the channel timeout is 30 s; the invocation's 2.5 s less the 1 s margin bound the send
    expect(took).toBeLessThan(2_500);
    expect(took).toBeGreaterThanOrEqual(1_400);
    expect(fast.seen).toHaveLength(2);
    expect(slow.requests()).toBeLessThanOrEqual(1);
    const s = await states(deps);
    expect(s['fast']).toEqual(Array(2).fill({ state: 'delivered', error: null }));
    // the first slow send timed out at the deadline; the second had no time left and was released unsent
    expect(s['slow']?.map((d) => d.state)).toEqual(['retrying', 'retrying']);
    // (the first is the HTTP timeout or the use case's own deadline, whichever timer fires first)
    const errors = s['slow']!.map((d) => d.error);
    expect(errors.filter((e) => e === 'notify.deadline').length).toBeGreaterThanOrEqual(1);
    expect(errors.every((e) => e === 'notify.deadline' || e === 'net.timeout')).toBe(true);
    expect(sent).toMatchObject({ delivered: 2, retrying: 1 });
  });

  test('claiming stops while there is time to finish: nothing is leased that could not be sent', async () => {
    await using fast = await receiver();
    using n = await notifyEnv({ config: { channels: [hook('fast', fast.url)], routes: [{ region: '26', channels: ['fast'] }], grouping: { windowMs: 0 } }, env });
    const deps: NotifyDeps = { ...n.deps, clock: wallClock };
    await acceptEvents(deps, events(1));

    // 2.5 s left: less than the 2 s to record outcomes plus the 1 s a send needs
    expect(await sendDue(deps, { remainingMs: 2_500 })).toMatchObject({ attempted: 0 });
    expect(fast.seen).toHaveLength(0);
    expect((await states(deps))['fast']).toEqual([{ state: 'pending', error: null }]);

    // the next invocation, with time, sends it at once: it was never leased
    const reply = JSON.parse((await notifyHandler({ messages: [{ event_metadata: { event_id: 't', event_type: 'yandex.cloud.events.serverless.triggers.TimerMessage', created_at: '2023-03-10T14:17:47Z' }, details: { trigger_id: 'timer' } }] }, functionContext(30_000), deps)).body);
    expect(reply.sent).toMatchObject({ attempted: 1, delivered: 1 });
    expect(fast.seen).toHaveLength(1);
  });
});
