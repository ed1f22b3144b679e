// A claim after an ambiguous commit, through the executing wire double: the claim's
// committing statement is applied, but the client hears UNDETERMINED (or loses the answer
// to a broken connection), so the transaction runs again. The re-run must find its own
// write (`changeVerdict` says done) and hand out the deliveries the first attempt leased —
// same lease, attempt counted once — not report a conflict and strand them until the lease
// expires.
import { afterEach, describe, expect, test } from 'vitest';
import { OUTBOX_WRITE } from '../../../../shared/adapters/ydb/queries.ts';
import { claimDue, enqueue, finish } from '../../../../shared/usecases/outbox.ts';
import { breach, enqueueRequest } from '../../../support/builders.ts';
import { type DoubleDb, useYdbDouble } from '../../../support/ydb-double.ts';

const ydb = useYdbDouble();
let db: DoubleDb | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

describe('a claim after an ambiguous commit', () => {
  test.each([
    ['UNDETERMINED in the answer', { status: 'UNDETERMINED' }, 'UNDETERMINED'],
    ['the connection lost after the commit (gRPC UNAVAILABLE)', { grpc: 'UNAVAILABLE' }, 'grpc:UNAVAILABLE'],
  ] as const)('%s: the re-run answers the leases its first attempt took, once', async (_name, failure, recorded) => {
    db = await ydb.fresh();
    const outbox = db.stores.outbox;
    const [a, b] = [breach({ municipality: { id: 'm1', name: 'a' } }), breach({ municipality: { id: 'm2', name: 'b' } })];
    await enqueue(outbox, enqueueRequest(a, 0));
    await enqueue(outbox, enqueueRequest(b, 0));
    const before = db.wire.calls.length;
    db.wire.fault({ method: 'ExecuteQuery', ...failure, applied: true, match: (q) => q.text === OUTBOX_WRITE });
    const claimed = await claimDue(outbox, { nowMs: 1000, leaseMs: 60_000, limit: 10 });
    const claims = db.wire.calls.slice(before).filter((c) => c.database === db!.database && c.query?.text === OUTBOX_WRITE);
    expect(claims.map((c) => c.status)).toEqual([recorded]);
    expect(claimed.map((c) => [c.events[0]!.id, c.attempt])).toEqual([[a.id, 1], [b.id, 1]]);
    const stored = db.wire.tableRows('notify_delivery', db.database);
    expect(stored.map((r) => [r.attempts, r.lease_token])).toEqual(claimed.map((c) => [1n, c.leaseToken]));
    for (const c of claimed) expect(await finish(outbox, c.id, c.leaseToken, { state: 'delivered', nowMs: 1500 })).toBe(true);
    expect(await claimDue(outbox, { nowMs: 2000, leaseMs: 60_000, limit: 10 })).toEqual([]);
  });

  test('another claimer\'s live lease is still skipped by a re-run', async () => {
    db = await ydb.fresh();
    const outbox = db.stores.outbox;
    const a = breach();
    await enqueue(outbox, enqueueRequest(a, 0));
    const [first] = await claimDue(outbox, { nowMs: 1000, leaseMs: 60_000, limit: 10 });
    expect(first).toBeDefined();
    expect(await claimDue(outbox, { nowMs: 2000, leaseMs: 60_000, limit: 10 })).toEqual([]);
  });
});
