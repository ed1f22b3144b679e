// The wire double executes what it is sent, and refuses what YDB refuses, with YDB's status
// and issue text: before it executed anything, each request below was answered SUCCESS.
// Requests go through the real @ydbjs driver's query service client, with the transaction
// control the adapters use (a transaction begun by its first statement, continued by id,
// committed by its last), so nothing here depends on an adapter's own rules.
import { Driver } from '@ydbjs/core';
import { StatusIds_StatusCode as S } from '@ydbjs/api/operation';
import { QueryServiceDefinition } from '@ydbjs/api/query';
import { TableServiceDefinition } from '@ydbjs/api/table';
import { type TypedValue } from '@ydbjs/api/value';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { col, listParam, param, scalarListParam } from '../../../../../shared/adapters/ydb/codec.ts';
import { ydbStoresOn } from '../../../../../shared/adapters/ydb/index.ts';
import { T } from '../../../../../shared/adapters/ydb/tables.ts';
import { batchCommit, P1, schoolRow } from '../../../../support/builders.ts';
import { DOUBLE_CLIENT } from '../../../../support/ydb-double.ts';
import { type YdbWire, startYdbWire } from '../../../../ydb-wire/server.ts';

let wire: YdbWire;
let driver: Driver;
beforeAll(async () => {
  wire = await startYdbWire();
  driver = new Driver(wire.connectionString, { 'ydb.sdk.enable_discovery': false });
  await driver.ready();
});
afterEach(() => wire.reset());
afterAll(async () => {
  driver.close();
  await wire.close();
});

const raw = () => driver.createClient(QueryServiceDefinition);
type Mode = 'serializableReadWrite' | 'snapshotReadOnly';
type Reply = { status: number; issues: string; txId: string | undefined; rows: number };

/** One ExecuteQuery: `begin` a transaction in a mode, or continue `txId`; `commit` with it. */
async function exec(sid: string, text: string, params: Record<string, TypedValue> = {}, tx: { begin?: Mode; txId?: string; commit?: boolean } = {}): Promise<Reply> {
  const txSelector = tx.txId ? { case: 'txId' as const, value: tx.txId } : tx.begin ? { case: 'beginTx' as const, value: { txMode: { case: tx.begin, value: {} } } } : undefined;
  const out: Reply = { status: S.SUCCESS, issues: '', txId: tx.txId, rows: 0 };
  for await (const p of raw().executeQuery({
    sessionId: sid,
    query: { case: 'queryContent', value: { text } },
    parameters: params,
    ...(txSelector ? { txControl: { txSelector, commitTx: tx.commit ?? false } } : {}),
  } as never)) {
    if (p.status !== S.SUCCESS) {
      out.status = p.status;
      out.issues += p.issues.map((i) => i.message).join('; ');
    }
    if (p.txMeta?.id) out.txId = p.txMeta.id;
    out.rows += p.resultSet?.rows.length ?? 0;
  }
  return out;
}
const session = async () => (await raw().createSession({})).sessionId;
const utf8 = (x: string) => param(col.utf8, x);
const alertRows = (units: string[], region = '26') => ({
  $rows: listParam(T.alertState.columns, units.map((unit) => ({
    region, alert_id: 'a', level: 'municipality', unit, status: 'breach', period_start: '2026-01-05', period_end: '2026-01-11', changed_at: 't', state_json: {},
  }))),
});
const UPSERT_ALERTS = 'UPSERT INTO alert_state SELECT * FROM AS_TABLE($rows);';

