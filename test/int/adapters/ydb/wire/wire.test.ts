// The YDB wire server is only worth its tests' trust if the real @ydbjs driver and query
// client run through it as through a YDB: discovery, sessions, transactions, BulkUpsert,
// every fault a serverless YDB answers, and the type check that must refuse a mismatch.
// No test waits on the wall clock: races are set up by holding calls at the server and
// waits end on the server's own events (wire.until), so a busy machine changes nothing.
import { AccessTokenCredentialsProvider } from '@ydbjs/auth/access-token';
import { Driver } from '@ydbjs/core';
import { QueryServiceDefinition } from '@ydbjs/api/query';
import { StatusIds_StatusCode as S } from '@ydbjs/api/operation';
import { TableServiceDefinition } from '@ydbjs/api/table';
import { YDBError } from '@ydbjs/error';
import { query } from '@ydbjs/query';
import { List } from '@ydbjs/value/list';
import { Optional } from '@ydbjs/value/optional';
import { Bool, Date as YDate, Int64, Uint64, Utf8 } from '@ydbjs/value/primitive';
import { Struct } from '@ydbjs/value/struct';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type YdbWire, startYdbWire } from '../../../../ydb-wire/server.ts';

let wire: YdbWire;
let driver: Driver;
let sql: ReturnType<typeof query>;
beforeAll(async () => {
  wire = await startYdbWire();
  driver = new Driver(wire.connectionString);
  await driver.ready();
  sql = query(driver);
});
// @ydbjs/query deletes each query's session without awaiting it: wait for the deletes
const sessionsDeleted = () => wire.until(() => wire.openSessions() === 0);
afterEach(async () => {
  await sessionsDeleted();
  await wire.idle();
  wire.reset();
});
afterAll(async () => {
  await sessionsDeleted();
  driver?.close();
  await wire?.close();
});

type Yql = (strings: TemplateStringsArray, ...values: unknown[]) => ReturnType<ReturnType<typeof query>>;
const methods = () => wire.calls.map((c) => `${c.method}:${c.status}`);
const day = (iso: string) => new YDate(new Date(`${iso}T00:00:00Z`));
const raw = () => driver.createClient(QueryServiceDefinition);
async function session(): Promise<string> {
  const s = await raw().createSession({});
  return s.sessionId;
}
async function parts(sessionId: string, text: string): Promise<number[]> {
  const out: number[] = [];
  for await (const p of raw().executeQuery({ sessionId, query: { case: 'queryContent', value: { text } } })) out.push(p.status);
  return out;
}

describe('connect', () => {
  test('the driver discovers the server through grpc://127.0.0.1:PORT/local and sends the database', async () => {
    // a server of its own: the file's shared driver rediscovers on its own schedule
    const own = await startYdbWire();
    try {
      const d = new Driver(own.connectionString);
      await d.ready();
      d.close();
      const list = own.calls.filter((c) => c.method === 'ListEndpoints');
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ status: 'SUCCESS', database: '/local' });
      expect(own.connectionString).toMatch(/^grpc:\/\/127\.0\.0\.1:\d+\/local$/);
    } finally {
      await own.close();
    }
  });
});

