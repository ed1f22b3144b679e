// The YDB outbox through the wire server: enqueue, claim (lease expiry among the rules),
// finish by lease token and replay, each as the statements a YDB receives.
import { describe, expect, test } from 'vitest';
import {
  CHANNEL_DISABLE,
  CHANNEL_ENABLE,
  CHANNEL_GET,
  DELIVERY_CLAIM,
  DELIVERY_FINISH,
  DELIVERY_GET,
  DELIVERY_OPEN,
  DELIVERY_REPLAY,
  DUE_DELIVERIES,
  ITEM_GET,
  ITEM_INSERT,
  ITEMS_OF_DELIVERY,
  OPEN_DELIVERIES,
} from '../../../../../shared/adapters/ydb/queries.ts';
import { UnknownDeliveryStateError } from '../../../../../shared/domain/store-rules/delivery.ts';
import { breach } from '../../../../support/builders.ts';
import { useAdapterWire, sent, value } from './harness.ts';

const h = useAdapterWire();

const event = breach();
const delivery = (o: Partial<Record<string, unknown>> = {}) => ({
  delivery_id: 'd1', channel_id: 'hook', group_key: 'g', state: 'pending', sealed: false, attempts: 0n, last_error: null,
  next_attempt_at_ms: 1_000n, lease_until_ms: null, lease_token: null, created_at_ms: 0n, schedule_start_ms: 0n, updated_at_ms: 0n,
  delivered_at_ms: null, ...o,
});
const scriptDelivery = (row: ReturnType<typeof delivery>) => h.wire.script((q) => q.text === DELIVERY_GET, [h.wire.rows('notify_delivery', [row])]);
const scriptItems = () =>
  h.wire.script((q) => q.text === ITEMS_OF_DELIVERY.first, [
    h.wire.rows('notify_delivery_item', [{ event_id: event.id, event_json: event, enqueued_at_ms: 0n }], ['event_id', 'event_json', 'enqueued_at_ms']),
  ]);
const req = { event, channelId: 'hook', groupKey: 'g', newDeliveryId: 'd-new', nowMs: 500, readyAtMs: 800 };

describe('enqueue', () => {
  test('a new event opens a delivery: the delivery row and its item in the committing statement', async () => {
    expect(await h.stores.outbox.enqueue(req)).toEqual({ deliveryId: 'd-new', created: true, joined: false });
    const [open] = sent(h.wire, DELIVERY_OPEN);
    expect(open!.tx.commit).toBe(true);
    expect(value(open, '$rows')).toEqual([
      { delivery_id: 'd-new', channel_id: 'hook', group_key: 'g', state: 'pending', sealed: false, attempts: 0n, last_error: null,
        next_attempt_at_ms: 800n, lease_until_ms: null, lease_token: null, created_at_ms: 500n, schedule_start_ms: 500n, updated_at_ms: 500n, delivered_at_ms: null },
    ]);
    expect(value(open, '$items')).toEqual([{ event_id: event.id, channel_id: 'hook', delivery_id: 'd-new', event_json: event, enqueued_at_ms: 500n }]);
    const [find] = sent(h.wire, OPEN_DELIVERIES.first);
    expect([value(find, '$state'), value(find, '$sealed')]).toEqual(['pending', false]);
  });

  test('an event already enqueued is a no-op; one that finds an open group joins it with only its item', async () => {
    h.wire.script((q) => q.text === ITEM_GET, [h.wire.rows('notify_delivery_item', [{ delivery_id: 'd1' }], ['delivery_id'])], 1);
    expect(await h.stores.outbox.enqueue(req)).toEqual({ deliveryId: 'd1', created: false, joined: false });
    expect(h.wire.queries().map((q) => q.text)).toEqual([ITEM_GET]);
    h.wire.script((q) => q.text === OPEN_DELIVERIES.first, [h.wire.rows('notify_delivery', [delivery()])]);
    expect(await h.stores.outbox.enqueue(req)).toEqual({ deliveryId: 'd1', created: true, joined: true });
    expect(value(sent(h.wire, ITEM_INSERT)[0], '$rows')).toEqual([expect.objectContaining({ delivery_id: 'd1', event_id: event.id })]);
    expect(sent(h.wire, DELIVERY_OPEN)).toEqual([]);
  });
});

describe('claimDue', () => {
  test('a live lease is skipped and an expired one claimed: sealed, attempt + 1, a new lease and token', async () => {
    h.wire.script((q) => q.text === DUE_DELIVERIES.first && q.params.$state?.value === 'pending', [
      h.wire.rows('notify_delivery', [
        delivery({ delivery_id: 'live', lease_until_ms: 2_001n, lease_token: 'x', next_attempt_at_ms: 100n }),
        delivery({ delivery_id: 'expired', lease_until_ms: 2_000n, lease_token: 'y', attempts: 1n, next_attempt_at_ms: 200n }),
      ]),
    ]);
    scriptItems();
    const claimed = await h.stores.outbox.claimDue({ nowMs: 2_000, leaseMs: 60_000, limit: 10 });
    expect(claimed.map((c) => [c.id, c.attempt, c.events])).toEqual([['expired', 2, [event]]]);
    const [due] = sent(h.wire, DUE_DELIVERIES.first);
    expect([value(due, '$state'), value(due, '$now_ms')]).toEqual(['pending', 2_000n]);
    const [claim] = sent(h.wire, DELIVERY_CLAIM);
    expect(claim!.tx.commit).toBe(true);
    expect(value(claim, '$rows')).toEqual([
      { delivery_id: 'expired', sealed: true, attempts: 2n, lease_until_ms: 62_000n, lease_token: claimed[0]!.leaseToken, updated_at_ms: 2_000n },
    ]);
  });

  test('nothing due: no write', async () => {
    expect(await h.stores.outbox.claimDue({ nowMs: 2_000, leaseMs: 60_000, limit: 10 })).toEqual([]);
    expect(sent(h.wire, DELIVERY_CLAIM)).toEqual([]);
    expect(sent(h.wire, DUE_DELIVERIES.first).map((q) => q.params.$state?.value)).toEqual(['pending', 'retrying']);
  });
});