describe('refusals, each with the status and issue text YDB answers', () => {
  test('a syntax error: GENERIC_ERROR', async () => {
    const sid = await session();
    const r = await exec(sid, 'SELEC region FROM alert_state;');
    expect([S[r.status], r.issues]).toEqual(['GENERIC_ERROR', expect.stringContaining('Syntax error')]);
    const cut = await exec(sid, 'SELECT region FROM alert_state WHERE;');
    expect(S[cut.status]).toBe('GENERIC_ERROR');
  });

  test('VIEW of an index the table does not have: SCHEME_ERROR "Required global index not found"', async () => {
    const r = await exec(await session(), 'DECLARE $s AS Utf8;\nSELECT upload_id FROM upload_ledger VIEW no_such_index WHERE status = $s;', { $s: utf8('x') });
    expect([S[r.status], r.issues]).toEqual(['SCHEME_ERROR', 'Required global index not found, index name: no_such_index']);
    const ok = await exec(await session(), 'DECLARE $s AS Utf8;\nSELECT upload_id FROM upload_ledger VIEW by_status_sequence WHERE status = $s;', { $s: utf8('x') });
    expect(S[ok.status]).toBe('SUCCESS');
  });

  test('an unknown column: GENERIC_ERROR "Member not found"; an unknown table: SCHEME_ERROR "Cannot find table"', async () => {
    const sid = await session();
    const col = await exec(sid, 'SELECT no_such_column FROM alert_state;');
    expect([S[col.status], col.issues]).toEqual(['GENERIC_ERROR', 'Member not found: no_such_column']);
    const where = await exec(sid, 'DECLARE $r AS Utf8;\nSELECT unit FROM alert_state WHERE regionn = $r;', { $r: utf8('26') });
    expect([S[where.status], where.issues]).toEqual(['GENERIC_ERROR', 'Member not found: regionn']);
    const table = await exec(sid, 'SELECT unit FROM no_such_table;');
    expect([S[table.status], table.issues]).toEqual(['SCHEME_ERROR', expect.stringContaining("Cannot find table 'db.[/local/no_such_table]' because it does not exist")]);
  });

  test('an UPSERT in a snapshot read-only transaction: GENERIC_ERROR, and nothing is written', async () => {
    const sid = await session();
    const r = await exec(sid, UPSERT_ALERTS, alertRows(['m1']), { begin: 'snapshotReadOnly', commit: true });
    expect([S[r.status], r.issues]).toEqual(['GENERIC_ERROR', "Operation 'Upsert' can't be performed in read only transaction"]);
    expect(wire.tableRows('alert_state')).toEqual([]);
  });

  test('DDL inside a transaction: PRECONDITION_FAILED; outside one it runs', async () => {
    const sid = await session();
    const ddl = 'CREATE TABLE scratch (k Utf8 NOT NULL, PRIMARY KEY (k));';
    const inTx = await exec(sid, ddl, {}, { begin: 'serializableReadWrite', commit: true });
    expect([S[inTx.status], inTx.issues]).toEqual(['PRECONDITION_FAILED', 'Scheme operations cannot be executed inside transaction']);
    expect(S[(await exec(sid, 'SELECT k FROM scratch;')).status]).toBe('SCHEME_ERROR');
    expect(S[(await exec(sid, ddl)).status]).toBe('SUCCESS');
    expect(S[(await exec(sid, 'SELECT k FROM scratch;')).status]).toBe('SUCCESS');
  });

  test('an INSERT of an existing key: PRECONDITION_FAILED "Conflict with existing key.", and the row keeps its value', async () => {
    const sid = await session();
    const ins = 'INSERT INTO alert_state SELECT * FROM AS_TABLE($rows);';
    expect(S[(await exec(sid, ins, alertRows(['m1']), { begin: 'serializableReadWrite', commit: true })).status]).toBe('SUCCESS');
    const again = await exec(sid, ins, alertRows(['m1', 'm2']), { begin: 'serializableReadWrite', commit: true });
    expect([S[again.status], again.issues]).toEqual(['PRECONDITION_FAILED', 'Conflict with existing key.']);
    expect(wire.tableRows('alert_state').map((r) => r.unit)).toEqual(['m1']);
  });

  test('DECLAREd types are checked against the values sent: BAD_REQUEST', async () => {
    const r = await exec(await session(), 'DECLARE $r AS Utf8;\nSELECT unit FROM alert_state WHERE region = $r;', { $r: param(col.int64, 26) });
    expect([S[r.status], r.issues]).toEqual(['BAD_REQUEST', expect.stringContaining('$r is DECLAREd as Utf8 but sent as Int64')]);
  });
});

