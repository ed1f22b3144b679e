// Test helper: the YDB adapters on the executing wire double (test/ydb-wire), one database
// per fixture, as keyv's suites get a fresh store per test: every `fresh()` connects a new
// Driver to a new database (`/local/c<N>`), which the double creates migrated and empty,
// so no test sees another's rows and nothing is cleaned up by hand.
import { Driver } from '@ydbjs/core';
import { afterAll, beforeAll } from 'vitest';
import { YdbClient, type ClientOptions } from '../../shared/adapters/ydb/client.ts';
import { ydbStoresOn } from '../../shared/adapters/ydb/index.ts';
import { YdbReadModel } from '../../shared/adapters/ydb/read-model.ts';
import { type WireOptions, type YdbWire, startYdbWire } from '../ydb-wire/server.ts';

/** Backoff short enough that an ABORTED re-run costs nothing; no wall-clock bound tighter than the default. */
export const DOUBLE_CLIENT: ClientOptions = { backoff: { baseMs: 1, throttledBaseMs: 1, capMs: 5 }, random: () => 0.5 };

export type DoubleDb = {
  readonly wire: YdbWire;
  /** the database path this fixture's driver uses */
  readonly database: string;
  readonly stores: ReturnType<typeof ydbStoresOn>;
  readonly readModel: YdbReadModel;
  close(): Promise<void>;
};

/** One wire double for the test file; `fresh()` is a new, empty database on it. */
export function useYdbDouble(opts: ClientOptions = DOUBLE_CLIENT, wireOptions: WireOptions = {}): { fresh(): Promise<DoubleDb>; readonly wire: YdbWire } {
  let wire: YdbWire | undefined;
  let n = 0;
  beforeAll(async () => {
    wire = await startYdbWire(wireOptions);
  });
  afterAll(async () => {
    await wire?.close();
  });
  return {
    get wire() {
      return wire!;
    },
    async fresh() {
      const w = wire!;
      const database = `${w.database}/c${++n}`;
      const driver = new Driver(`grpc://127.0.0.1:${w.port}${database}`, { 'ydb.sdk.enable_discovery': false });
      await driver.ready();
      const reads = new YdbClient(driver, opts);
      return {
        wire: w,
        database,
        stores: ydbStoresOn(driver, opts),
        readModel: new YdbReadModel(reads),
        async close() {
          await reads.close();
          driver.close();
        },
      };
    },
  };
}
