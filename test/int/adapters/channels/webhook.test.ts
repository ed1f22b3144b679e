// Integration: the webhook channel through the outbox against real HTTP receivers on
// 127.0.0.1 and a real SQLite file: signatures on the wire, the retry schedule, 410/400/429,
// dead letter and replay, a crash after a 2xx.
import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { decodeWebhookSecret, verifySignature } from '../../../../shared/adapters/channels/signing.ts';
import { acceptEvents, replayDelivery, sendDue } from '../../../../shared/usecases/deliver-notifications.ts';
import { readDeliveries, readDelivery } from '../../../../shared/usecases/outbox.ts';
import { withOverrides } from '../../../support/faults.ts';
import { breach, MUNI } from '../../../support/builders.ts';
import { scriptedRandom } from '../../../support/notify.ts';
import { HOOK_SECRET, HOOK_SECRET_OLD, notifyEnv, webhookConfig } from '../../../support/notify-env.ts';
import { receiver, type Received } from '../../../support/receiver.ts';

const env = { HOOK_SECRET, HOOK_SECRET_OLD };
const headersOf = (r: Received) => ({
  id: String(r.headers['webhook-id']),
  timestamp: String(r.headers['webhook-timestamp']),
  signature: String(r.headers['webhook-signature']),
});