describe('scripted results', () => {
  test('a scripted SELECT returns typed rows, and the query, its parameter names, types and values are recorded', async () => {
    wire.script('FROM upload_ledger', [
      wire.rows('upload_ledger', [
        { upload_id: 'u1', status: 'done', ingest_sequence: 3n, lease_until_ms: null, report_json: { ok: true } },
        { upload_id: 'u2', status: 'leased', ingest_sequence: 4n, lease_until_ms: 1_700_000_000_000n, report_json: null },
      ], ['upload_id', 'status', 'ingest_sequence', 'lease_until_ms', 'report_json']),
    ]);
    const [rows] = await sql`SELECT upload_id, status, ingest_sequence, lease_until_ms, report_json FROM upload_ledger WHERE status = ${'done'} AND ingest_sequence > ${new Uint64(2n)}`;
    expect(rows).toEqual([
      { upload_id: 'u1', status: 'done', ingest_sequence: 3n, lease_until_ms: null, report_json: { ok: true } },
      { upload_id: 'u2', status: 'leased', ingest_sequence: 4n, lease_until_ms: 1_700_000_000_000n, report_json: null },
    ]);
    const [q] = wire.queries();
    expect(q!.text).toContain('WHERE status = $p0 AND ingest_sequence > $p1');
    expect(Object.fromEntries(Object.entries(q!.params).map(([k, p]) => [k, [p.type, p.value]]))).toEqual({ $p0: ['Utf8', 'done'], $p1: ['Uint64', 2n] });
    expect(q!.tx).toEqual({ begin: null, commit: false, txId: null });
    await sessionsDeleted();
    expect(methods()).toEqual(['CreateSession:SUCCESS', 'AttachSession:SUCCESS', 'ExecuteQuery:SUCCESS', 'DeleteSession:SUCCESS']);
    expect(wire.unmatched()).toEqual([]);
  });

  test('scripts match by RegExp or predicate, newest first, a limited number of times; unscripted SELECTs see empty tables', async () => {
    wire.script(/FROM current_batch/, [wire.resultSet({ n: 'Uint64' }, [{ n: 1n }])]);
    wire.script((q) => q.params.$p0?.value === '26', [wire.resultSet({ n: 'Uint64' }, [{ n: 26n }])], 1);
    expect(await sql`SELECT COUNT(*) AS n FROM current_batch WHERE region = ${'26'}`).toEqual([[{ n: 26n }]]);
    expect(await sql`SELECT COUNT(*) AS n FROM current_batch WHERE region = ${'26'}`).toEqual([[{ n: 1n }]]);
    expect(await sql`SELECT region FROM alert_state WHERE region = ${'26'}; SELECT unit FROM alert_state WHERE region = ${'27'}`).toEqual([[], []]);
    expect(wire.unmatched().map((q) => q.text)).toEqual([expect.stringContaining('FROM alert_state')]);
  });

  test('large result sets stream in several parts and arrive whole', async () => {
    const small = await startYdbWire({ rowsPerPart: 2 });
    const d = new Driver(small.connectionString);
    try {
      await d.ready();
      const rows = Array.from({ length: 5 }, (_, i) => ({ unit: `m${i}` }));
      small.script('FROM alert_state', [small.rows('alert_state', rows, ['unit'])]);
      expect(await query(d)`SELECT unit FROM alert_state WHERE region = ${'26'}`).toEqual([rows]);
      const exec = small.calls.find((c) => c.method === 'ExecuteQuery')!;
      expect(exec.responseBytes).toBeGreaterThan(3 * 10);
      await small.until(() => small.openSessions() === 0);
    } finally {
      d.close();
      await small.close();
    }
  });
});

