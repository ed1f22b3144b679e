// Test helper: the YDB adapters on a real @ydbjs Driver connected to the executing wire
// double, with backoff shortened so fault tests stay quick (and no wall-clock bound on a
// unit of work tighter than the client's default: a busy machine must not end a retry
// early), and the helpers the adapter tests share. Each test starts from empty tables.
import { Driver } from '@ydbjs/core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ydbStoresOn, type ClientOptions } from '../../../../../shared/adapters/ydb/index.ts';
import { YdbReadModel } from '../../../../../shared/adapters/ydb/read-model.ts';
import { YdbClient } from '../../../../../shared/adapters/ydb/client.ts';
import { type WireOptions, type YdbWire, startYdbWire } from '../../../../ydb-wire/server.ts';

export type AdapterWire = {
  readonly wire: YdbWire;
  readonly stores: ReturnType<typeof ydbStoresOn>;
  readonly readModel: YdbReadModel;
  close(): Promise<void>;
};

export const FAST: ClientOptions = { backoff: { baseMs: 1, throttledBaseMs: 1, capMs: 5 }, random: () => 0.5 };

/** A wire server, a Driver on it (discovery off, as the adapters' own driver runs), and every store. */
export async function adapterWire(opts: ClientOptions = FAST, wireOptions: WireOptions = {}): Promise<AdapterWire> {
  const wire = await startYdbWire(wireOptions);
  const driver = new Driver(wire.connectionString, { 'ydb.sdk.enable_discovery': false });
  await driver.ready();
  const stores = ydbStoresOn(driver, opts);
  const reads = new YdbClient(driver, opts);
  return {
    wire,
    stores,
    readModel: new YdbReadModel(reads),
    async close() {
      await reads.close();
      await wire.idle();
      driver.close();
      await wire.close();
    },
  };
}

/**
 * One adapter wire for a test file: started before its tests, forgotten (calls, scripts,
 * faults, data) after each, closed after all. The returned object reads the live instance.
 */
export function useAdapterWire(opts: ClientOptions = FAST, wireOptions: WireOptions = {}): Omit<AdapterWire, 'close'> {
  let h: AdapterWire | undefined;
  beforeAll(async () => {
    h = await adapterWire(opts, wireOptions);
  });
  afterEach(async () => {
    await h!.wire.idle();
    h!.wire.reset();
  });
  afterAll(async () => {
    await h?.close();
  });
  return {
    get wire() {
      return h!.wire;
    },
    get stores() {
      return h!.stores;
    },
    get readModel() {
      return h!.readModel;
    },
  };
}

export const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
