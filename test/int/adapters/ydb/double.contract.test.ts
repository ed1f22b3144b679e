// Every store contract and the ReadModel contract against the YDB adapters through the
// executing wire double — the same suites the SQLite adapters pass (test/int/adapters/sqlite),
// run in `npm test` with no YDB at hand. Each fixture is a database of its own on one
// double (test/support/ydb-double.ts). stores.contract.test.ts runs the same suites
// against a real YDB when YDB_ENDPOINT is set.
import { readModelContract } from '../../../contract/read-model.contract.ts';
import { snapshotStoreContract } from '../../../contract/snapshot-store.contract.ts';
import { aggregateStoreContract, alertStoreContract, outboxContract } from '../../../contract/stores.contract.ts';
import { useYdbDouble } from '../../../support/ydb-double.ts';

const ydb = useYdbDouble();

function fresh<K extends 'aggregates' | 'alerts'>(key: K) {
  return async () => {
    const d = await ydb.fresh();
    return { store: d.stores[key], close: () => d.close() };
  };
}

snapshotStoreContract('ydb (wire double)', async () => {
  const d = await ydb.fresh();
  return { snapshots: d.stores.snapshots, ledger: d.stores.ledger, close: () => d.close() };
});
aggregateStoreContract('ydb (wire double)', fresh('aggregates'));
alertStoreContract('ydb (wire double)', fresh('alerts'));
outboxContract('ydb (wire double)', async () => {
  const d = await ydb.fresh();
  return { outbox: d.stores.outbox, [Symbol.asyncDispose]: () => d.close() };
});
readModelContract('ydb (wire double)', async () => {
  const d = await ydb.fresh();
  return { read: d.readModel, ...d.stores, close: () => d.close() };
});
