// Contract suite: what the queue hand-offs promise their producers and consumers, whatever
// the queue behind them — PeriodChangedSink (ingest → aggregate) and NotificationSink
// (aggregate and schedule → notify). Both are the YMQ publisher: one implementation with two
// backends, Yandex Message Queue in the cloud and the local runtime's queue endpoint
// (infra/local/queue-server.ts), which must answer the same requests as YMQ does. What is
// published arrives whole and once (in no promised order: a standard queue keeps none), a
// hand-off larger than one request's batch too, and a queue that is missing or not there is
// a TransientError, so the producing function throws and its trigger retries. keyv-style:
// each test's events carry ids of its own (`keys()`) and it reads back only those, so a
// shared queue serves as well as a fixture's own; `await using` disposes of the fixture.
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { TransientError } from '../../shared/domain/errors.ts';
import type { NotificationEvent } from '../../shared/domain/events.ts';
import type { PeriodChanged } from '../../shared/domain/schemas.ts';
import type { NotificationSink } from '../../shared/ports/notification-sink.ts';
import type { PeriodChangedSink } from '../../shared/ports/period-changed.ts';
import { breach, P1, P2 } from '../support/builders.ts';

export type QueuesUnderTest = AsyncDisposable & {
  readonly periodChanged: PeriodChangedSink;
  readonly notifications: NotificationSink;
  /** every message body the two queues hold or have handed out since the fixture began, parsed */
  received(queue: 'periodChanged' | 'notifications'): Promise<unknown[]>;
  /** a publisher to a queue the backend does not have */
  readonly missingQueue: PeriodChangedSink;
  /** a publisher to an endpoint nothing listens on */
  readonly unreachable: PeriodChangedSink;
  /** strings no error may carry: the secret key the requests are signed with */
  readonly neverReported: readonly string[];
};

export type QueuesFactory = () => Promise<QueuesUnderTest>;

function keys() {
  const ns = randomUUID().slice(0, 8);
  return {
    periodChanged: (i: number): PeriodChanged => ({ type: 'period_changed', region: '26', period: i % 2 ? P2 : P1, upload_id: `up_contract_${ns}_${i}`, changed_at: '2023-03-13T09:00:00.000Z' }),
    notification: (i: number): NotificationEvent => breach({ municipality: { id: `m_${ns}_${i}`, name: `МО ${i}` }, value: i / 100 }),
  };
}

const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

export function queueSinkContract(name: string, make: QueuesFactory) {
  describe(`PeriodChangedSink / NotificationSink contract: ${name}`, () => {
    test('what is published arrives once each, as the JSON it was', async () => {
      await using q = await make();
      const k = keys();
      const changes = [0, 1, 2].map(k.periodChanged);
      const events = [0, 1].map(k.notification);
      await q.periodChanged.publish(changes);
      await q.notifications.publish(events);
      const ours = new Set([...changes.map((c) => c.upload_id), ...events.map((e) => e.id)]);
      const mine = (bodies: unknown[]) => bodies.filter((b) => ours.has((b as PeriodChanged).upload_id) || ours.has((b as NotificationEvent).id)).sort(byJson);
      expect(mine(await q.received('periodChanged'))).toEqual([...changes].sort(byJson));
      expect(mine(await q.received('notifications'))).toEqual([...events].sort(byJson));
    });

    test('a hand-off larger than one batch request (23 events) arrives whole, none twice', async () => {
      await using q = await make();
      const k = keys();
      const changes = Array.from({ length: 23 }, (_, i) => k.periodChanged(i));
      await q.periodChanged.publish(changes);
      const ours = new Set(changes.map((c) => c.upload_id));
      const arrived = (await q.received('periodChanged')).filter((b) => ours.has((b as PeriodChanged).upload_id));
      expect(arrived.sort(byJson)).toEqual([...changes].sort(byJson));
    });

    test('a queue the backend does not have is a TransientError that names no secret', async () => {
      await using q = await make();
      const err = await q.missingQueue.publish([keys().periodChanged(0)]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientError);
      for (const s of q.neverReported) expect((err as Error).message).not.toContain(s);
    });

    test('an endpoint nothing listens on is a TransientError, not a hang', async () => {
      await using q = await make();
      const err = await q.unreachable.publish([keys().periodChanged(0)]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientError);
    });
  });
}
