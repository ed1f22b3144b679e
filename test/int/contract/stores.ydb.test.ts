// The aggregate, alert and outbox contracts against YDB (the same suites SQLite passes),
// when YDB_ENDPOINT and YDB_DATABASE name one; visibly skipped otherwise.
import { ydbStoresOn } from '../../../shared/adapters/ydb/index.ts';
import { aggregateStoreContract, alertStoreContract, outboxContract } from '../../contract/stores.contract.ts';
import { emptyTables, ydbSuite, ydbTestDriver } from '../../helpers/ydb.ts';

function fresh<K extends 'aggregates' | 'alerts' | 'outbox'>(key: K, tables: string[]) {
  return async () => {
    const driver = await ydbTestDriver();
    await emptyTables(driver, tables);
    return { store: ydbStoresOn(driver)[key], close: async () => undefined };
  };
}

ydbSuite('AggregateStore + AlertStore + Outbox', () => {
  aggregateStoreContract('ydb', fresh('aggregates', ['aggregate_metrics']));
  alertStoreContract('ydb', fresh('alerts', ['alert_state']));
  outboxContract('ydb', fresh('outbox', ['notify_delivery', 'notify_delivery_item', 'notify_channel_state']));
});
