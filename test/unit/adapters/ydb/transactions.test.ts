// What the YDB store adapters send inside each transaction, recorded by a stand-in driver
// and checked against YDB's limits (tx-rules.ts): no transaction modifies a table with
// reads a table it already modified. The batch discard broke this before (one range delete
// per region); the checker's own test below holds that statement. replacePeriod is one
// transaction (issue 22): it took two for a limit YDB lifted in 23.3.
import { describe, expect, test } from 'vitest';
import { YdbClient } from '../../../../shared/adapters/ydb/client.ts';
import { YdbAggregateStore } from '../../../../shared/adapters/ydb/aggregate-store.ts';
import { YdbOutbox } from '../../../../shared/adapters/ydb/outbox.ts';
import {
  AGGREGATE_REPLACE_PERIOD,
  BATCH_REFERENCES,
  BATCH_UNITS,
  CHANGE_TARGETS,
  DELIVERY_COLUMNS,
  DELIVERY_GET,
  DISCARD_BATCH,
  UNIT_COLUMNS,
} from '../../../../shared/adapters/ydb/queries.ts';
import { YdbSnapshotStore } from '../../../../shared/adapters/ydb/snapshot-store.ts';
import { YdbUploadLedger } from '../../../../shared/adapters/ydb/upload-ledger.ts';
import { col } from '../../../../shared/adapters/ydb/codec.ts';
import { unitRow, type DeliveryRow } from '../../../../shared/adapters/ydb/tables.ts';
import { finish, replay } from '../../../../shared/usecases/outbox.ts';
import { batchCommit, commitUnit, filledAggregateRow, P1, P2 } from '../../../support/builders.ts';
import { fakeDriver, resultSetOf, type FakeAnswer, type FakeCall } from '../../../support/ydb-results.ts';
import { transactions, violations } from './tx-rules.ts';

function storesOn(respond: (c: FakeCall) => FakeAnswer) {
  const { driver, calls } = fakeDriver(respond);
  const db = new YdbClient(driver, { backoff: { baseMs: 1, capMs: 1 } });
  return { db, calls, txs: () => transactions(calls) };
}

describe("YDB's transaction rules, as checked", () => {
  test('refuse the statements the adapters used to send', () => {
    const rangeDelete = 'DELETE FROM school_snapshot WHERE region = $region AND batch_id = $batch_id;';
    expect(violations([rangeDelete, rangeDelete])).toContain('reads school_snapshot after modifying it');
  });
});

describe('YdbAggregateStore.replacePeriod', () => {
  test('is ONE transaction of one statement list: stale units deleted, rows upserted, period indexed, read token renewed', async () => {
    const s = storesOn(() => undefined);
    await new YdbAggregateStore(s.db).replacePeriod('26', P1, [filledAggregateRow({ level: 'region' }), filledAggregateRow({ id: 'kursky' })]);
    const txs = s.txs();
    // before issue 22: [[AGGREGATE_WRITE_PERIOD], [AGGREGATE_DELETE_KEYS]], a reader could see a removed unit in between
    expect(txs).toEqual([[AGGREGATE_REPLACE_PERIOD]]);
    for (const tx of txs) expect(violations(tx)).toEqual([]);
    expect(s.calls.filter((c) => c.rpc === 'executeQuery').map((c) => c.tx)).toEqual(['begin:serializableReadWrite+commit']);
    const call = s.calls.find((c) => c.text === AGGREGATE_REPLACE_PERIOD)!;
    expect(call.params!.$rows!.value!.items).toHaveLength(2);
    expect(call.params!.$period!.value!.items).toHaveLength(1);
    expect(call.params!.$read_token!.value!.items).toHaveLength(1);
  });
});