describe('webhook delivery', () => {
  test('the request is signed over id.timestamp.body with both secrets during rotation', async () => {
    await using rx = await receiver();
    const cfg = webhookConfig(`${rx.url}/hook`);
    (cfg.channels[0] as { secrets: unknown[] }).secrets.push({ env: 'HOOK_SECRET_OLD' });
    using n = await notifyEnv({ config: cfg, env });
    const event = breach({ municipality: MUNI });

    await acceptEvents(n.deps, [event]);
    await sendDue(n.deps);

    expect(rx.seen).toHaveLength(1);
    const r = rx.seen[0]!;
    const h = headersOf(r);
    const ts = Math.floor(n.clock.nowMs() / 1000);
    expect(h.timestamp).toBe(String(ts));
    const expected = [HOOK_SECRET, HOOK_SECRET_OLD].map(
      (s) => `v1,${createHmac('sha256', Buffer.from(s.slice('whsec_'.length), 'base64')).update(`${h.id}.${ts}.${r.body}`).digest('base64')}`,
    );
    expect(h.signature).toBe(expected.join(' '));
    expect(verifySignature([decodeWebhookSecret(HOOK_SECRET_OLD)], h, r.body, ts).ok).toBe(true);
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body).items[0].event_id).toBe(event.id);
  });

  test('500, 500, 503 Retry-After 120, 200 → 4 attempts, one id, fresh timestamps, jittered delays, delivered', async () => {
    const script = [{ status: 500 }, { status: 500 }, { status: 503, headers: { 'retry-after': '120' } }, { status: 200 }];
    await using rx = await receiver((_r, i) => script[i - 1]!);
    const retry = { baseMs: 10_000, capMs: 3_600_000, maxAttempts: 8, maxAgeMs: 72 * 3_600_000 };
    using n = await notifyEnv({ config: webhookConfig(rx.url, { retry }), env, random: scriptedRandom([0.5, 0.25, 0.9]) });
    await acceptEvents(n.deps, [breach()]);
    const t0 = n.clock.nowMs();
    // expected delays: floor(r * min(cap, base * 2^(k-1))), and never before Retry-After
    const d1 = Math.floor(0.5 * 10_000);
    const d2 = Math.floor(0.25 * 20_000);
    const d3 = Math.max(Math.floor(0.9 * 40_000), 120_000);

    await sendDue(n.deps);
    n.clock.advance(d1 - 1);
    expect((await sendDue(n.deps)).attempted).toBe(0);
    n.clock.advance(1);
    await sendDue(n.deps);
    n.clock.advance(d2);
    await sendDue(n.deps);
    n.clock.advance(119_999);
    expect((await sendDue(n.deps)).attempted).toBe(0);
    n.clock.advance(d3 - 119_999);
    const last = await sendDue(n.deps);

    expect(last.delivered).toBe(1);
    expect(rx.seen).toHaveLength(4);
    const ids = new Set(rx.seen.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const stamps = rx.seen.map((r) => Number(r.headers['webhook-timestamp']));
    expect(stamps).toEqual([t0, t0 + d1, t0 + d1 + d2, t0 + d1 + d2 + d3].map((t) => Math.floor(t / 1000)));
    expect(stamps[3]! - stamps[2]!).toBeGreaterThanOrEqual(120);
    expect(d1).toBeLessThan(10_000);
    expect(d2).toBeLessThan(20_000);
    expect(rx.seen.every((r) => r.body === rx.seen[0]!.body)).toBe(true);
    const rec = await readDelivery(n.deps.outbox, [...ids][0] as string);
    expect(rec).toMatchObject({ state: 'delivered', attempts: 4, lastError: 'http.503' });
  });

  test('410 disables the delivery and the endpoint; later deliveries are not attempted', async () => {
    await using rx = await receiver(() => ({ status: 410 }));
    using n = await notifyEnv({ config: webhookConfig(rx.url), env });

    await acceptEvents(n.deps, [breach({ municipality: MUNI })]);
    const first = await sendDue(n.deps);
    await acceptEvents(n.deps, [breach({ metric: 'teachers_msg3_share' })]);
    n.clock.advance(86_400_000);
    const second = await sendDue(n.deps);

    expect(first.disabled).toBe(1);
    expect(second).toMatchObject({ attempted: 1, disabled: 1 });
    expect(rx.seen).toHaveLength(1);
    expect([...(await n.deps.outbox.disabledChannels())]).toEqual(['hook']);
    expect((await readDeliveries(n.deps.outbox, 'disabled')).map((d) => d.lastError)).toEqual(['http.410', 'channel.disabled']);
  });

  test('400 is dead at once, with no retry', async () => {
    await using rx = await receiver(() => ({ status: 400 }));
    using n = await notifyEnv({ config: webhookConfig(rx.url), env });

    await acceptEvents(n.deps, [breach()]);
    await sendDue(n.deps);
    n.clock.advance(7 * 86_400_000);
    await sendDue(n.deps);

    expect(rx.seen).toHaveLength(1);
    expect(await readDeliveries(n.deps.outbox, 'dead')).toMatchObject([{ attempts: 1, lastError: 'http.400' }]);
  });

  test('429 is retried no earlier than its Retry-After', async () => {
    await using rx = await receiver((_r, i) => (i === 1 ? { status: 429, headers: { 'retry-after': '60' } } : { status: 200 }));
    using n = await notifyEnv({ config: webhookConfig(rx.url), env, random: () => 0 });

    await acceptEvents(n.deps, [breach()]);
    await sendDue(n.deps);
    n.clock.advance(59_999);
    const early = await sendDue(n.deps);
    n.clock.advance(1);
    const onTime = await sendDue(n.deps);

    expect(early.attempted).toBe(0);
    expect(onTime.delivered).toBe(1);
    expect(rx.seen).toHaveLength(2);
  });

  test('an endpoint down for the whole schedule ends dead, is listed, and a replay delivers with the original id', async () => {
    let up = false;
    await using rx = await receiver(() => ({ status: up ? 200 : 503 }));
    const retry = { baseMs: 1000, capMs: 60_000, maxAttempts: 3, maxAgeMs: 3_600_000 };
    using n = await notifyEnv({ config: webhookConfig(rx.url, { retry }), env, random: () => 0.99 });
    await acceptEvents(n.deps, [breach({ municipality: MUNI })]);

    for (let i = 0; i < 10; i++) {
      await sendDue(n.deps);
      n.clock.advance(60_000);
    }
    const dead = await readDeliveries(n.deps.outbox, 'dead');
    const attemptsWhileDead = rx.seen.length;
    up = true;
    const replayed = await replayDelivery(n.deps, dead[0]!.id);
    const sent = await sendDue(n.deps);

    expect(attemptsWhileDead).toBe(3);
    expect(dead).toMatchObject([{ attempts: 3, lastError: 'http.503' }]);
    expect(replayed?.state).toBe('pending');
    expect(sent.delivered).toBe(1);
    expect(rx.seen).toHaveLength(4);
    expect(rx.seen[3]!.headers['webhook-id']).toBe(dead[0]!.id);
    expect(rx.seen[3]!.body).toBe(rx.seen[0]!.body);
    expect(await readDeliveries(n.deps.outbox, 'dead')).toEqual([]);
    expect(await replayDelivery(n.deps, dead[0]!.id)).toBeNull();
  });

  test('a delivery is dead once the next try would pass the maximum age', async () => {
    await using rx = await receiver(() => ({ status: 500 }));
    const retry = { baseMs: 60_000, capMs: 3_600_000, maxAttempts: 50, maxAgeMs: 600_000 };
    using n = await notifyEnv({ config: webhookConfig(rx.url, { retry }), env, random: () => 0.99 });
    await acceptEvents(n.deps, [breach()]);
    const deliveryId = (await readDeliveries(n.deps.outbox, 'pending'))[0]!.id;

    // each attempt exactly when due
    for (let i = 0; i < 20; i++) {
      await sendDue(n.deps);
      const rec = await readDelivery(n.deps.outbox, deliveryId);
      if (rec?.state !== 'retrying') break;
      n.clock.set(rec.nextAttemptAtMs!);
    }
    n.clock.advance(86_400_000);
    await sendDue(n.deps);

    // delays 59.4 s, 118.8 s, 237.6 s → next would be 475.2 s later, past 600 s of age at t=415.8 s
    expect(rx.seen).toHaveLength(4);
    expect(await readDeliveries(n.deps.outbox, 'dead')).toHaveLength(1);
  });

  test('a crash between the 2xx and the mark resends once, with the same webhook-id', async () => {
    await using rx = await receiver();
    using n = await notifyEnv({ config: webhookConfig(rx.url), env });
    await acceptEvents(n.deps, [breach()]);
    const crashing = n.reopen((o) =>
      withOverrides(o, {
        apply: async (changes) => {
          if (changes.some((c) => c.next.state === 'delivered')) throw new Error('process killed');
          return o.apply(changes);
        },
      }),
    );

    await expect(sendDue(crashing)).rejects.toThrow('process killed');
    const restarted = n.reopen();
    n.clock.advance(59_999);
    const whileLeased = await sendDue(restarted);
    n.clock.advance(1);
    const afterLease = await sendDue(restarted);
    n.clock.advance(86_400_000);
    const later = await sendDue(restarted);

    expect(whileLeased.attempted).toBe(0);
    expect(afterLease.delivered).toBe(1);
    expect(later.attempted).toBe(0);
    expect(rx.seen).toHaveLength(2);
    expect(rx.seen[1]!.headers['webhook-id']).toBe(rx.seen[0]!.headers['webhook-id']);
  });
});
