// The defects of issue 11 through the real @ydbjs driver over gRPC, against the YDB wire
// server (test/ydb-wire): a commit answered OVERLOADED ends as a retryable TransientError
// before the invocation's deadline; a throttled BulkUpsert chunk is retried alone; the
// metadata token is replaced before it expires, so YDB never refuses a call for it; and a
// transaction begins with its first statement and commits with its last on the wire.
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { YdbClient } from '../../../../shared/adapters/ydb/client.ts';
import { closeDriver, getDriver } from '../../../../shared/adapters/ydb/driver.ts';
import { ydbStoresOn } from '../../../../shared/adapters/ydb/index.ts';
import type { Driver } from '../../../../shared/adapters/ydb/sdk.ts';
import { TransientError, isRetryable } from '../../../../shared/domain/errors.ts';
import { batchCommit, commitUnit, numberedSchool } from '../../../support/builders.ts';
import { steppedClock } from '../../../support/ydb-results.ts';
import { startYdbWire, type YdbWire } from '../../../ydb-wire/server.ts';

const fastBackoff = { backoff: { baseMs: 2, throttledBaseMs: 5, capMs: 20 } };

const school = (i: number) => numberedSchool(i, { municipality_id: `m${i % 3}` });

// Real gRPC round trips through the executing double: how long they take on a busy machine
// is no part of what is asserted, so the tests have the int tier's time, not the unit tier's.
describe('over the wire (anonymous)', { timeout: 60_000 }, () => {
  let wire: YdbWire;
  let driver: Driver;

  beforeAll(async () => {
    wire = await startYdbWire();
    driver = await getDriver({ connectionString: wire.connectionString, credentials: { kind: 'anonymous' } });
  });
  afterEach(() => wire.reset());
  afterAll(async () => {
    await closeDriver();
    await wire.close();
  });

  test('a commit answered OVERLOADED ends as a retryable TransientError before the deadline', async () => {
    wire.fault({ method: 'ExecuteQuery', status: 'OVERLOADED', match: (q) => q.tx.commit, times: Infinity });
    // the retry budget in the client's own clock, whose sleeps advance it at once
    const clock = steppedClock();
    // seconds of stepped time: each attempt's own (real) timeout is the time left, never a busy machine's few ms
    const stores = ydbStoresOn(driver, { backoff: { baseMs: 500, throttledBaseMs: 1_000, capMs: 8_000 }, random: () => 0.5, clock, reserveMs: 1_000, deadline: () => 30_000 });
    const err = await stores.snapshots
      .commitBatch(batchCommit({ batchId: 'up_1', uploadId: 'up_1', units: [commitUnit('m1')] }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(isRetryable(err)).toBe(true);
    // sleeps of 500, 1 000, 2 000, 4 000, … while the next one still ends before 30 000 - 1 000
    expect(clock.now()).toBe(27_500);
    const commits = wire.queries().filter((q) => q.tx.commit);
    expect(commits.length).toBeGreaterThan(2);
    expect(commits.every((q) => q.tx.commit && q.tx.txId !== null)).toBe(true);
    expect(wire.calls.filter((c) => c.method === 'BeginTransaction' || c.method === 'CommitTransaction')).toEqual([]);
  });

  test('a throttled BulkUpsert chunk is retried alone with backoff; the others travel once', async () => {
    wire.fault({ method: 'BulkUpsert', status: 'OVERLOADED', calls: [2, 3, 4, 5, 6, 7, 8] });
    const stores = ydbStoresOn(driver, { ...fastBackoff, deadline: () => Date.now() + 10_000 });
    await stores.snapshots.stageSchoolRows('up_1', Array.from({ length: 1200 }, (_, i) => school(i)));
    const bulks = wire.calls.filter((c) => c.method === 'BulkUpsert');
    expect(bulks.map((c) => [c.bulk!.rowCount, c.status])).toEqual([
      [500, 'SUCCESS'],
      ...Array.from({ length: 7 }, () => [500, 'OVERLOADED']),
      [500, 'SUCCESS'],
      [200, 'SUCCESS'],
    ]);
    expect(new Set(bulks.map((c) => c.bulk!.table))).toEqual(new Set(['school_snapshot']));
  });

  test('a warm client keeps its session: a second statement is one ExecuteQuery', async () => {
    const client = new YdbClient(driver);
    await client.reader('SELECT 1 AS one;', {}, 'probe');
    const before = wire.calls.length;
    await client.reader('SELECT 1 AS one;', {}, 'probe');
    expect(wire.calls.slice(before).map((c) => c.method)).toEqual(['ExecuteQuery']);
    await client.close();
  });
});

describe('over the wire with metadata-service tokens that live one second', { timeout: 60_000 }, () => {
  let wire: YdbWire;
  let metadata: Server;
  const issued = new Map<string, number>();
  let n = 0;

  beforeAll(async () => {
    metadata = createServer((_req, res) => {
      const token = `t${++n}`;
      issued.set(token, Date.now() + 1_000);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, expires_in: 1 }));
    });
    await new Promise<void>((r) => metadata.listen(0, '127.0.0.1', r));
    // YDB refuses a token that has (nearly) expired by the time the call arrives
    wire = await startYdbWire({ acceptToken: (t) => t !== undefined && Date.now() < (issued.get(t) ?? 0) - 100 });
  });
  afterAll(async () => {
    await closeDriver();
    await wire.close();
    await new Promise<void>((r) => metadata.close(() => r()));
  });

  test('the token is replaced before it expires, so no call is refused', async () => {
    const endpoint = `http://127.0.0.1:${(metadata.address() as { port: number }).port}/token`;
    const driver = await getDriver({ connectionString: wire.connectionString, credentials: { kind: 'metadata', endpoint } });
    const client = new YdbClient(driver);
    const started = Date.now();
    await client.reader('SELECT 1 AS one;', {}, 'probe');
    await new Promise((r) => setTimeout(r, started + 950 - Date.now()));
    await client.reader('SELECT 1 AS one;', {}, 'probe');
    const queries = wire.calls.filter((c) => c.method === 'ExecuteQuery');
    expect(queries.map((c) => c.status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(queries.map((c) => c.token)).toEqual(['t1', 't2']);
    expect(wire.calls.filter((c) => c.status.startsWith('grpc:'))).toEqual([]);
    await client.close();
  });
});