describe('transactions', () => {
  const upsert = (tx: Yql) =>
    tx`UPSERT INTO current_batch (region, period_start, period_end, kind, municipality_id, batch_id, upload_id, source_modified_ms, source_sequence, version)
       VALUES (${'26'}, ${day('2026-01-05')}, ${day('2026-01-11')}, ${'school'}, ${'m1'}, ${'b1'}, ${'u1'}, ${new Int64(5n)}, ${new Uint64(7n)}, ${new Uint64(1n)})`;

  test('a parameterised UPSERT inside sql.begin runs in the transaction it began and commits it', async () => {
    await sql.begin(async (tx) => {
      await upsert(tx);
    });
    const begin = wire.calls.find((c) => c.method === 'BeginTransaction')!;
    const exec = wire.calls.find((c) => c.method === 'ExecuteQuery')!;
    const commit = wire.calls.find((c) => c.method === 'CommitTransaction')!;
    expect(begin.tx).toEqual({ begin: 'serializableReadWrite', commit: false, txId: null });
    expect(exec.tx!.txId).toMatch(/^wire-tx-/);
    expect(commit.tx).toEqual({ begin: null, commit: true, txId: exec.tx!.txId });
    expect(commit.status).toBe('SUCCESS');
    expect(Object.values(exec.query!.params).map((p) => p.type)).toEqual(['Utf8', 'Date', 'Date', 'Utf8', 'Utf8', 'Utf8', 'Utf8', 'Int64', 'Uint64', 'Uint64']);
    expect(exec.query!.params.$p1!.value).toEqual(new Date('2026-01-05T00:00:00Z'));
  });

  test('a single query can begin and commit its own transaction inline (one round trip)', async () => {
    await upsert(sql).isolation('serializableReadWrite');
    expect(wire.queries()[0]!.tx).toEqual({ begin: 'serializableReadWrite', commit: true, txId: null });
    expect(methods()).not.toContain('BeginTransaction:SUCCESS');
  });

  test('a failing transaction body is rolled back by its transaction id', async () => {
    await expect(
      sql.begin(async (tx) => {
        await upsert(tx);
        throw new Error('body failed');
      }),
    ).rejects.toThrow();
    await sessionsDeleted();
    const exec = wire.calls.find((c) => c.method === 'ExecuteQuery')!;
    await wire.until(() => wire.calls.some((c) => c.method === 'RollbackTransaction'));
    const rollback = wire.calls.find((c) => c.method === 'RollbackTransaction')!;
    expect(rollback.tx).toEqual({ begin: null, commit: false, txId: exec.tx!.txId });
    expect(methods()).not.toContain('CommitTransaction:SUCCESS');
  });

  test('a committed transaction cannot be continued', async () => {
    const sid = await session();
    const b = await raw().beginTransaction({ sessionId: sid, txSettings: { txMode: { case: 'serializableReadWrite', value: {} } } });
    expect((await raw().commitTransaction({ sessionId: sid, txId: b.txMeta!.id })).status).toBe(S.SUCCESS);
    expect((await raw().commitTransaction({ sessionId: sid, txId: b.txMeta!.id })).status).toBe(S.NOT_FOUND);
    await raw().deleteSession({ sessionId: sid });
  });
});

describe('BulkUpsert', () => {
  const row = (school: string, extra: Record<string, unknown> = {}) =>
    new Struct({
      region: new Utf8('26'), period_start: day('2026-01-05'), period_end: day('2026-01-11'), batch_id: new Utf8('b1'),
      municipality_id: new Utf8('m1'), school_key: new Utf8(school), school_inn: new Utf8('2600000001'),
      school_name: new Utf8(`School ${school}`), in_sferum: new Bool(true), admin_active: new Bool(false),
      teachers_total: new Optional(new Int64(12n)), ...extra,
    } as never);

  test('rows sent through the TableService client are recorded with their table, row type and values', async () => {
    const rows = new List(row('s1'), row('s2'));
    const table = driver.createClient(TableServiceDefinition);
    const res = await table.bulkUpsert({ table: `${wire.database}/school_snapshot`, rows: { type: rows.type.encode(), value: rows.encode() } });
    expect(res.operation!.status).toBe(S.SUCCESS);
    const [b] = wire.bulks();
    expect(b).toMatchObject({ table: 'school_snapshot', path: '/local/school_snapshot', rowCount: 2 });
    expect(b!.rowType).toContain('teachers_total:Optional<Int64>');
    expect(b!.rows.map((r) => [r.school_key, r.teachers_total])).toEqual([['s1', 12n], ['s2', 12n]]);
    expect(wire.calls.at(-1)!.requestBytes).toBeGreaterThan(100);
  });

  test('a row field of the wrong type or a missing key column fails the request', async () => {
    const bad = new List(row('s1', { teachers_total: new Optional(new Utf8('12')) }));
    const table = driver.createClient(TableServiceDefinition);
    const res = await table.bulkUpsert({ table: '/local/school_snapshot', rows: { type: bad.type.encode(), value: bad.encode() } });
    expect(res.operation!.status).toBe(S.BAD_REQUEST);
    expect(res.operation!.issues[0]!.message).toContain('row field teachers_total is Optional<Utf8> but is written to column school_snapshot.teachers_total (Int64)');
    const keyless = new List(new Struct({ region: new Utf8('26') }));
    const res2 = await table.bulkUpsert({ table: '/local/school_snapshot', rows: { type: keyless.type.encode(), value: keyless.encode() } });
    expect(res2.operation!.issues[0]!.message).toContain('rows lack key column school_snapshot.period_start');
  });
});

