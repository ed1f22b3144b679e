// Integration: the notify function end to end — YMQ trigger events in, timer ticks, admin
// invocations — with a webhook, a VK bot and a Postbox server on 127.0.0.1 and a real
// SQLite outbox. Dedup, grouping and logs without secrets or personal data.
import { describe, expect, test } from 'vitest';
import { notifyHandler } from '../../../../functions/notify/handler.ts';
import type { NotificationEvent } from '../../../../shared/domain/events.ts';
import { TransientError } from '../../../../shared/domain/errors.ts';
import { BatchRetryError } from '../../../../shared/runtime/batch.ts';
import { withOverrides } from '../../../support/faults.ts';
import { functionContext } from '../../../support/events.ts';
import { breach, MUNI } from '../../../support/builders.ts';
import { HOOK_SECRET, notifyEnv } from '../../../support/notify-env.ts';
import { receiver } from '../../../support/receiver.ts';

let seq = 0;
function queueEvent(bodies: unknown[]) {
  return {
    messages: bodies.map((b) => {
      seq++;
      return {
        event_metadata: {
          event_id: `cce76685-5828-4304-a83d-${String(seq).padStart(12, '0')}`,
          event_type: 'yandex.cloud.events.messagequeue.QueueMessage',
          created_at: '2023-03-11T09:00:00.000Z',
        },
        details: {
          queue_id: 'yrn:yc:ymq:ru-central1:b1gfolder:notifications',
          message: {
            message_id: `m-${seq}`,
            md5_of_body: '00000000000000000000000000000000',
            body: typeof b === 'string' ? b : JSON.stringify(b),
            attributes: { SentTimestamp: '1678525200000' },
            message_attributes: {},
          },
        },
      };
    }),
  };
}

const timerEvent = {
  messages: [
    {
      event_metadata: { event_id: 'a1s41g2n5g0o', event_type: 'yandex.cloud.events.serverless.triggers.TimerMessage', created_at: '2023-03-11T09:00:00Z' },
      details: { trigger_id: 'a1sfe084v4se', payload: 'notify-due' },
    },
  ],
};

const SECRETS = {
  HOOK_SECRET,
  VK_TOKEN: 'vk1.a.SEKRET-bot-token',
  POSTBOX_KEY_ID: 'AKIDPOSTBOXSEKRET',
  POSTBOX_SECRET: 'postbox-SEKRET-access-key',
};
const HOOK_TOKEN = 'url-token-SEKRET';
const RECIPIENT = 'coordinator.ivanova@example.ru';

async function fullConfig(windowMs: number) {
  const hook = await receiver();
  const vk = await receiver(() => ({ status: 200, body: '{"response":1}' }));
  const pb = await receiver(() => ({ status: 200, body: '{"MessageId":"x"}' }));
  const config = {
    channels: [
      { kind: 'webhook', id: 'hook', url: `${hook.url}/hooks/${HOOK_TOKEN}?token=${HOOK_TOKEN}`, secrets: [{ env: 'HOOK_SECRET' }] },
      { kind: 'vk', id: 'vk', peerId: 2000000001, token: { env: 'VK_TOKEN' }, baseUrl: vk.url },
      {
        kind: 'email',
        id: 'mail',
        from: 'pulse@example.ru',
        to: [RECIPIENT],
        endpoint: pb.url,
        accessKeyId: { env: 'POSTBOX_KEY_ID' },
        secretAccessKey: { env: 'POSTBOX_SECRET' },
      },
    ],
    routes: [
      { region: '26', channels: ['hook'] },
      { region: '26', municipality: MUNI.id, channels: ['vk', 'mail'] },
    ],
    grouping: { windowMs },
    apiBaseUrl: 'http://127.0.0.1:8080',
  };
  return {
    hook,
    vk,
    pb,
    config,
    async [Symbol.asyncDispose]() {
      await hook[Symbol.asyncDispose]();
      await vk[Symbol.asyncDispose]();
      await pb[Symbol.asyncDispose]();
    },
  };
}

const fiveBreaches = (): NotificationEvent[] =>
  (['teachers_chat_creators_share', 'teachers_msg3_share', 'teachers_msg10_share', 'teachers_calls_share', 'teachers_in_sferum_share'] as const).map((metric, i) =>
    breach({ municipality: MUNI, metric, value: (10 + i) / 100 }),
  );

