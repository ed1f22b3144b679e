// Integration: the aggregate function end to end on real SQLite files: snapshots committed
// through the SnapshotStore port, YMQ trigger events into the handler, aggregates and alert
// state in SQLite, events collected from the NotificationSink. Covers the seed table
// acceptance, at_risk once three periods exist, idempotent recomputation, deltas, the
// corrected-upload resolution and the missing-export inhibition.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SqliteAggregateStore } from '../../../../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../../../../shared/adapters/sqlite/alert-store.ts';
import { openDatabase, type Db } from '../../../../shared/adapters/sqlite/database.ts';
import { SqliteSnapshotStore } from '../../../../shared/adapters/sqlite/snapshot-store.ts';
import stavropol from '../../../../shared/domain/data/municipalities-26.json' with { type: 'json' };
import { PipelineError, TransientError } from '../../../../shared/domain/errors.ts';
import { MunicipalityReference } from '../../../../shared/domain/normalise/municipality.ts';
import { formatCell, regionalTable } from '../../../../shared/domain/report.ts';
import type { MunicipalityRow, Period, PeriodChanged, SchoolRow } from '../../../../shared/domain/schemas.ts';
import { defaultTargets } from '../../../../shared/domain/targets.ts';
import { BatchRetryError } from '../../../../shared/runtime/batch.ts';
import { aggregateHandler, type AggregateHandlerDeps } from '../../../../functions/aggregate/handler.ts';
import { CollectingSink, SEED, seedMunicipalities, seedSchools } from '../../../support/aggregate.ts';
import { schoolRow } from '../../../support/builders.ts';
import { capturedLogger } from '../../../support/logs.ts';

const REF = MunicipalityReference.parse(stavropol);
const IDS = REF.municipalities.map((m) => m.id);
const AFTER_DUE: Period = { start: '2023-09-04', end: '2023-09-08' };

let dir: string;
let db: Db;
let snapshots: SqliteSnapshotStore;
let sink: CollectingSink;
let deps: AggregateHandlerDeps;
let seq = 0;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-aggregate-'));
  db = openDatabase(join(dir, 'store.sqlite'));
  snapshots = new SqliteSnapshotStore(db);
  sink = new CollectingSink();
  deps = {
    snapshots,
    aggregates: new SqliteAggregateStore(db),
    alerts: new SqliteAlertStore(db),
    sink,
    targets: defaultTargets().config,
    municipalities: new Map([['26', REF]]),
    // after the reporting deadline of AFTER_DUE (Wed 2023-09-13 21:00 UTC): its weeks with a
    // few municipalities are closed as incomplete and judged, the alert rules these tests check
    clock: { nowMs: () => Date.parse('2023-09-14T09:00:00Z') },
    log: capturedLogger().log,
  };
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Stages and commits rows as one upload, replacing the municipalities it contains. */
async function upload(schools: readonly SchoolRow[], mouo: readonly MunicipalityRow[] = []): Promise<Period[]> {
  seq++;
  const batchId = `batch-${seq}`;
  await snapshots.stageSchoolRows(batchId, schools);
  await snapshots.stageMunicipalityRows(batchId, mouo);
  const units = new Map<string, { period: Period; kind: 'schools' | 'municipalities'; municipalityId: string }>();
  for (const s of schools) units.set(`s|${s.period.start}|${s.municipality_id}`, { period: s.period, kind: 'schools', municipalityId: s.municipality_id });
  for (const m of mouo) units.set(`m|${m.period.start}|${m.municipality_id}`, { period: m.period, kind: 'municipalities', municipalityId: m.municipality_id });
  const r = await snapshots.commitBatch({ batchId, uploadId: `u${seq}`, region: '26', source: { lastModifiedMs: 1000 * seq, sequence: seq }, units: [...units.values()] });
  return [...r.periods];
}

