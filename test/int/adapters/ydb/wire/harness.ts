// Test helper: the YDB adapters on a real @ydbjs Driver connected to a wire server, with
// backoff shortened so fault tests stay quick, and the helpers the adapter tests share.
import { Driver } from '@ydbjs/core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ydbStoresOn, type ClientOptions } from '../../../../../shared/adapters/ydb/index.ts';
import { YdbReadModel } from '../../../../../shared/adapters/ydb/read-model.ts';
import { YdbClient } from '../../../../../shared/adapters/ydb/client.ts';
import { type WireOptions, type WireQuery, type YdbWire, startYdbWire } from '../../../../ydb-wire/server.ts';

export type AdapterWire = {
  readonly wire: YdbWire;
  readonly stores: ReturnType<typeof ydbStoresOn>;
  readonly readModel: YdbReadModel;
  close(): Promise<void>;
};

export const FAST: ClientOptions = { backoff: { baseMs: 1, throttledBaseMs: 1, capMs: 5 }, maxElapsedMs: 2_000, random: () => 0.5 };

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
 * faults) after each, closed after all. The returned object reads the live instance.
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

/** The queries whose text is exactly `text` (a statement constant of queries.ts). */
export const sent = (wire: YdbWire, text: string): WireQuery[] => wire.queries().filter((q) => q.text === text);

/** A parameter's decoded value. */
export const value = (q: WireQuery | undefined, name: string): unknown => {
  const p = q?.params[name];
  if (!p) throw new Error(`no parameter ${name} in ${q?.text.slice(0, 80)}`);
  return p.value;
};

export const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