describe('notify handler', () => {
  test('the same event delivered twice produces one message per channel', async () => {
    await using s = await fullConfig(0);
    using n = await notifyEnv({ config: s.config, env: SECRETS });
    const event = breach({ municipality: MUNI });
    const handler = (event: unknown, context: ReturnType<typeof functionContext>) => notifyHandler(event, context, n.deps);

    await handler(queueEvent([event]), functionContext());
    await handler(queueEvent([event]), functionContext());
    await handler(timerEvent, functionContext());

    expect([s.hook.seen.length, s.vk.seen.length, s.pb.seen.length]).toEqual([1, 1, 1]);
  });

  test('five breaches of one municipality and period arriving within the window become one message listing all five', async () => {
    await using s = await fullConfig(120_000);
    using n = await notifyEnv({ config: s.config, env: SECRETS });
    const events = fiveBreaches();

    for (const e of events) {
      await notifyHandler(queueEvent([e]), functionContext(), n.deps);
      n.clock.advance(20_000);
    }
    await notifyHandler(queueEvent([events[2]]), functionContext(), n.deps); // a redelivery
    const beforeWindow = s.hook.seen.length;
    n.clock.advance(20_000); // 120 s after the first event
    await notifyHandler(timerEvent, functionContext(), n.deps);
    n.clock.advance(3_600_000);
    await notifyHandler(timerEvent, functionContext(), n.deps);

    expect(beforeWindow).toBe(0);
    expect([s.hook.seen.length, s.vk.seen.length, s.pb.seen.length]).toEqual([1, 1, 1]);
    const payload = JSON.parse(s.hook.seen[0]!.body);
    expect(payload.items.map((i: { event_id: string }) => i.event_id).sort()).toEqual(events.map((e) => e.id).sort());
    const vkText = new URLSearchParams(s.vk.seen[0]!.body).get('message')!;
    expect(vkText.split('\n').filter((l) => l.startsWith('• '))).toHaveLength(5);
    expect(vkText).toContain('Открыть на панели: http://127.0.0.1:8080/?region=26&period=');
  });

  test('logs carry no token, secret, recipient or URL; every line is JSON; a CR/LF in a name adds no line', async () => {
    await using s = await fullConfig(0);
    using n = await notifyEnv({ config: s.config, env: SECRETS });
    const hostile = breach({ municipality: { id: MUNI.id, name: 'Изобильненский\r\nFAKE LOG LINE' } });
    const failing = breach({ metric: 'teachers_msg3_share' });
    await s.hook[Symbol.asyncDispose](); // the webhook is down: retry and error paths log too

    await notifyHandler(queueEvent([hostile, failing, 'not json']), functionContext(), n.deps);
    n.clock.advance(86_400_000);
    await notifyHandler(timerEvent, functionContext(), n.deps);
    await notifyHandler({ action: 'list', state: 'retrying' }, functionContext(), n.deps);

    const text = n.logs.lines.join('\n');
    expect(n.logs.lines.length).toBeGreaterThan(5);
    for (const needle of [...Object.values(SECRETS), HOOK_TOKEN, RECIPIENT, s.hook.url, 'whsec_']) {
      expect(text).not.toContain(needle);
    }
    for (const line of n.logs.lines) {
      const entry = JSON.parse(line);
      expect(typeof entry.level).toBe('string');
      expect(typeof entry.msg).toBe('string');
    }
    expect(n.logs.lines.some((l) => l.startsWith('FAKE'))).toBe(false);
    expect(n.logs.entries().some((e) => e.msg === 'notify.retrying' && e.error === 'net.ECONNREFUSED')).toBe(true);
    expect(n.logs.entries().some((e) => e.msg === 'notify.bad_message')).toBe(true);
    // nor in the outbox rows
    const rows = JSON.stringify(n.db.prepare('SELECT * FROM notify_delivery').all()) + JSON.stringify(n.db.prepare('SELECT * FROM notify_delivery_item').all());
    for (const needle of [...Object.values(SECRETS), HOOK_TOKEN, RECIPIENT]) expect(rows).not.toContain(needle);
  });

  test('admin invocations list dead deliveries and replay one with its original id', async () => {
    let up = false;
    await using rx = await receiver(() => ({ status: up ? 204 : 400 }));
    using n = await notifyEnv({
      config: { channels: [{ kind: 'webhook', id: 'hook', url: rx.url, secrets: [{ env: 'HOOK_SECRET' }] }], routes: [{ region: '26', channels: ['hook'] }], grouping: { windowMs: 0 } },
      env: SECRETS,
    });
    await notifyHandler(queueEvent([breach()]), functionContext(), n.deps);

    const listed = JSON.parse((await notifyHandler({ action: 'list', state: 'dead' }, functionContext(), n.deps)).body);
    up = true;
    const replayed = JSON.parse((await notifyHandler({ action: 'replay', delivery_id: listed.deliveries[0].id }, functionContext(), n.deps)).body);

    expect(listed.deliveries).toHaveLength(1);
    expect(replayed.sent.delivered).toBe(1);
    expect(rx.seen.map((r) => r.headers['webhook-id'])).toEqual([listed.deliveries[0].id, listed.deliveries[0].id]);
  });

  test('throws only when the outbox fails transiently; a bad body is skipped', async () => {
    using n = await notifyEnv({ config: {} });
    const broken = {
      ...n.deps,
      outbox: withOverrides(n.deps.outbox, {
        apply: async () => {
          throw new TransientError('database is locked');
        },
      }),
    };

    // every message is attempted; the batch is redelivered for the transient failure
    const thrown = await notifyHandler(queueEvent([breach()]), functionContext(), broken).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(BatchRetryError);
    expect((thrown as BatchRetryError).failures.map((f) => f.error)).toEqual([expect.any(TransientError)]);
    const reply = JSON.parse((await notifyHandler(queueEvent(['{"id":1}']), functionContext(), n.deps)).body);
    expect(reply.skipped).toBe(1);
    expect(reply.accepted.enqueued).toBe(0);
  });
});