/** A YMQ trigger event carrying PeriodChanged bodies, as the platform sends it. */
function queueEvent(bodies: string[]) {
  return {
    messages: bodies.map((body, i) => ({
      event_metadata: { event_id: `e${seq}-${i}`, event_type: 'yandex.cloud.events.messagequeue.QueueMessage', created_at: '2023-09-11T09:00:00Z' },
      details: { queue_id: 'yrn:yc:ymq:ru-central1:b1g:period-changed', message: { message_id: `m${seq}-${i}`, md5_of_body: 'x', body, attributes: { SentTimestamp: '1' } } },
    })),
  };
}

const changed = (period: Period): PeriodChanged => ({ type: 'period_changed', region: '26', period, upload_id: `u${seq}`, changed_at: '2023-09-11T09:00:00Z' });

async function deliver(...periods: Period[]) {
  return aggregateHandler(queueEvent(periods.map((p) => JSON.stringify(changed(p)))), {}, deps);
}

function school(municipalityId: string, i: number, over: Partial<SchoolRow> = {}): SchoolRow {
  const inn = `26${String(i).padStart(8, '0')}`;
  return schoolRow({
    period: AFTER_DUE,
    municipality_id: municipalityId,
    school_key: inn,
    school_inn: inn,
    school_name: `МБОУ СОШ № ${i}`,
    teachers_total: 100,
    teachers_in_sferum: 90,
    students_total: 1000,
    students_in_sferum: 900,
    teachers_chat_creators: 10,
    teachers_msg3: 5,
    teachers_calls: 2,
    ...over,
  });
}

