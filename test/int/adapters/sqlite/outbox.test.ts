// Integration: the SQLite outbox's own promises — idempotent enqueue, joining an open group,
// sealing at the first claim, leases and stale marks — on a real database file.
import { describe, expect, test } from 'vitest';
import { openDatabase } from '../../../../shared/adapters/sqlite/database.ts';
import { SqliteOutbox } from '../../../../shared/adapters/sqlite/outbox.ts';
import { deliveryIdFor } from '../../../../shared/domain/notify/grouping.ts';
import { DeliveryState } from '../../../../shared/domain/store-rules/delivery.ts';
import { breach, enqueueRequest, MUNI } from '../../../support/builders.ts';
import { notifyEnv } from '../../../support/notify-env.ts';

describe('SqliteOutbox', () => {
  test('enqueue is idempotent by (event, channel) and joins the open delivery of the group', async () => {
    using n = await notifyEnv({ config: {} });
    const o = n.deps.outbox;
    const [a, b] = [breach({ municipality: MUNI }), breach({ municipality: MUNI, metric: 'teachers_msg3_share' })];

    const ra = await o.enqueue(enqueueRequest(a, 0));
    const again = await o.enqueue(enqueueRequest(a, 10));
    const rb = await o.enqueue(enqueueRequest(b, 20));
    const otherChannel = await o.enqueue(enqueueRequest(a, 30, 'vk'));

    expect(ra).toEqual({ deliveryId: deliveryIdFor(a.id, 'hook'), created: true, joined: false });
    expect(again).toEqual({ deliveryId: ra.deliveryId, created: false, joined: false });
    expect(rb).toEqual({ deliveryId: ra.deliveryId, created: true, joined: true });
    expect(otherChannel.deliveryId).toBe(deliveryIdFor(a.id, 'vk'));
    expect((await o.get(ra.deliveryId))?.eventIds).toEqual([a.id, b.id]);
  });

  test('nothing is due before the window; the first claim seals the delivery, so a later event opens a new one', async () => {
    using n = await notifyEnv({ config: {} });
    const o = n.deps.outbox;
    const [a, b] = [breach(), breach({ metric: 'teachers_msg3_share' })];
    await o.enqueue(enqueueRequest(a, 0));

    const early = await o.claimDue({ nowMs: 999, leaseMs: 60_000, limit: 10 });
    const claimed = await o.claimDue({ nowMs: 1000, leaseMs: 60_000, limit: 10 });
    const late = await o.enqueue(enqueueRequest(b, 1001));

    expect(early).toEqual([]);
    expect(claimed.map((c) => [c.attempt, c.events.map((e) => e.id)])).toEqual([[1, [a.id]]]);
    expect(late).toMatchObject({ created: true, joined: false });
    expect(late.deliveryId).not.toBe(claimed[0]!.id);
  });

  test('a leased delivery is not claimed twice, and a stale lease token cannot mark it', async () => {
    using n = await notifyEnv({ config: {} });
    const o = n.deps.outbox;
    await o.enqueue(enqueueRequest(breach(), 0));
    const [first] = await o.claimDue({ nowMs: 1000, leaseMs: 5000, limit: 10 });

    const during = await o.claimDue({ nowMs: 5999, leaseMs: 5000, limit: 10 });
    const [second] = await o.claimDue({ nowMs: 6000, leaseMs: 5000, limit: 10 });
    const staleMark = await o.markDelivered(first!.id, first!.leaseToken, 6001);
    const currentMark = await o.markDelivered(second!.id, second!.leaseToken, 6002);

    expect(during).toEqual([]);
    expect(second!.attempt).toBe(2);
    expect([staleMark, currentMark]).toEqual([false, true]);
    expect((await o.get(first!.id))?.state).toBe('delivered');
  });

  test('the state column takes every state of the domain and nothing else', () => {
    const db = openDatabase(':memory:');
    new SqliteOutbox(db);
    const insert = db.prepare(
      `INSERT INTO notify_delivery (delivery_id, channel_id, group_key, state, created_at_ms, schedule_start_ms, updated_at_ms) VALUES (?, 'hook', 'g', ?, 0, 0, 0)`,
    );
    for (const state of DeliveryState.options) insert.run(`d-${state}`, state);
    expect(() => insert.run('d-archived', 'archived')).toThrow(/CHECK constraint failed/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM notify_delivery').get()).toEqual({ n: DeliveryState.options.length });
    db.close();
  });
});
