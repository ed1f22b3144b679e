// Integration: one policy for every trigger-driven function. An event whose envelope does
// not parse — not an event at all, or a Yandex event missing a field — is logged once at
// ERROR as `<fn>.invalid_event` and answered with a 200: never thrown, because the trigger
// would redeliver the same bytes and fail the same way until the dead-letter queue (ingest
// threw a ZodError that `isRetryable` took for transient). The policy runs before any
// dependency is touched, so each handler gets only a logger here.
import { describe, expect, test } from 'vitest';
import { aggregateHandler } from '../../../functions/aggregate/handler.ts';
import { ingestHandler } from '../../../functions/ingest/handler.ts';
import { notifyHandler } from '../../../functions/notify/handler.ts';
import { scheduleHandler } from '../../../functions/schedule/handler.ts';
import { isRetryable } from '../../../shared/domain/errors.ts';
import { SchoolRow } from '../../../shared/domain/schemas.ts';
import { functionContext, storageEvent } from '../../support/events.ts';
import { capturedLogger } from '../../support/logs.ts';

type Handler = (event: unknown, context: ReturnType<typeof functionContext>, deps: never) => Promise<{ statusCode: number; body: string }>;

const handlers: [string, Handler][] = [
  ['ingest', ingestHandler as Handler],
  ['aggregate', aggregateHandler as Handler],
  ['notify', notifyHandler as Handler],
  ['schedule', scheduleHandler as Handler],
];

const storageWithoutBucket = (() => {
  const e = storageEvent('sferum-pulse-exports', ['uploads/26/ОО.csv']);
  delete (e.messages[0]!.details as { bucket_id?: string }).bucket_id;
  return e;
})();

const envelopes: [string, unknown][] = [
  ['not an event', { hello: 'world' }],
  ['null', null],
  ['an empty batch', { messages: [] }],
  ['an Object Storage event without its bucket', storageWithoutBucket],
  ['a queue message without a body', { messages: [{ event_metadata: { event_id: 'e', event_type: 'yandex.cloud.events.messagequeue.QueueMessage', created_at: '2023-03-10T14:17:47Z' }, details: { queue_id: 'q', message: { message_id: 'm' } } }] }],
];

describe.each(handlers)('%s', (fn, handler) => {
  test.each(envelopes)('%s: logged once, answered, not retried', async (_what, event) => {
    const logs = capturedLogger();
    const reply = await handler(event, functionContext(), { log: logs.log } as never);
    expect(reply.statusCode).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ error: 'invalid_event' });
    expect(logs.entries().map((e) => [e.level, e.msg])).toEqual([['ERROR', `${fn}.invalid_event`]]);
  });
});

test('a ZodError from deeper down is not retryable either: the same data fails the same way', () => {
  const err = (() => {
    try {
      SchoolRow.parse({});
    } catch (e) {
      return e;
    }
  })();
  expect(err).toBeInstanceOf(Error);
  expect(isRetryable(err)).toBe(false);
});
