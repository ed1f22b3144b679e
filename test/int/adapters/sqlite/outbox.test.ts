// Integration: what the SQLite outbox promises beyond the Outbox contract (which it passes,
// test/int/adapters/sqlite/stores.contract.test.ts): its state column takes exactly the
// domain's states, and a failure of SQLite leaves the adapter translated, as the other
// SQLite stores' do (database.ts `sqlite`).
import { describe, expect, test } from 'vitest';
import { openDatabase } from '../../../../shared/adapters/sqlite/database.ts';
import { SqliteOutbox } from '../../../../shared/adapters/sqlite/outbox.ts';
import { PipelineError, TransientError } from '../../../../shared/domain/errors.ts';
import { DeliveryState, type StoredDelivery } from '../../../../shared/domain/store-rules/delivery.ts';
import { storedDelivery } from '../../../support/builders.ts';

describe('SqliteOutbox', () => {
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

  test('a write SQLite refuses is a PipelineError that is not retried, and nothing of the change is kept', async () => {
    const db = openDatabase(':memory:');
    const outbox = new SqliteOutbox(db);
    const bad = { ...storedDelivery(), state: 'archived' } as unknown as StoredDelivery;
    const refused = outbox.apply([{ expect: null, next: bad, items: [], channel: { kind: 'disable', channelId: 'hook', atMs: 1, reason: 'x' } }]);
    await expect(refused).rejects.toBeInstanceOf(PipelineError);
    await expect(refused).rejects.toMatchObject({ code: 'sqlite.sqlite_constraint_check', retryable: false });
    expect(await outbox.get('d1')).toBeNull();
    expect(await outbox.disabledChannels()).toEqual(new Set());
    db.close();
  });

  test('a closed database is a transient fault of the store, not a driver error', async () => {
    const db = openDatabase(':memory:');
    const outbox = new SqliteOutbox(db);
    db.close();
    await expect(outbox.get('d1')).rejects.toBeInstanceOf(TransientError);
  });
});
