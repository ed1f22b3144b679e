// What the YDB store adapters send inside each transaction, recorded by a stand-in driver
// and checked against YDB's limits (tx-rules.ts): no transaction modifies a table with
// secondary indexes twice or reads a table it already modified. The aggregate replace and
// the batch discard broke these before (DELETE + UPSERT of aggregate_metrics, one range
// delete per region); the checker's own test below holds those statements.
import { describe, expect, test } from 'vitest';
import { YdbClient } from '../../../../shared/adapters/ydb/client.ts';
import { YdbAggregateStore } from '../../../../shared/adapters/ydb/aggregate-store.ts';
import { YdbOutbox } from '../../../../shared/adapters/ydb/outbox.ts';
import {
  AGGREGATE_DELETE_KEYS,
  AGGREGATE_UNIT_COLUMNS,
  AGGREGATE_WRITE_PERIOD,
  BATCH_REFERENCES,
  BATCH_UNITS,
  DELIVERY_COLUMNS,
  DELIVERY_GET,
  DISCARD_BATCH,
  UNIT_COLUMNS,
} from '../../../../shared/adapters/ydb/queries.ts';
import { YdbSnapshotStore } from '../../../../shared/adapters/ydb/snapshot-store.ts';
import { YdbUploadLedger } from '../../../../shared/adapters/ydb/upload-ledger.ts';
import { col } from '../../../../shared/adapters/ydb/codec.ts';
import { unitRow, type DeliveryRow } from '../../../../shared/adapters/ydb/tables.ts';
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
    const oldReplace = `DELETE FROM aggregate_metrics WHERE region = $region AND period_start = $period_start AND period_end = $period_end;
UPSERT INTO aggregate_metrics SELECT * FROM AS_TABLE($rows);`;
    expect(violations([oldReplace])).toEqual(['modifies aggregate_metrics (secondary indexes) twice']);
    const rangeDelete = 'DELETE FROM school_snapshot WHERE region = $region AND batch_id = $batch_id;';
    expect(violations([rangeDelete, rangeDelete])).toContain('reads school_snapshot after modifying it');
  });
});

describe('YdbAggregateStore.replacePeriod', () => {
  test('one modification of aggregate_metrics per transaction, its rows committed with the read of the keys it held', async () => {
    const held = [{ level: 'municipality', unit: 'gone' }, { level: 'region', unit: '26' }];
    const s = storesOn((c) => (c.text === AGGREGATE_WRITE_PERIOD ? [resultSetOf(AGGREGATE_UNIT_COLUMNS, held)] : undefined));
    await new YdbAggregateStore(s.db).replacePeriod('26', P1, [filledAggregateRow({ level: 'region' }), filledAggregateRow({ id: 'kursky' })]);
    const txs = s.txs();
    expect(txs).toEqual([[AGGREGATE_WRITE_PERIOD], [AGGREGATE_DELETE_KEYS]]);
    for (const tx of txs) expect(violations(tx)).toEqual([]);
    const del = s.calls.find((c) => c.text === AGGREGATE_DELETE_KEYS)!;
    expect(del.params!.$keys!.value!.items).toHaveLength(1); // only the unit the period no longer has
  });

  test('a period whose units are unchanged is one round trip', async () => {
    const s = storesOn((c) => (c.text === AGGREGATE_WRITE_PERIOD ? [resultSetOf(AGGREGATE_UNIT_COLUMNS, [{ level: 'region', unit: '26' }])] : undefined));
    await new YdbAggregateStore(s.db).replacePeriod('26', P1, [filledAggregateRow({ level: 'region' })]);
    expect(s.calls.filter((c) => c.rpc === 'executeQuery').map((c) => c.tx)).toEqual(['begin:serializableReadWrite+commit']);
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

  test('acquiring a new lease is reads then one committing insert', async () => {
    const s = storesOn(() => undefined);
    const r = await new YdbUploadLedger(s.db).acquire({ bucket: 'b', key: 'uploads/26/x.csv', sha256: 'a'.repeat(64) }, 1_000, 60_000);
    expect(r.kind).toBe('acquired');
    const [tx] = s.txs();
    expect(violations(tx!)).toEqual([]);
    expect(s.calls.filter((c) => c.rpc === 'executeQuery').map((c) => c.tx)).toEqual(['begin:serializableReadWrite', 'tx:tx1', 'tx:tx1+commit']);
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
    const s = storesOn((c) => (c.text === DELIVERY_GET ? [resultSetOf(DELIVERY_COLUMNS, [{ ...row, state: s2 }])] : undefined));
    let s2 = 'retrying';
    const outbox = new YdbOutbox(s.db);
    expect(await outbox.markDisabled('d1', 'tok', { nowMs: 5, error: 'gone' })).toBe(true);
    s2 = 'disabled';
    expect(await outbox.replay('d1', 6)).not.toBeNull();
    for (const tx of s.txs()) expect(violations(tx)).toEqual([]);
    expect(s.calls.some((c) => c.rpc === 'commitTransaction')).toBe(false);
  });
});