describe('transactions', () => {
  // the read a pointer flip begins with: the pointers of one (region, period, kind)
  const POINTER_READ = `DECLARE $region AS Utf8; DECLARE $period_start AS Date; DECLARE $period_end AS Date; DECLARE $kind AS Utf8; DECLARE $limit AS Uint64;
SELECT municipality_id, batch_id FROM current_batch
WHERE region = $region AND period_start = $period_start AND period_end = $period_end AND kind = $kind
ORDER BY municipality_id LIMIT $limit;`;
  const POINTER_WRITE = 'UPSERT INTO current_batch SELECT * FROM AS_TABLE($pointers);';
  const params = (): Record<string, TypedValue> => ({
    $region: utf8('26'), $period_start: param(col.date, P1.start), $period_end: param(col.date, P1.end), $kind: utf8('schools'), $limit: param(col.uint64, 500),
  });
  const flip = (batch: string, sequence: number) => ({
    $pointers: listParam(T.currentBatch.columns, [{
      region: '26', period_start: P1.start, period_end: P1.end, kind: 'schools', municipality_id: 'm1', batch_id: batch, upload_id: `u-${batch}`,
      source_modified_ms: 1000, source_sequence: sequence, version: 1,
    }]),
  });

  test('two transactions read one pointer, both write it: the second commit is ABORTED (locks invalidated), the first one holds', async () => {
    const [s1, s2] = [await session(), await session()];
    const r1 = await exec(s1, POINTER_READ, params(), { begin: 'serializableReadWrite' });
    const r2 = await exec(s2, POINTER_READ, params(), { begin: 'serializableReadWrite' });
    expect([r1.rows, r2.rows]).toEqual([0, 0]);
    const w1 = await exec(s1, POINTER_WRITE, flip('b1', 1), { txId: r1.txId, commit: true });
    const w2 = await exec(s2, POINTER_WRITE, flip('b2', 2), { txId: r2.txId, commit: true });
    expect(S[w1.status]).toBe('SUCCESS');
    expect([S[w2.status], w2.issues]).toEqual(['ABORTED', 'Transaction locks invalidated. Table: `/local/current_batch`.']);
    expect(wire.tableRows('current_batch').map((r) => r.batch_id)).toEqual(['b1']);
  });

  test('a transaction that read nothing another wrote commits; a snapshot read-only one keeps the state of its first read', async () => {
    const [s1, s2] = [await session(), await session()];
    await exec(s1, UPSERT_ALERTS, alertRows(['m1']), { begin: 'serializableReadWrite', commit: true });
    const read = 'SELECT unit FROM alert_state;';
    const snap = await exec(s2, read, {}, { begin: 'snapshotReadOnly' });
    expect(snap.rows).toBe(1);
    await exec(s1, UPSERT_ALERTS, alertRows(['m2', 'm3']), { begin: 'serializableReadWrite', commit: true });
    expect((await exec(s2, read, {}, { txId: snap.txId, commit: true })).rows).toBe(1);
    expect((await exec(s2, read, {}, { begin: 'snapshotReadOnly', commit: true })).rows).toBe(3);
  });

  test('a snapshot reads its own state through list parameters and AS_TABLE joins too', async () => {
    const [s1, s2] = [await session(), await session()];
    await exec(s1, UPSERT_ALERTS, alertRows(['m1', 'm2']), { begin: 'serializableReadWrite', commit: true });
    const units = { $units: scalarListParam(col.utf8, ['m1', 'm2', 'm3']) };
    const inList = 'DECLARE $units AS List<Utf8>;\nSELECT unit FROM alert_state WHERE region = "26" AND unit IN $units;';
    const first = await exec(s2, inList, units, { begin: 'snapshotReadOnly' });
    expect(first.rows).toBe(2);
    await exec(s1, UPSERT_ALERTS, alertRows(['m3']), { begin: 'serializableReadWrite', commit: true });
    expect((await exec(s2, inList, units, { txId: first.txId })).rows).toBe(2);
    const join = 'SELECT a.unit AS unit FROM AS_TABLE($rows) AS k JOIN alert_state AS a ON a.region = k.region AND a.alert_id = k.alert_id AND a.level = k.level AND a.unit = k.unit;';
    expect((await exec(s2, join, alertRows(['m1', 'm3']), { txId: first.txId, commit: true })).rows).toBe(1);
    expect((await exec(s2, join, alertRows(['m1', 'm3']), { begin: 'snapshotReadOnly', commit: true })).rows).toBe(2);
  });

  test('two commitBatch racing on one pointer: one is ABORTED and re-run from its read, and the newer upload wins', async () => {
    const stores = ydbStoresOn(driver, DOUBLE_CLIENT);
    await stores.snapshots.stageSchoolRows('older', [schoolRow({ teachers_total: 1 })]);
    await stores.snapshots.stageSchoolRows('newer', [schoolRow({ teachers_total: 2 })]);
    // both transactions have read the pointers before either writes: a race set up by events
    const gate = wire.hold({ method: 'ExecuteQuery', match: (q) => q.tx.commit && q.tx.txId !== null, count: 2 });
    const older = stores.snapshots.commitBatch(batchCommit({ batchId: 'older', uploadId: 'u1', source: { lastModifiedMs: 1000, sequence: 1 } }));
    const newer = stores.snapshots.commitBatch(batchCommit({ batchId: 'newer', uploadId: 'u2', source: { lastModifiedMs: 2000, sequence: 2 } }));
    await gate.arrived;
    gate.release();
    const results = await Promise.all([older, newer]);
    expect(wire.calls.filter((c) => c.query?.tx.commit && c.status === 'ABORTED')).toHaveLength(1);
    const [o, n] = results.map(({ applied, superseded, periods }) => ({ applied, superseded, periods }));
    expect(n).toEqual({ applied: 1, superseded: 0, periods: [P1] });
    expect([{ applied: 1, superseded: 0, periods: [P1] }, { applied: 0, superseded: 1, periods: [] }]).toContainEqual(o);
    expect((await stores.snapshots.currentSchools('26', P1)).map((s) => s.teachers_total)).toEqual([2]);
    expect(wire.tableRows('current_batch').map((r) => [r.batch_id, r.source_sequence])).toEqual([['newer', 2n]]);
  });
});