describe('type check', () => {
  test('a Utf8 parameter compared with a Uint64 column fails, naming the parameter, the column and both types', async () => {
    const err = await sql`SELECT upload_id FROM upload_ledger WHERE ingest_sequence = ${'7'}`.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(YDBError);
    expect((err as YDBError).code).toBe(S.BAD_REQUEST);
    expect((err as YDBError).message).toContain('parameter $p0 is Utf8 but is compared with column upload_ledger.ingest_sequence (Uint64 NOT NULL)');
    expect(wire.calls.find((c) => c.method === 'ExecuteQuery')!.status).toBe('BAD_REQUEST');
  });

  test('a JS Date (Datetime) written to a Date column fails; Optional written to NOT NULL fails; the right types pass', async () => {
    await expect(sql`UPSERT INTO alert_state (region, alert_id, level, unit, status, period_start, period_end, changed_at, state_json)
      VALUES (${'26'}, ${'a'}, ${'region'}, ${'26'}, ${'open'}, ${new Date('2026-01-05')}, ${day('2026-01-11')}, ${'t'}, ${'{}'})`).rejects.toThrow(
      'parameter $p5 is Datetime but is written to column alert_state.period_start (Date NOT NULL)',
    );
    await expect(sql`UPDATE upload_ledger SET status = ${new Optional(new Utf8('done'))} WHERE upload_id = ${'u1'}`).rejects.toThrow(
      'parameter $p0 is Optional<Utf8> but is written to column upload_ledger.status (Utf8 NOT NULL)',
    );
    await expect(sql`UPDATE upload_ledger SET lease_until_ms = ${new Optional(new Int64(1n))} WHERE upload_id = ${'u1'}`).resolves.toEqual([]);
  });
});