const dump = (table: string) => db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3, 4, 5`).all();

describe('aggregate function', () => {
  test('the seven seed periods ingested in order render the seed table cell for cell', async () => {
    // Prepare
    for (const c of SEED) await upload(seedSchools(c, IDS), seedMunicipalities(c, IDS));
    // Act
    for (const c of SEED) await deliver(c.period);
    const regionRows = [];
    for (const c of SEED) regionRows.push((await deps.aggregates.readPeriod('26', c.period))[0]!);
    const table = regionalTable(regionRows);
    // Assess
    const expected = readFileSync(new URL('../../../fixtures/seed-table.tsv', import.meta.url), 'utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => l.split('\t'));
    expect([table.headers.slice(), ...table.rows.map((r) => r.map(formatCell))]).toEqual(expected);
  });

  test('the region chat-creator target raises no breach and one at_risk, at the third period', async () => {
    for (const c of SEED) await upload(seedSchools(c, IDS), seedMunicipalities(c, IDS));
    for (const c of SEED) await deliver(c.period);
    const chat = sink.events.filter((e) => e.scope.level === 'region' && e.target?.id === 'teachers_chat_creators');
    expect(chat.map((e) => [e.type, e.period.label])).toEqual([['at_risk', '06.03-10.03.2023']]);
    const p1 = (await deps.aggregates.readPeriod('26', SEED[0]!.period))[0]!;
    expect(p1.values.teachers_chat_creators_share).toBe(3666 / 17218);
  });

  test('the municipalities target breaches in the first period and resolves once at 33 of 33', async () => {
    for (const c of SEED) await upload(seedSchools(c, IDS), seedMunicipalities(c, IDS));
    for (const c of SEED) await deliver(c.period);
    const mouo = sink.events.filter((e) => e.target?.id === 'mouo_registered');
    expect(mouo.map((e) => [e.type, e.period.label, e.value])).toEqual([
      ['breach_opened', '20.02-22.02.2023', 31 / 33],
      ['breach_resolved', '03.04-07.04.2023', 1],
    ]);
  });

  test('recomputing a period twice changes no row, no alert state and sends nothing new', async () => {
    // Prepare
    for (const c of SEED.slice(0, 3)) await upload(seedSchools(c, IDS), seedMunicipalities(c, IDS));
    for (const c of SEED.slice(0, 3)) await deliver(c.period);
    const before = { aggregates: dump('aggregate_metrics'), alerts: dump('alert_state'), events: sink.events.length };
    // Act: a redelivery of the last message, and a recomputation of an earlier period
    await deliver(SEED[2]!.period, SEED[2]!.period);
    await deliver(SEED[1]!.period);
    // Assess
    expect(dump('aggregate_metrics')).toEqual(before.aggregates);
    expect(dump('alert_state')).toEqual(before.alerts);
    expect(sink.events).toHaveLength(before.events);
  });

  test('each row stores week-over-week deltas, refreshed when an earlier period is corrected', async () => {
    await upload(seedSchools(SEED[0]!, IDS));
    await upload(seedSchools(SEED[1]!, IDS));
    await deliver(SEED[0]!.period, SEED[1]!.period);
    const p2 = async () => (await deps.aggregates.readPeriod('26', SEED[1]!.period))[0]!;
    expect((await p2()).deltas.teachers_total).toBe(16819 - 17218);
    expect((await p2()).deltas.schools_total).toBe(626 - 636);
    // a corrected upload of the first period with 100 more teachers in one municipality
    const fixed = seedSchools(SEED[0]!, IDS).filter((s) => s.municipality_id === IDS[0]);
    fixed[0] = { ...fixed[0]!, teachers_total: fixed[0]!.teachers_total! + 100 };
    await upload(fixed);
    await deliver(SEED[0]!.period);
    expect((await p2()).deltas.teachers_total).toBe(16819 - 17318);
    const p1 = (await deps.aggregates.readPeriod('26', SEED[0]!.period))[0]!;
    expect(p1.deltas.teachers_total).toBeNull();
  });

  test('a corrected upload that meets the target resolves the breach exactly once', async () => {
    // Prepare: after the due date, one municipality at 10 % chat creators
    const bud = [school('budennovsky', 1), school('budennovsky', 2)];
    const others = [school('arzgirsky', 3, { teachers_chat_creators: 40 })];
    await upload([...bud, ...others]);
    await deliver(AFTER_DUE);
    await deliver(AFTER_DUE);
    await deliver(AFTER_DUE);
    const budChat = () => sink.events.filter((e) => e.scope.id === 'budennovsky' && e.target?.id === 'teachers_chat_creators');
    expect(budChat().map((e) => e.type)).toEqual(['breach_opened']);
    // Act: the municipality re-uploads with 40 %
    await upload(bud.map((s) => ({ ...s, teachers_chat_creators: 40 })));
    await deliver(AFTER_DUE);
    await deliver(AFTER_DUE);
    // Assess
    expect(budChat().map((e) => [e.type, e.value])).toEqual([
      ['breach_opened', 0.1],
      ['breach_resolved', 0.4],
    ]);
  });

  test('five breaches of one municipality arrive as five events of one group with the scope name', async () => {
    await upload([school('budennovsky', 1, { in_sferum: false }), school('arzgirsky', 2)]);
    await deliver(AFTER_DUE);
    const bud = sink.events.filter((e) => e.scope.id === 'budennovsky' && e.type === 'breach_opened');
    expect(bud.map((e) => e.target!.id).sort()).toEqual(['schools_registered', 'teachers_calls', 'teachers_chat_creators', 'teachers_msg10', 'teachers_msg3']);
    expect(new Set(bud.map((e) => `${e.region}|${e.scope.level}|${e.scope.id}|${e.period.start}|${e.period.end}`)).size).toBe(1);
    expect(bud[0]!.scope.name).toBe('Будённовский муниципальный округ');
  });

  test('a missing export is told once and holds the scope alerts until it arrives', async () => {
    // Prepare: budennovsky breaching in the first week; both weeks past their reporting
    // deadline, so the partial second week is closed and judged (a provisional one waits)
    const W2: Period = { start: '2023-09-11', end: '2023-09-15' };
    deps = { ...deps, clock: { nowMs: () => Date.parse('2023-09-21T09:00:00Z') } };
    await upload([school('budennovsky', 1), school('arzgirsky', 2)]);
    await deliver(AFTER_DUE);
    const opened = sink.events.filter((e) => e.scope.id === 'budennovsky').length;
    // Act: week 2 has only arzgirsky; aggregated twice
    await upload([school('arzgirsky', 2, { period: W2 })]);
    await deliver(W2);
    await deliver(W2);
    // Assess
    const w2 = sink.events.filter((e) => e.scope.id === 'budennovsky' && e.period.start === W2.start);
    expect(w2.map((e) => e.type)).toEqual(['export_missing']);
    expect(sink.events.filter((e) => e.scope.id === 'budennovsky')).toHaveLength(opened + 1);
    const held = (await deps.alerts.forRegion('26')).filter((s) => s.scope.id === 'budennovsky' && s.alert_id === 'teachers_chat_creators');
    expect(held).toMatchObject([{ status: 'breach', inhibited: true }]);
    // the export arrives, now meeting the target: one resolved, no second export_missing
    await upload([school('budennovsky', 1, { period: W2, teachers_chat_creators: 50 })]);
    await deliver(W2);
    const after = sink.events.filter((e) => e.scope.id === 'budennovsky' && e.period.start === W2.start);
    expect(after.map((e) => [e.type, e.target?.id ?? null])).toContainEqual(['breach_resolved', 'teachers_chat_creators']);
    expect(after.filter((e) => e.type === 'export_missing')).toHaveLength(1);
  });
});

describe('aggregate handler', () => {
  test('a malformed message body is logged and dropped without a retry', async () => {
    const log = capturedLogger();
    deps = { ...deps, log: log.log };
    const reply = await aggregateHandler(queueEvent(['not json', JSON.stringify({ type: 'period_changed' })]), {}, deps);
    expect(JSON.parse(reply.body)).toEqual([
      { kind: 'invalid_message', message_id: `m${seq}-0` },
      { kind: 'invalid_message', message_id: `m${seq}-1` },
    ]);
    expect(log.entries().filter((e) => e.msg === 'aggregate.invalid_message')).toHaveLength(2);
  });

  test('a transient store fault makes the invocation throw after every message was tried', async () => {
    await upload([school('budennovsky', 1)]);
    let calls = 0;
    const flaky = deps.aggregates;
    deps = {
      ...deps,
      aggregates: {
        ...flaky,
        periods: flaky.periods.bind(flaky),
        readPeriod: flaky.readPeriod.bind(flaky),
        timeseries: flaky.timeseries.bind(flaky),
        completeness: flaky.completeness.bind(flaky),
        replacePeriod: async (...args) => {
          calls++;
          if (calls === 1) throw new TransientError('database is locked');
          return flaky.replacePeriod(...args);
        },
      },
    };
    await expect(deliver(AFTER_DUE, AFTER_DUE)).rejects.toBeInstanceOf(BatchRetryError);
    expect(calls).toBe(2);
    expect((await deps.aggregates.readPeriod('26', AFTER_DUE)).length).toBeGreaterThan(0);
  });

  test('a non-retryable failure is logged and does not throw', async () => {
    await upload([school('budennovsky', 1)]);
    const store = deps.aggregates;
    deps = {
      ...deps,
      aggregates: {
        replacePeriod: store.replacePeriod.bind(store),
        readPeriod: store.readPeriod.bind(store),
        timeseries: store.timeseries.bind(store),
        completeness: store.completeness.bind(store),
        periods: async () => {
          throw new PipelineError('aggregate schema is newer than this build', 'store.schema', false);
        },
      },
    };
    const reply = await deliver(AFTER_DUE);
    expect(JSON.parse(reply.body)).toEqual([{ kind: 'failed', message_id: `m${seq}-0`, code: 'store.schema' }]);
  });
});