describe('finishing and replaying', () => {
  test('a stale lease token changes nothing; the holder finishes the attempt in the committing statement', async () => {
    scriptDelivery(delivery({ state: 'pending', lease_token: 'tok', lease_until_ms: 9_000n, attempts: 1n, last_error: 'http.503' }));
    expect(await h.stores.outbox.markDelivered('d1', 'stale', 3_000)).toBe(false);
    expect(sent(h.wire, DELIVERY_FINISH)).toEqual([]);
    expect(await h.stores.outbox.markDelivered('d1', 'tok', 3_000)).toBe(true);
    expect(value(sent(h.wire, DELIVERY_FINISH)[0], '$rows')).toEqual([
      { delivery_id: 'd1', state: 'delivered', last_error: 'http.503', next_attempt_at_ms: null, delivered_at_ms: 3_000n, lease_until_ms: null, lease_token: null, updated_at_ms: 3_000n },
    ]);
  });

  test('markRetry keeps the next attempt time; markDisabled also disables the channel once', async () => {
    scriptDelivery(delivery({ lease_token: 'tok' }));
    expect(await h.stores.outbox.markRetry('d1', 'tok', { nowMs: 3_000, error: 'http.503', nextAttemptAtMs: 7_000 })).toBe(true);
    expect(value(sent(h.wire, DELIVERY_FINISH)[0], '$rows')).toEqual([expect.objectContaining({ state: 'retrying', last_error: 'http.503', next_attempt_at_ms: 7_000n })]);
    h.wire.reset();
    scriptDelivery(delivery({ lease_token: 'tok' }));
    expect(await h.stores.outbox.markDisabled('d1', 'tok', { nowMs: 4_000, error: 'http.410' })).toBe(true);
    expect(h.wire.queries().map((q) => q.text)).toEqual([DELIVERY_GET, CHANNEL_GET, CHANNEL_DISABLE, DELIVERY_FINISH]);
    expect(value(sent(h.wire, CHANNEL_DISABLE)[0], '$rows')).toEqual([{ channel_id: 'hook', disabled_at_ms: 4_000n, reason: 'http.410' }]);
    h.wire.reset();
    scriptDelivery(delivery({ lease_token: 'tok' }));
    h.wire.script((q) => q.text === CHANNEL_GET, [h.wire.rows('notify_channel_state', [{ channel_id: 'hook' }], ['channel_id'])]);
    await h.stores.outbox.markDisabled('d1', 'tok', { nowMs: 5_000, error: 'http.410' });
    expect(sent(h.wire, CHANNEL_DISABLE)).toEqual([]);
  });

  test('replaying a disabled delivery re-enables its channel and resets it to pending; a pending one is not replayed', async () => {
    scriptDelivery(delivery({ state: 'disabled', sealed: true, attempts: 3n, last_error: 'http.410' }));
    scriptItems();
    expect(await h.stores.outbox.replay('d1', 9_000)).toMatchObject({ id: 'd1', state: 'pending', attempts: 0, nextAttemptAtMs: 9_000, eventIds: [event.id] });
    expect(value(sent(h.wire, CHANNEL_ENABLE)[0], '$channel_id')).toBe('hook');
    expect(value(sent(h.wire, DELIVERY_REPLAY)[0], '$rows')).toEqual([
      { delivery_id: 'd1', state: 'pending', attempts: 0n, next_attempt_at_ms: 9_000n, schedule_start_ms: 9_000n, lease_until_ms: null, lease_token: null, updated_at_ms: 9_000n },
    ]);
    h.wire.reset();
    scriptDelivery(delivery());
    expect(await h.stores.outbox.replay('d1', 9_000)).toBeNull();
    expect(sent(h.wire, DELIVERY_REPLAY)).toEqual([]);
  });
});

describe('reading a stored state', () => {
  test('a state the domain does not know is an error naming the delivery, on a read and before a claim writes', async () => {
    scriptDelivery(delivery({ state: 'archived' }));
    const read = h.stores.outbox.get('d1');
    await expect(read).rejects.toBeInstanceOf(UnknownDeliveryStateError);
    await expect(read).rejects.toMatchObject({ deliveryId: 'd1', state: 'archived', retryable: false });
    h.wire.script((q) => q.text === DUE_DELIVERIES.first && q.params.$state?.value === 'pending', [h.wire.rows('notify_delivery', [delivery({ state: 'archived' })])]);
    await expect(h.stores.outbox.claimDue({ nowMs: 2_000, leaseMs: 60_000, limit: 10 })).rejects.toMatchObject({ deliveryId: 'd1' });
    expect(sent(h.wire, DELIVERY_CLAIM)).toEqual([]);
  });
});
