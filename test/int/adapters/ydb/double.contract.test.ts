// Every store contract and the ReadModel contract against the YDB adapters through the
// executing wire double — the same suites the SQLite adapters pass (test/int/adapters/sqlite),
// run in `npm test` with no YDB at hand. Each fixture is a database of its own on one
// double (test/support/ydb-double.ts); the snapshot and ledger tests also share one database,
// to hold them to the keys they name. stores.contract.test.ts runs the same suites against a real
// YDB when YDB_ENDPOINT is set.
import { afterAll, beforeAll } from 'vitest';
import { aggregateStoreContract } from '../../../contract/aggregate-store.contract.ts';
import { alertStoreContract } from '../../../contract/alert-store.contract.ts';
import { readModelContract } from '../../../contract/read-model.contract.ts';
import { snapshotStoreContract } from '../../../contract/snapshot-store.contract.ts';
import { outboxContract } from '../../../contract/outbox.contract.ts';
import { uploadLedgerContract } from '../../../contract/upload-ledger.contract.ts';
import { useYdbDouble, type DoubleDb } from '../../../support/ydb-double.ts';

const ydb = useYdbDouble();
const REGIONS = ['26', '07'] as const;

/** A database of its own; disposing of it closes its driver. */
async function fresh() {
  const d = await ydb.fresh();
  return { stores: d.stores, [Symbol.asyncDispose]: () => d.close() };
}

snapshotStoreContract('ydb (wire double)', async () => {
  const d = await fresh();
  return { snapshots: d.stores.snapshots, [Symbol.asyncDispose]: d[Symbol.asyncDispose] };
});
aggregateStoreContract('ydb (wire double)', async () => {
  const d = await fresh();
  return { store: d.stores.aggregates, regions: REGIONS, [Symbol.asyncDispose]: d[Symbol.asyncDispose] };
});
alertStoreContract('ydb (wire double)', async () => {
  const d = await fresh();
  return { store: d.stores.alerts, regions: REGIONS, [Symbol.asyncDispose]: d[Symbol.asyncDispose] };
});
uploadLedgerContract('ydb (wire double)', async () => {
  const d = await fresh();
  return { ledger: d.stores.ledger, [Symbol.asyncDispose]: d[Symbol.asyncDispose] };
});

let shared: DoubleDb | undefined;
beforeAll(async () => {
  shared = await ydb.fresh();
});
afterAll(() => shared?.close());
snapshotStoreContract('ydb (wire double, one database for every test)', async () => ({ snapshots: shared!.stores.snapshots, [Symbol.asyncDispose]: async () => {} }));
uploadLedgerContract('ydb (wire double, one database for every test)', async () => ({ ledger: shared!.stores.ledger, [Symbol.asyncDispose]: async () => {} }));

outboxContract('ydb (wire double)', async () => {
  const d = await fresh();
  return { outbox: d.stores.outbox, [Symbol.asyncDispose]: d[Symbol.asyncDispose] };
});
readModelContract('ydb (wire double)', async () => {
  const d = await ydb.fresh();
  return { read: d.readModel, ...d.stores, [Symbol.asyncDispose]: () => d.close() };
});
