// Integration: SSRF. Every refused target is refused at config time and again at
// connect time, and a loopback listener standing in for the target sees zero TCP
// connections. Loopback is NOT allowed here unless a test says so (as a positive control).
import { describe, expect, test } from 'vitest';
import { EmailSender } from '../../../../shared/adapters/channels/email.ts';
import type { Resolve } from '../../../../shared/adapters/channels/http.ts';
import { WebhookSender } from '../../../../shared/adapters/channels/webhook.ts';
import { ConfigError } from '../../../../shared/domain/errors.ts';
import { parseNotifyConfig } from '../../../../shared/domain/notify/config.ts';
import { renderMessage } from '../../../../shared/domain/notify/render.ts';
import { Secret } from '../../../../shared/domain/notify/secret.ts';
import { acceptEvents, sendDue } from '../../../../shared/usecases/deliver-notifications.ts';
import { readDeliveries } from '../../../../shared/usecases/outbox.ts';
import { breach } from '../../../support/builders.ts';
import { manualClock } from '../../../support/notify.ts';
import { HOOK_SECRET, notifyEnv, webhookConfig } from '../../../support/notify-env.ts';
import { receiver } from '../../../support/receiver.ts';

const fakeDns = (table: Record<string, string[]>): Resolve => async (host) => {
  const list = table[host];
  if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const dns = fakeDns({
  'hooks.rebind.test': ['127.0.0.1'],
  'metadata.rebind.test': ['169.254.169.254'],
  'mixed.rebind.test': ['93.158.134.3', '10.0.0.7'],
});

function webhook(url: string, allowLoopback = false) {
  return new WebhookSender({
    url,
    secrets: [new Secret(HOOK_SECRET)],
    timeoutMs: 2000,
    clock: manualClock(),
    guard: { allowLoopback, resolve: dns },
  });
}

const message = (id = 'dlv_ssrf') => ({ deliveryId: id, channelId: 'hook', attempt: 1, message: renderMessage(id, [breach()]) });

describe('SSRF guard', () => {
  const targets = (port: number) => [
    `http://127.0.0.1:${port}/hook`,
    `http://localhost:${port}/hook`,
    `http://[::1]:${port}/hook`,
    `http://[::ffff:127.0.0.1]:${port}/hook`,
    `http://0.0.0.0:${port}/hook`,
    `http://2130706433:${port}/hook`,
    'http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token',
    'http://[::ffff:169.254.169.254]/',
    'http://2852039166/',
    'http://10.0.0.1/',
    `ftp://127.0.0.1:${port}/hook`,
  ];

  test('each target is refused at config time', async () => {
    await using rx = await receiver();
    for (const url of targets(rx.port)) {
      expect(() => parseNotifyConfig(webhookConfig(url)), url).toThrow(ConfigError);
    }
  });

  test('each target is refused at connect time with no connection made', async () => {
    await using rx = await receiver();
    for (const url of targets(rx.port)) {
      const outcome = await webhook(url).send(message());
      expect(outcome.kind, url).toBe('dead');
      expect((outcome as { error: string }).error, url).toMatch(/^ssrf\./);
    }
    expect(rx.connections()).toBe(0);
  });

  test('host names resolving to loopback, metadata or any private address are refused after DNS', async () => {
    await using rx = await receiver();
    const outcomes = await Promise.all(
      [`http://hooks.rebind.test:${rx.port}/`, 'http://metadata.rebind.test/', `http://mixed.rebind.test:${rx.port}/`].map((u) => webhook(u).send(message())),
    );

    expect(outcomes.map((o) => (o as { error: string }).error)).toEqual(['ssrf.resolved_loopback', 'ssrf.resolved_link_local', 'ssrf.resolved_private']);
    expect(rx.connections()).toBe(0);
  });

  test('positive control: with loopback allowed the same resolved name connects', async () => {
    await using rx = await receiver();

    const outcome = await webhook(`http://hooks.rebind.test:${rx.port}/`, true).send(message());

    expect(outcome).toEqual({ kind: 'delivered' });
    expect(rx.connections()).toBe(1);
  });

  test('a 302 to the metadata address is not followed and counts as a failed attempt', async () => {
    await using target = await receiver();
    await using rx = await receiver(() => ({ status: 302, headers: { location: `${target.url}/computeMetadata/v1/` } }));

    const outcome = await webhook(`${rx.url}/hook`, true).send(message());

    expect(outcome).toEqual({ kind: 'retry', error: 'http.302', retryAfterMs: null });
    expect(rx.seen).toHaveLength(1);
    expect(target.connections()).toBe(0);
  });

  test('the Postbox endpoint gets the same checks', async () => {
    await using rx = await receiver();
    const postbox = (endpoint: string) =>
      new EmailSender({
        endpoint,
        region: 'ru-central1',
        from: 'pulse@example.ru',
        to: ['coordinator@example.ru'],
        accessKeyId: new Secret('AKIDEXAMPLE'),
        secretAccessKey: new Secret('postbox-secret'),
        timeoutMs: 2000,
        guard: { allowLoopback: false, resolve: dns },
      });
    const email = postbox(rx.url);
    const viaDns = postbox(`http://hooks.rebind.test:${rx.port}`);

    expect(await email.send(message())).toMatchObject({ kind: 'dead', error: 'ssrf.blocked_address_loopback' });
    expect(await viaDns.send(message())).toMatchObject({ kind: 'dead', error: 'ssrf.resolved_loopback' });
    expect(rx.connections()).toBe(0);
  });

  test('through the use case a refused target ends dead and listed, never retried', async () => {
    await using rx = await receiver();
    using n = await notifyEnv({
      config: webhookConfig(`http://hooks.rebind.test:${rx.port}/`),
      env: { HOOK_SECRET },
      resolve: dns,
      allowLoopback: false,
    });

    await acceptEvents(n.deps, [breach()]);
    await sendDue(n.deps);
    n.clock.advance(86_400_000);
    await sendDue(n.deps);

    expect(await readDeliveries(n.deps.outbox, 'dead')).toMatchObject([{ attempts: 1, lastError: 'ssrf.resolved_loopback' }]);
    expect(rx.connections()).toBe(0);
  });
});
