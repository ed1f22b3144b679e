// Integration: the VK bot and Postbox channels against loopback servers that check the
// exact requests, and the log channel's single JSON line.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { acceptEvents, sendDue } from '../../../../shared/usecases/deliver-notifications.ts';
import { readDeliveries } from '../../../../shared/usecases/outbox.ts';
import { breach, MUNI } from '../../../support/builders.ts';
import { notifyEnv } from '../../../support/notify-env.ts';
import { receiver } from '../../../support/receiver.ts';

const VK_TOKEN = 'vk1.a.bot-token-never-logged';

function vkConfig(baseUrl: string) {
  return {
    channels: [{ kind: 'vk', id: 'vk-chat', peerId: 2000000042, token: { env: 'VK_TOKEN' }, baseUrl, apiVersion: '5.199' }],
    routes: [{ region: '26', channels: ['vk-chat'] }],
    grouping: { windowMs: 0 },
  };
}

function postboxConfig(endpoint: string) {
  return {
    channels: [
      {
        kind: 'email',
        id: 'mail',
        from: 'pulse@example.ru',
        to: ['coordinator@example.ru'],
        endpoint,
        accessKeyId: { env: 'POSTBOX_KEY_ID' },
        secretAccessKey: { env: 'POSTBOX_SECRET' },
      },
    ],
    routes: [{ region: '26', channels: ['mail'] }],
    grouping: { windowMs: 0 },
  };
}

describe('vk channel', () => {
  test('posts messages.send with the exact form fields and a random_id derived from the delivery id', async () => {
    await using vk = await receiver(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"response":731}' }));
    using n = await notifyEnv({ config: vkConfig(`${vk.url}/`), env: { VK_TOKEN } });
    const event = breach({ municipality: MUNI });

    await acceptEvents(n.deps, [event]);
    const sent = await sendDue(n.deps);

    expect(sent.delivered).toBe(1);
    expect(vk.seen).toHaveLength(1);
    const r = vk.seen[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/method/messages.send');
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(r.body);
    const deliveryId = (await readDeliveries(n.deps.outbox, 'delivered'))[0]!.id;
    const randomId = createHash('sha256').update(deliveryId).digest().readUInt32BE(0) & 0x7fffffff;
    expect([...form.keys()].sort()).toEqual(['access_token', 'message', 'peer_id', 'random_id', 'v']);
    expect(form.get('peer_id')).toBe('2000000042');
    expect(form.get('random_id')).toBe(String(randomId));
    expect(form.get('access_token')).toBe(VK_TOKEN);
    expect(form.get('v')).toBe('5.199');
    expect(form.get('message')).toContain('Изобильненский муниципальный округ');
    expect(form.get('message')).toContain('21,292 % при цели ≥ 35 %');
  });

  test('a VK flood-control error is retried with the same random_id', async () => {
    await using vk = await receiver((_r, i) => ({
      status: 200,
      body: i === 1 ? '{"error":{"error_code":9,"error_msg":"Flood control"}}' : '{"response":1}',
    }));
    using n = await notifyEnv({ config: vkConfig(vk.url), env: { VK_TOKEN }, random: () => 0 });

    await acceptEvents(n.deps, [breach()]);
    const first = await sendDue(n.deps);
    n.clock.advance(60_000);
    const second = await sendDue(n.deps);

    expect(first.retrying).toBe(1);
    expect(second.delivered).toBe(1);
    const ids = vk.seen.map((r) => new URLSearchParams(r.body).get('random_id'));
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  test('an authorisation error is dead', async () => {
    await using vk = await receiver(() => ({ status: 200, body: '{"error":{"error_code":5,"error_msg":"User authorization failed"}}' }));
    using n = await notifyEnv({ config: vkConfig(vk.url), env: { VK_TOKEN } });

    await acceptEvents(n.deps, [breach()]);
    await sendDue(n.deps);

    expect(await readDeliveries(n.deps.outbox, 'dead')).toMatchObject([{ lastError: 'vk.5' }]);
  });
});

describe('email channel (Postbox, SES v2)', () => {
  test('sends SendEmail to /v2/email/outbound-emails, signed for ses in ru-central1', async () => {
    await using pb = await receiver(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"MessageId":"pb-1"}' }));
    using n = await notifyEnv({ config: postboxConfig(pb.url), env: { POSTBOX_KEY_ID: 'AKIDPOSTBOX', POSTBOX_SECRET: 'postbox-secret-key' } });

    await acceptEvents(n.deps, [breach({ municipality: MUNI })]);
    const sent = await sendDue(n.deps);

    expect(sent.delivered).toBe(1);
    expect(pb.seen).toHaveLength(1);
    const r = pb.seen[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/v2/email/outbound-emails');
    expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDPOSTBOX\/\d{8}\/ru-central1\/ses\/aws4_request, /);
    const body = JSON.parse(r.body);
    expect(body.FromEmailAddress).toBe('pulse@example.ru');
    expect(body.Destination).toEqual({ ToAddresses: ['coordinator@example.ru'] });
    expect(body.Content.Simple.Subject).toEqual({ Data: 'Сферум: Изобильненский муниципальный округ, 06.03-10.03.2023', Charset: 'UTF-8' });
    expect(body.Content.Simple.Body.Text.Data).toContain('21,292 % при цели ≥ 35 %');
    expect(JSON.stringify(body)).not.toContain('postbox-secret-key');
  });

  test('a 5xx is retried and a 400 is dead', async () => {
    await using pb = await receiver((_r, i) =>
      i === 1
        ? { status: 500, headers: { 'x-amzn-errortype': 'InternalFailure' }, body: '{"message":"boom"}' }
        : { status: 400, headers: { 'x-amzn-errortype': 'BadRequestException' }, body: '{"message":"bad"}' },
    );
    using n = await notifyEnv({ config: postboxConfig(pb.url), env: { POSTBOX_KEY_ID: 'AKIDPOSTBOX', POSTBOX_SECRET: 'postbox-secret-key' }, random: () => 0 });

    await acceptEvents(n.deps, [breach()]);
    const first = await sendDue(n.deps);
    const second = await sendDue(n.deps);

    expect(first.retrying).toBe(1);
    expect(second.dead).toBe(1);
    expect(pb.seen).toHaveLength(2);
    expect(await readDeliveries(n.deps.outbox, 'dead')).toMatchObject([{ lastError: 'http.400' }]);
  });
});

describe('log channel', () => {
  test('with nothing configured a message is one JSON line on the default log channel', async () => {
    using n = await notifyEnv({ config: {} });

    await acceptEvents(n.deps, [breach({ municipality: MUNI })]);
    n.clock.advance(300_000);
    await sendDue(n.deps);

    const lines = n.logs.entries().filter((e) => e.msg === 'notify.message');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'INFO', channel_id: 'log', items: 1 });
    expect(String(lines[0]!.text)).toContain('21,292 %');
  });
});