describe('BulkUpsert and the I/O counters', () => {
  test('BulkUpsert writes rows a later SELECT reads, and costs 0.5 RU per started KB of each row', async () => {
    const res = await driver.createClient(TableServiceDefinition).bulkUpsert({ table: '/local/alert_state', rows: alertRows(['m1', 'm2']).$rows });
    expect(res.operation!.status).toBe(S.SUCCESS);
    expect((await exec(await session(), 'SELECT unit FROM alert_state;')).rows).toBe(2);
    const bulk = wire.calls.find((c) => c.method === 'BulkUpsert')!;
    expect(bulk.io).toMatchObject({ rowsWritten: 2, ru: 1 });
  });

  test('a read counts the key range its access path scans, not the rows it returns; RU by Yandex\'s YQL rule', async () => {
    const sid = await session();
    const units = Array.from({ length: 10 }, (_, i) => `m${i}`);
    const write = await exec(sid, UPSERT_ALERTS, alertRows(units), { begin: 'serializableReadWrite', commit: true });
    await exec(sid, UPSERT_ALERTS, alertRows(units, '27'), { begin: 'serializableReadWrite', commit: true });
    expect(S[write.status]).toBe('SUCCESS');
    const writeIo = wire.calls.filter((c) => c.method === 'ExecuteQuery')[0]!.io;
    // 10 rows of ~60 bytes: 10 writes (rows > KB blocks), 2 RU each
    expect(writeIo).toMatchObject({ rowsWritten: 10, ru: 20 });
    wire.calls.length = 0;
    // a key prefix: the region's 10 rows; a non-key filter: the whole table; LIMIT along the key: 3
    await exec(sid, 'DECLARE $r AS Utf8;\nSELECT unit FROM alert_state WHERE region = $r;', { $r: utf8('26') });
    await exec(sid, 'DECLARE $s AS Utf8;\nSELECT unit FROM alert_state WHERE status = $s;', { $s: utf8('open') });
    await exec(sid, 'DECLARE $r AS Utf8;\nDECLARE $n AS Uint64;\nSELECT unit FROM alert_state WHERE region = $r ORDER BY alert_id, level, unit LIMIT $n;', {
      $r: utf8('26'), $n: param(col.uint64, 3),
    });
    const reads = wire.calls.filter((c) => c.method === 'ExecuteQuery').map((c) => [c.resultRows, c.io.rowsRead, c.io.ru]);
    expect(reads).toEqual([[10, 10, 10], [0, 20, 20], [3, 3, 3]]);
    expect(wire.io().rowsRead).toBe(33);
  });

  test('a read through an index reads the index rows and the table rows', async () => {
    const sid = await session();
    const ledger = (upload_id: string, status: string, ingest_sequence: number) => ({
      upload_id, bucket: 'b', object_key: `k/${upload_id}`, sha256: 'x', status, lease_until_ms: null, ingest_sequence, acquired_at_ms: 1,
      completed_at_ms: null, report_status: null, report_json: null,
    });
    const rows = listParam(T.uploadLedger.columns, [ledger('u1', 'completed', 1), ledger('u2', 'completed', 2), ledger('u3', 'in_progress', 3)]);
    const put = await exec(sid, 'UPSERT INTO upload_ledger SELECT * FROM AS_TABLE($rows);', { $rows: rows }, { begin: 'serializableReadWrite', commit: true });
    expect(S[put.status]).toBe('SUCCESS');
    // two synchronous indexes: each row written three times
    expect(wire.calls.find((c) => c.method === 'ExecuteQuery')!.io.rowsWritten).toBe(9);
    wire.calls.length = 0;
    await exec(sid, 'DECLARE $s AS Utf8;\nSELECT upload_id FROM upload_ledger VIEW by_status_sequence WHERE status = $s;', { $s: utf8('completed') });
    expect(wire.calls.find((c) => c.method === 'ExecuteQuery')!.io.rowsRead).toBe(4);
  });
});
