// A call that gets no answer (a connection that died while the function instance was
// frozen answers nothing; grpc-js notices only at its next keepalive, 30 s later) ends after
// the client's per-call timeout, not at the invocation's deadline: a unit safe to re-run is
// retried on a new session over a new driver, one that is not fails at once as transient.
// Before issue 22 the first attempt's timeout was the whole remaining invocation time.
import { Driver } from '@ydbjs/core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { YdbClient } from '../../../../../shared/adapters/ydb/client.ts';
import { col, param } from '../../../../../shared/adapters/ydb/codec.ts';
import { READ_VERSION } from '../../../../../shared/adapters/ydb/queries.ts';
import { TransientError } from '../../../../../shared/domain/errors.ts';
import { startYdbWire, type YdbWire } from '../../../../ydb-wire/server.ts';

let wire: YdbWire;
const drivers: Driver[] = [];
const newDriver = async () => {
  const d = new Driver(wire.connectionString, { 'ydb.sdk.enable_discovery': false });
  await d.ready();
  drivers.push(d);
  return d;
};

beforeAll(async () => {
  wire = await startYdbWire();
});
afterAll(async () => {
  await wire.idle();
  for (const d of drivers) d.close();
  await wire.close();
});

/** A client whose deadline is far (as in a 30 s invocation) and whose calls wait 300 ms at most. */
async function client() {
  const reconnects: Driver[] = [];
  const db = new YdbClient(await newDriver(), {
    callTimeoutMs: 300,
    maxElapsedMs: 30_000,
    backoff: { baseMs: 1, capMs: 5 },
    random: () => 0.5,
    reconnect: async (stale) => {
      reconnects.push(stale);
      return newDriver();
    },
  });
  return { db, reconnects };
}

test('a read that gets no answer is retried after the call timeout on a new session over a new driver', async () => {
  const { db, reconnects } = await client();
  wire.fault({ method: 'ExecuteQuery', delayMs: 3_000, times: 1 });
  const started = Date.now();
  const sets = await db.run(READ_VERSION, { $region: param(col.utf8, '26') }, { what: 'reading the token', idempotent: true, mode: 'snapshotReadOnly' });
  const elapsed = Date.now() - started;
  expect(sets).toHaveLength(1);
  expect(elapsed).toBeLessThan(2_000);
  expect(reconnects).toHaveLength(1);
  const executes = wire.calls.filter((c) => c.method === 'ExecuteQuery');
  expect(executes).toHaveLength(2);
  expect(executes[1]!.sessionId).not.toBe(executes[0]!.sessionId);
  await db.close();
  await wire.idle();
  wire.reset();
});

test('a unit not safe to re-run fails at the call timeout as a retryable TransientError, without waiting for the deadline', async () => {
  const { db } = await client();
  wire.fault({ method: 'ExecuteQuery', delayMs: 3_000, times: 1 });
  const started = Date.now();
  const err = await db.run(READ_VERSION, { $region: param(col.utf8, '26') }, { what: 'a write', idempotent: false }).catch((e: unknown) => e);
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(err).toBeInstanceOf(TransientError);
  expect((err as Error).message).toMatch(/no answer within 300 ms/);
  await db.close();
  await wire.idle();
  wire.reset();
});
