// The YDB outbox through the executing wire double, driven by the outbox's operations
// (usecases/outbox.ts): enqueue, claim (lease expiry among the rules), finish by lease token
// and replay, each asserted on the rows a YDB would hold afterwards and on what was written
// (nothing, when the rules say nothing changes).
import { describe, expect, test } from 'vitest';
import { UnknownDeliveryStateError } from '../../../../../shared/domain/store-rules/delivery.ts';
import { claimDue, enqueue, finish, replay } from '../../../../../shared/usecases/outbox.ts';
import { breach } from '../../../../support/builders.ts';
import { useAdapterWire } from './harness.ts';

const h = useAdapterWire();

const event = breach();
const req = { event, channelId: 'hook', groupKey: 'g', newDeliveryId: 'd-new', nowMs: 500, readyAtMs: 800 };
const deliveries = () => h.wire.tableRows('notify_delivery');
const written = () => h.wire.io(h.wire.calls).rowsWritten;
const delivery = (o: Record<string, unknown> = {}) => ({
  delivery_id: 'd1', channel_id: 'hook', group_key: 'g', state: 'pending', sealed: false, attempts: 0n, last_error: null,
  next_attempt_at_ms: 1_000n, lease_until_ms: null, lease_token: null, created_at_ms: 0n, schedule_start_ms: 0n, updated_at_ms: 0n,
  delivered_at_ms: null, ...o,
});
const withItem = (id: string, o: Record<string, unknown> = {}) => {
  h.wire.seed('notify_delivery', [delivery({ delivery_id: id, ...o })]);
  h.wire.seed('notify_delivery_item', [{ event_id: `${event.id}-${id}`, channel_id: 'hook', delivery_id: id, event_json: event, enqueued_at_ms: 0n }]);
};

describe('enqueue', () => {
  test('a new event opens a delivery: the delivery row and its item written by the committing statement', async () => {
    expect(await enqueue(h.stores.outbox, req)).toEqual({ deliveryId: 'd-new', created: true, joined: false });
    expect(deliveries()).toEqual([
      delivery({ delivery_id: 'd-new', next_attempt_at_ms: 800n, created_at_ms: 500n, schedule_start_ms: 500n, updated_at_ms: 500n }),
    ]);
    expect(h.wire.tableRows('notify_delivery_item').map((i) => [i.event_id, i.channel_id, i.delivery_id, i.enqueued_at_ms])).toEqual([[event.id, 'hook', 'd-new', 500n]]);
    const writes = h.wire.calls.filter((c) => c.io.rowsWritten > 0);
    expect(writes.map((c) => c.tx?.commit)).toEqual([true]);
  });

  test('an event already enqueued is a no-op; one that finds an open group joins it: its item added, the row as it was', async () => {
    await enqueue(h.stores.outbox, req);
    h.wire.calls.length = 0;
    expect(await enqueue(h.stores.outbox, req)).toEqual({ deliveryId: 'd-new', created: false, joined: false });
    expect(written()).toBe(0);
    const other = breach({ metric: 'teachers_msg3_share' });
    expect(await enqueue(h.stores.outbox, { ...req, event: other, newDeliveryId: 'd-other' })).toEqual({ deliveryId: 'd-new', created: true, joined: true });
    // the item and its by_delivery index entry: the open delivery's row (and its three indexes) is not rewritten
    expect(written()).toBe(2);
    expect(deliveries()).toEqual([delivery({ delivery_id: 'd-new', next_attempt_at_ms: 800n, created_at_ms: 500n, schedule_start_ms: 500n, updated_at_ms: 500n })]);
    expect(h.wire.tableRows('notify_delivery_item').map((i) => [i.event_id, i.delivery_id]).sort()).toEqual([[event.id, 'd-new'], [other.id, 'd-new']].sort());
  });
});

