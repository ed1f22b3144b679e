// Integration: the queue hand-off contract (PeriodChangedSink, NotificationSink) run by the
// YMQ publisher against the local runtime's queue endpoint, one endpoint per test with the
// two queues serverless.yml declares. No real Message Queue is run here: the project only
// ever publishes, and has no reader of a real queue to check what arrived.
import { createServer, type AddressInfo } from 'node:net';
import { YmqPublisher } from '../../../../shared/adapters/ymq/queue-publisher.ts';
import { startQueueService } from '../../../../infra/local/queue-server.ts';
import { queueSinkContract } from '../../../contract/queue-sink.contract.ts';

const SECRET = 'contract-queue-secret-key';
const credentials = async () => ({ accessKeyId: 'YCAJEcontract', secretAccessKey: SECRET });

queueSinkContract('YMQ publisher on the local queue endpoint', async () => {
  const svc = await startQueueService(['period-changed', 'notifications']);
  const publisher = <T>(queueUrl: string, endpoint = svc.endpoint) => new YmqPublisher<T>({ queueUrl, endpoint, region: 'ru-central1', credentials, timeoutMs: 2_000 });
  const closed = await closedPort();
  const bodies = (name: string) => async () => svc.queues.get(name)!.history.map((b) => JSON.parse(b) as unknown);
  const read = { periodChanged: bodies('period-changed'), notifications: bodies('notifications') };
  return {
    periodChanged: publisher(svc.urlOf('period-changed')),
    notifications: publisher(svc.urlOf('notifications')),
    received: (queue) => read[queue](),
    missingQueue: publisher(svc.urlOf('period-changed').replace(/period-changed$/, 'no-such-queue')),
    unreachable: publisher(`http://127.0.0.1:${closed}/b1gfolder/period-changed`, `http://127.0.0.1:${closed}`),
    neverReported: [SECRET],
    [Symbol.asyncDispose]: () => svc.close(),
  };
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