describe('faults', () => {
  test('OVERLOADED on the next CreateSession, then success', async () => {
    wire.fault({ method: 'CreateSession', status: 'OVERLOADED' });
    expect((await raw().createSession({})).status).toBe(S.OVERLOADED);
    const ok = await raw().createSession({});
    expect(ok.status).toBe(S.SUCCESS);
    await raw().deleteSession({ sessionId: ok.sessionId });
    expect(methods().slice(0, 2)).toEqual(['CreateSession:OVERLOADED', 'CreateSession:SUCCESS']);
  });

  test('OVERLOADED on CommitTransaction reaches the query client as a failed commit', async () => {
    const sid = await session();
    const b = await raw().beginTransaction({ sessionId: sid, txSettings: { txMode: { case: 'serializableReadWrite', value: {} } } });
    wire.fault({ method: 'CommitTransaction', status: 'OVERLOADED' });
    const c = await raw().commitTransaction({ sessionId: sid, txId: b.txMeta!.id });
    expect([c.status, c.issues[0]!.message]).toEqual([S.OVERLOADED, 'wire: injected OVERLOADED on CommitTransaction #1']);
    await raw().deleteSession({ sessionId: sid });
  });

  test('UNAVAILABLE in-band on ExecuteQuery and as a gRPC transport failure', async () => {
    const sid = await session();
    wire.fault({ method: 'ExecuteQuery', status: 'UNAVAILABLE' });
    expect(await parts(sid, 'SELECT 1')).toEqual([S.UNAVAILABLE]);
    wire.fault({ method: 'ExecuteQuery', grpc: 'UNAVAILABLE' });
    await expect(parts(sid, 'SELECT 1')).rejects.toMatchObject({ code: 14 });
    expect(await parts(sid, 'SELECT 1')).toEqual([S.SUCCESS]);
    await raw().deleteSession({ sessionId: sid });
    expect(methods().filter((m) => m.startsWith('ExecuteQuery'))).toEqual(['ExecuteQuery:UNAVAILABLE', 'ExecuteQuery:grpc:UNAVAILABLE', 'ExecuteQuery:SUCCESS']);
  });

  // @ydbjs/query 6.0.4 keeps the session id across its retries of a query (query.js assigns the
  // closure's sessionId; inside sql.begin it comes from the transaction's store), so after
  // BAD_SESSION it asks the dead session again, at zero delay, until its signal ends: the
  // adapters must bound every query with a signal and start over on a new session themselves.
  test('BAD_SESSION kills the session; @ydbjs/query asks the dead session again until its signal ends', async () => {
    // the signal ends once the server has answered BAD_SESSION three times: no clock involved
    const after = (n: number) => {
      const ac = new AbortController();
      const bad = () => wire.calls.filter((c) => c.method === 'ExecuteQuery' && c.status === 'BAD_SESSION').length;
      const seen = bad();
      void wire.until(() => bad() >= seen + n).then(() => ac.abort());
      return ac.signal;
    };
    wire.fault({ method: 'ExecuteQuery', status: 'BAD_SESSION' });
    await expect(sql`SELECT region FROM alert_state WHERE region = ${'26'}`.signal(after(3))).rejects.toThrow();
    wire.fault({ method: 'ExecuteQuery', status: 'BAD_SESSION' });
    await expect(sql.begin({ signal: after(3) }, async (tx) => tx`SELECT region FROM alert_state WHERE region = ${'26'}`)).rejects.toThrow();
    await wire.idle();
    const execs = wire.calls.filter((c) => c.method === 'ExecuteQuery');
    const [single, inTx] = [...new Set(execs.map((c) => c.sessionId))];
    for (const sid of [single, inTx]) {
      const mine = execs.filter((c) => c.sessionId === sid);
      expect(mine.length).toBeGreaterThan(2);
      expect(mine.every((c) => c.status === 'BAD_SESSION')).toBe(true);
    }
    expect(new Set(execs.map((c) => c.sessionId)).size).toBe(2);
  });

  test('SESSION_BUSY when a session runs two queries at once, and injected', async () => {
    const sid = await session();
    const gate = wire.hold({ method: 'ExecuteQuery' });
    const first = parts(sid, 'SELECT 1');
    await gate.arrived;
    expect(await parts(sid, 'SELECT 2')).toEqual([S.SESSION_BUSY]);
    gate.release();
    expect(await first).toEqual([S.SUCCESS]);
    wire.fault({ method: 'ExecuteQuery', status: 'SESSION_BUSY' });
    expect(await parts(sid, 'SELECT 3')).toEqual([S.SESSION_BUSY]);
    await raw().deleteSession({ sessionId: sid });
  });

  test('ABORTED on the first commit: sql.begin runs the whole transaction again', async () => {
    wire.fault({ method: 'CommitTransaction', status: 'ABORTED', calls: [1] });
    let bodies = 0;
    await sql.begin(async (tx) => {
      bodies++;
      await tx`SELECT region FROM alert_state WHERE region = ${'26'}`;
    });
    expect(bodies).toBe(2);
    const commits = wire.calls.filter((c) => c.method === 'CommitTransaction');
    expect(commits.map((c) => c.status)).toEqual(['ABORTED', 'SUCCESS']);
    expect(commits[0]!.tx!.txId).not.toBe(commits[1]!.tx!.txId);
  });

  test('UNAUTHENTICATED: a refused token fails the call at the transport, the accepted one is recorded', async () => {
    const guarded = await startYdbWire({ acceptToken: (t) => t === 'fresh' });
    const good = new Driver(guarded.connectionString, { credentialsProvider: new AccessTokenCredentialsProvider({ token: 'fresh' }) });
    const stale = new Driver(guarded.connectionString, { credentialsProvider: new AccessTokenCredentialsProvider({ token: 'stale' }) });
    // the Driver rejects its ready promise when discovery fails; unobserved, that rejection is unhandled
    const staleReady = stale.ready().then(() => 'ready', (e: unknown) => e);
    try {
      await good.ready();
      await expect(query(good)`SELECT region FROM alert_state WHERE region = ${'26'}`).resolves.toEqual([[]]);
      expect(await staleReady).toMatchObject({ code: 16 });
      expect(guarded.calls.filter((c) => c.token === 'stale').map((c) => c.status)).toContain('grpc:UNAUTHENTICATED');
      expect(guarded.calls.filter((c) => c.status === 'SUCCESS').every((c) => c.token === 'fresh')).toBe(true);
      guarded.fault({ method: 'ExecuteQuery', grpc: 'UNAUTHENTICATED' });
      await expect(query(good)`SELECT region FROM alert_state WHERE region = ${'26'}`).rejects.toMatchObject({ code: 16 });
      await guarded.until(() => guarded.openSessions() === 0);
    } finally {
      good.close();
      stale.close();
      await guarded.close();
    }
  });

  test('a slow reply: the call waits for the server, and a client timeout gives up on a server that does not answer', async () => {
    const slow = wire.hold({ method: 'ExecuteQuery' });
    let answered = false;
    const reply = sql`SELECT region FROM alert_state WHERE region = ${'26'}`.then((r) => ((answered = true), r));
    await slow.arrived;
    expect(answered).toBe(false);
    slow.release();
    expect(await reply).toEqual([[]]);
    const silent = wire.hold({ method: 'ExecuteQuery' });
    try {
      await expect(sql`SELECT region FROM alert_state WHERE region = ${'26'}`.timeout(100)).rejects.toThrow();
    } finally {
      silent.release();
    }
  });

  test('an interrupted stream: result parts first, then the failure (in-band or at the transport)', async () => {
    const sid = await session();
    const set = wire.resultSet({ n: 'Uint64' }, [{ n: 1n }]);
    wire.script('FROM alert_state', [set, set, set]);
    const text = 'SELECT COUNT(*) AS n FROM alert_state; SELECT COUNT(*) AS n FROM alert_state; SELECT COUNT(*) AS n FROM alert_state';
    wire.fault({ method: 'ExecuteQuery', status: 'OVERLOADED', afterParts: 2 });
    expect(await parts(sid, text)).toEqual([S.SUCCESS, S.SUCCESS, S.OVERLOADED]);
    wire.fault({ method: 'ExecuteQuery', grpc: 'UNAVAILABLE', afterParts: 1 });
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const p of raw().executeQuery({ sessionId: sid, query: { case: 'queryContent', value: { text } } })) got.push(p.status);
      })(),
    ).rejects.toMatchObject({ code: 14 });
    expect(got).toEqual([S.SUCCESS]);
    expect(await parts(sid, text)).toEqual([S.SUCCESS, S.SUCCESS, S.SUCCESS]);
    await raw().deleteSession({ sessionId: sid });
  });

  test('faults pick calls by number and by query', async () => {
    const sid = await session();
    wire.fault({ method: 'ExecuteQuery', status: 'OVERLOADED', calls: [2, 3] });
    wire.fault({ method: 'ExecuteQuery', status: 'ABORTED', match: 'alert_state', times: Infinity });
    const got = [];
    for (const text of ['SELECT 1', 'SELECT 2', 'SELECT 3', 'SELECT 4', 'SELECT unit FROM alert_state']) got.push(...(await parts(sid, text)));
    expect(got).toEqual([S.SUCCESS, S.OVERLOADED, S.OVERLOADED, S.SUCCESS, S.ABORTED]);
    await raw().deleteSession({ sessionId: sid });
  });
});