describe('claimDue', () => {
  test('a live lease is skipped and an expired one claimed: sealed, attempt + 1, a new lease and token', async () => {
    withItem('live', { lease_until_ms: 2_001n, lease_token: 'x', next_attempt_at_ms: 100n });
    withItem('expired', { lease_until_ms: 2_000n, lease_token: 'y', attempts: 1n, next_attempt_at_ms: 200n });
    const claimed = await claimDue(h.stores.outbox, { nowMs: 2_000, leaseMs: 60_000, limit: 10 });
    expect(claimed.map((c) => [c.id, c.attempt, c.events])).toEqual([['expired', 2, [event]]]);
    const byId = new Map(deliveries().map((d) => [d.delivery_id, d]));
    expect(byId.get('expired')).toMatchObject({ sealed: true, attempts: 2n, lease_until_ms: 62_000n, lease_token: claimed[0]!.leaseToken, updated_at_ms: 2_000n });
    expect(byId.get('live')).toMatchObject({ lease_token: 'x', attempts: 0n });
  });

  test('nothing due: nothing written', async () => {
    withItem('later', { next_attempt_at_ms: 5_000n });
    expect(await claimDue(h.stores.outbox, { nowMs: 2_000, leaseMs: 60_000, limit: 10 })).toEqual([]);
    expect(written()).toBe(0);
  });
});

describe('finishing and replaying', () => {
  test('a stale lease token changes nothing; the holder finishes the attempt', async () => {
    withItem('d1', { lease_token: 'tok', lease_until_ms: 9_000n, attempts: 1n, last_error: 'http.503' });
    expect(await finish(h.stores.outbox, 'd1', 'stale', { state: 'delivered', nowMs: 3_000 })).toBe(false);
    expect(written()).toBe(0);
    expect(await finish(h.stores.outbox, 'd1', 'tok', { state: 'delivered', nowMs: 3_000 })).toBe(true);
    expect(deliveries()[0]).toMatchObject({ state: 'delivered', last_error: 'http.503', next_attempt_at_ms: null, delivered_at_ms: 3_000n, lease_until_ms: null, lease_token: null, updated_at_ms: 3_000n });
  });

  test('a retry keeps the next attempt time; a disablement also disables the channel, recording its first reason', async () => {
    withItem('d1', { lease_token: 'tok' });
    expect(await finish(h.stores.outbox, 'd1', 'tok', { state: 'retrying', nowMs: 3_000, error: 'http.503', nextAttemptAtMs: 7_000 })).toBe(true);
    expect(deliveries()[0]).toMatchObject({ state: 'retrying', last_error: 'http.503', next_attempt_at_ms: 7_000n });
    withItem('d2', { lease_token: 'tok' });
    withItem('d3', { lease_token: 'tok' });
    expect(await finish(h.stores.outbox, 'd2', 'tok', { state: 'disabled', nowMs: 4_000, error: 'http.410' })).toBe(true);
    expect(await finish(h.stores.outbox, 'd3', 'tok', { state: 'disabled', nowMs: 5_000, error: 'http.404' })).toBe(true);
    expect(h.wire.tableRows('notify_channel_state')).toEqual([{ channel_id: 'hook', disabled_at_ms: 4_000n, reason: 'http.410' }]);
    expect([...(await h.stores.outbox.disabledChannels())]).toEqual(['hook']);
  });

  test('replaying a disabled delivery re-enables its channel and resets it to pending; a pending one is not replayed', async () => {
    withItem('d1', { state: 'disabled', sealed: true, attempts: 3n, last_error: 'http.410' });
    h.wire.seed('notify_channel_state', [{ channel_id: 'hook', disabled_at_ms: 1n, reason: 'http.410' }]);
    expect(await replay(h.stores.outbox, 'd1', 9_000)).toMatchObject({ id: 'd1', state: 'pending', attempts: 0, nextAttemptAtMs: 9_000 });
    expect(h.wire.tableRows('notify_channel_state')).toEqual([]);
    expect(deliveries()[0]).toMatchObject({ state: 'pending', attempts: 0n, next_attempt_at_ms: 9_000n, schedule_start_ms: 9_000n, lease_until_ms: null, lease_token: null, updated_at_ms: 9_000n });
    h.wire.calls.length = 0;
    expect(await replay(h.stores.outbox, 'd1', 9_500)).toBeNull();
    expect(written()).toBe(0);
  });
});

describe('reading a stored state', () => {
  test('a state the domain does not know is an error naming the delivery, on a read and on a query', async () => {
    withItem('d1', { state: 'archived' });
    const read = h.stores.outbox.get('d1');
    await expect(read).rejects.toBeInstanceOf(UnknownDeliveryStateError);
    await expect(read).rejects.toMatchObject({ deliveryId: 'd1', state: 'archived', retryable: false });
    await expect(h.stores.outbox.find({ kind: 'state', state: 'archived' as never, limit: 10 })).rejects.toMatchObject({ deliveryId: 'd1', state: 'archived' });
  });
});
