// Adapter entry: every store port on one YDB database, sharing one client over the
// instance's driver. composition.ts loads this module lazily, so a local (SQLite) run
// never loads the YDB SDK and a cloud bundle never needs better-sqlite3.
import { YdbAggregateStore } from './aggregate-store.ts';
import { YdbAlertStore } from './alert-store.ts';
import { YdbClient, type ClientOptions } from './client.ts';
import { getDriver, reconnectDriver, type YdbSettings } from './driver.ts';
import { YdbOutbox } from './outbox.ts';
import { YdbReadModel } from './read-model.ts';
import type { Driver } from './sdk.ts';
import { YdbSnapshotStore } from './snapshot-store.ts';
import { YdbUploadLedger } from './upload-ledger.ts';

export { migrate } from './migrate.ts';
export { getDriver, closeDriver } from './driver.ts';
export { credentialsFrom } from './credentials.ts';
export type { ClientOptions } from './client.ts';

export function ydbStoresOn(driver: Driver, opts: ClientOptions = {}) {
  const db = new YdbClient(driver, opts);
  return {
    snapshots: new YdbSnapshotStore(db),
    ledger: new YdbUploadLedger(db),
    aggregates: new YdbAggregateStore(db),
    alerts: new YdbAlertStore(db),
    outbox: new YdbOutbox(db),
  };
}

/** The stores on the instance's driver (started on first use, reused while warm; replaced after a call gets no answer). */
export async function ydbStores(settings: YdbSettings, opts: ClientOptions = {}) {
  return ydbStoresOn(await getDriver(settings), { reconnect: (stale) => reconnectDriver(settings, stale), ...opts });
}

/** The API's snapshot reads on the instance's driver. */
export async function ydbReadModel(settings: YdbSettings, opts: ClientOptions = {}) {
  return new YdbReadModel(new YdbClient(await getDriver(settings), { reconnect: (stale) => reconnectDriver(settings, stale), ...opts }));
}