describe('YdbSnapshotStore', () => {
  test('discardBatch of a batch staged in two regions reads first and deletes in one committing statement list', async () => {
    const units = [unitRow('up_1', '07', P2, 'schools', 'm1'), unitRow('up_1', '26', P1, 'schools', 'm2'), unitRow('up_1', '26', P2, 'municipalities', 'm2')];
    const s = storesOn((c) => {
      if (c.text === BATCH_UNITS.first) return [resultSetOf(UNIT_COLUMNS, units)];
      if (c.text === BATCH_REFERENCES) return [resultSetOf({ refs: col.uint64 }, [{ refs: 0 }])];
    });
    await new YdbSnapshotStore(s.db).discardBatch('up_1');
    const [tx] = s.txs();
    expect(violations(tx!)).toEqual([]);
    expect(tx!.at(-1)).toBe(DISCARD_BATCH);
    expect(s.calls.filter((c) => c.text === DISCARD_BATCH).map((c) => c.tx)).toEqual(['tx:tx1+commit']);
    expect(s.calls.some((c) => c.rpc === 'commitTransaction')).toBe(false);
  });

  test('commitBatch reads the pointers and commits the flips with its one write', async () => {
    const s = storesOn(() => undefined);
    await new YdbSnapshotStore(s.db).commitBatch(batchCommit({ batchId: 'up_1', uploadId: 'up_1', units: [commitUnit('m1'), commitUnit('m1', P1, 'municipalities')] }));
    const [tx] = s.txs();
    expect(violations(tx!)).toEqual([]);
    expect(s.calls.filter((c) => c.rpc === 'executeQuery').at(-1)!.tx).toBe('tx:tx1+commit');
    expect(s.calls.some((c) => c.rpc === 'commitTransaction')).toBe(false);
  });

  test('acquiring a new lease is one committing INSERT; no shared counter row is touched', async () => {
    const s = storesOn(() => undefined);
    const r = await new YdbUploadLedger(s.db).acquire({ bucket: 'b', key: 'uploads/26/x.csv', sha256: 'a'.repeat(64) }, 1_000, 60_000);
    expect(r.kind).toBe('acquired');
    const [tx] = s.txs();
    expect(violations(tx!)).toEqual([]);
    // before issue 22: the ledger read, a read of the one-row sequence_counter every upload bumped, the insert with the bump
    expect(s.calls.filter((c) => c.rpc === 'executeQuery').map((c) => c.tx)).toEqual(['begin:serializableReadWrite+commit']);
    expect(tx!.filter((t) => /sequence_counter/.test(t))).toEqual([]);
    // the sequence comes from the acquiring clock: later acquisitions order after earlier ones
    if (r.kind === 'acquired') expect(Math.floor(r.sequence / 4096)).toBe(1_000);
  });
});

describe('YdbOutbox', () => {
  const row: DeliveryRow = {
    delivery_id: 'd1',
    channel_id: 'hook',
    group_key: 'g',
    state: 'dead',
    sealed: true,
    attempts: 3,
    last_error: 'x',
    next_attempt_at_ms: null,
    lease_until_ms: 10,
    lease_token: 'tok',
    created_at_ms: 0,
    schedule_start_ms: 0,
    updated_at_ms: 0,
    delivered_at_ms: null,
  };

  test('marking a channel disabled and replaying a disabled delivery each commit with their last write', async () => {
    const s = storesOn((c) => (c.text === DELIVERY_GET || c.text === CHANGE_TARGETS ? [resultSetOf(DELIVERY_COLUMNS, [{ ...row, state: s2 }])] : undefined));
    let s2 = 'retrying';
    const outbox = new YdbOutbox(s.db);
    expect(await finish(outbox, 'd1', 'tok', { state: 'disabled', nowMs: 5, error: 'gone' })).toBe(true);
    s2 = 'disabled';
    expect(await replay(outbox, 'd1', 6)).not.toBeNull();
    for (const tx of s.txs()) expect(violations(tx)).toEqual([]);
    expect(s.calls.some((c) => c.rpc === 'commitTransaction')).toBe(false);
  });
});
