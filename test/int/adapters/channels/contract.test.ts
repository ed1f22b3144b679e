// Integration: the ChannelSender contract run by every sender against loopback receivers
// speaking its protocol: the webhook (HTTP status), the VK bot (HTTP 200 with an `error`
// object), Postbox through the SES v2 SDK, and the log line.
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { EmailSender } from '../../../../shared/adapters/channels/email.ts';
import { LogSender } from '../../../../shared/adapters/channels/log.ts';
import { VkSender } from '../../../../shared/adapters/channels/vk.ts';
import { WebhookSender } from '../../../../shared/adapters/channels/webhook.ts';
import { Secret } from '../../../../shared/domain/notify/secret.ts';
import type { ChannelSender } from '../../../../shared/ports/channel.ts';
import { channelSenderContract, CONTRACT_TIMEOUT_MS, type ChannelUnderTest, type ReceiverScript } from '../../../contract/channel.contract.ts';
import { capturedLogger } from '../../../support/logs.ts';
import { manualClock } from '../../../support/notify.ts';
import { receiver, type Answer } from '../../../support/receiver.ts';

const HOOK_SECRET = 'whsec_' + Buffer.from('contract-webhook-secret-32-bytes!').toString('base64');
const VK_TOKEN = 'vk1.a.contract-token';
const POSTBOX_SECRET = 'contract-postbox-secret';
const guard = { allowLoopback: true };

/** Where the receiver lives for one script: an answering server, a closed port, or a server that never answers. */
async function receiverFor(script: ReceiverScript, answers: Record<'accepts' | 'fails_transiently' | 'refuses', Answer>) {
  if (script === 'unreachable') {
    const port = await closedPort();
    return { url: `http://127.0.0.1:${port}`, requests: () => 0, [Symbol.asyncDispose]: async () => {} };
  }
  if (script === 'silent') return silentServer();
  const answer = answers[script];
  const rx = await receiver(() => answer);
  return { url: rx.url, requests: () => rx.seen.length, [Symbol.asyncDispose]: rx[Symbol.asyncDispose] };
}

function channel(sender: ChannelSender, rx: { url: string; requests(): number } & AsyncDisposable, neverReported: string[]): ChannelUnderTest {
  return { sender, requests: rx.requests, neverReported: [...neverReported, rx.url, '127.0.0.1'], [Symbol.asyncDispose]: () => rx[Symbol.asyncDispose]() };
}

channelSenderContract('webhook', async (script) => {
  const rx = await receiverFor(script, { accepts: { status: 204 }, fails_transiently: { status: 503 }, refuses: { status: 400 } });
  const sender = new WebhookSender({ url: `${rx.url}/hook`, secrets: [new Secret(HOOK_SECRET)], timeoutMs: CONTRACT_TIMEOUT_MS, clock: manualClock(), guard });
  return channel(sender, rx, [HOOK_SECRET]);
});

channelSenderContract('vk', async (script) => {
  const json = (body: unknown): Answer => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const rx = await receiverFor(script, {
    accepts: json({ response: 1 }),
    fails_transiently: json({ error: { error_code: 10, error_msg: 'Internal server error' } }),
    refuses: json({ error: { error_code: 5, error_msg: 'User authorization failed' } }),
  });
  const sender = new VkSender({ baseUrl: rx.url, peerId: 2000000042, token: new Secret(VK_TOKEN), apiVersion: '5.199', timeoutMs: CONTRACT_TIMEOUT_MS, clock: manualClock(), guard });
  return channel(sender, rx, [VK_TOKEN]);
});

channelSenderContract('email', async (script) => {
  const json = (status: number, body: unknown, type?: string): Answer => ({
    status,
    headers: { 'content-type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) },
    body: JSON.stringify(body),
  });
  const rx = await receiverFor(script, {
    accepts: json(200, { MessageId: 'pb-1' }),
    fails_transiently: json(503, { message: 'slow down' }, 'TooManyRequestsException'),
    refuses: json(400, { message: 'bad address' }, 'BadRequestException'),
  });
  const sender = new EmailSender({
    endpoint: rx.url,
    region: 'ru-central1',
    from: 'pulse@example.ru',
    to: ['coordinator@example.ru'],
    accessKeyId: new Secret('AKIDCONTRACT'),
    secretAccessKey: new Secret(POSTBOX_SECRET),
    timeoutMs: CONTRACT_TIMEOUT_MS,
    guard,
  });
  return channel(sender, rx, ['AKIDCONTRACT', POSTBOX_SECRET, 'coordinator@example.ru']);
});

channelSenderContract(
  'log',
  async () => {
    const logs = capturedLogger();
    const requests = () => logs.entries().filter((l) => l.msg === 'notify.message').length;
    return { sender: new LogSender(logs.log), requests, neverReported: [], [Symbol.asyncDispose]: async () => {} };
  },
  ['accepts'],
);

async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Accepts connections and reads the request, but never answers. */
async function silentServer() {
  const sockets = new Set<Socket>();
  let requests = 0;
  const s = createTcpServer((sock) => {
    requests++;
    sockets.add(sock);
    sock.on('data', () => {});
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((r) => {
        for (const sock of sockets) sock.destroy();
        s.close(() => r());
      }),
  };
}
