// Integration (issue 20, acceptance): a week's numbers an official can trust. On the local
// stack's parts — s3rver, one SQLite file, the real ingest, aggregate, schedule and api
// handlers, every API answer checked against the OpenAPI spec — with the bundled samples
// loaded (seven complete weeks), a new week 10.04–14.04.2023 arrives:
//  - one municipality's schools file: the week is provisional (1 of 33), nothing is judged,
//    no alert moves, nothing is sent; the period list's latest_complete, the documents'
//    default range and the digest stay on 03.04–07.04;
//  - the other 32 and the МОУО table: the week is complete and judged then, once;
//  - a second new week with one municipality, its deadline passed on an injected clock:
//    the close_weeks timer closes it as incomplete naming the 32 missing municipalities,
//    the same 32 the missing-exports timer names, and it is judged once.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { aggregateHandler } from '../../../../functions/aggregate/handler.ts';
import { scheduleHandler } from '../../../../functions/schedule/handler.ts';
import { SqliteAggregateStore } from '../../../../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../../../../shared/adapters/sqlite/alert-store.ts';
import { weeksInRange } from '../../../../shared/api/report.ts';
import { PeriodBody, PeriodsBody } from '../../../../shared/api/views.ts';
import { ReportingDeadline } from '../../../../shared/domain/completeness.ts';
import type { NotificationEvent } from '../../../../shared/domain/events.ts';
import { periodKey, type Period, type PeriodChanged } from '../../../../shared/domain/schemas.ts';
import { buildReference } from '../../../../shared/runtime/reference.ts';
import type { ScheduledJobDeps } from '../../../../shared/usecases/scheduled-jobs.ts';
import { CollectingSink } from '../../../support/aggregate.ts';
import { queueEvent, samplesApi, type SampleStore, type SamplesApi } from '../../../support/api.ts';
import { functionContext, loadEvent } from '../../../support/events.ts';
import { ingestFile } from '../../../support/ingest-file.ts';
import { REPO_ROOT as root } from '../../../support/paths.ts';
import { TEST_BUCKET } from '../../../support/s3.ts';

const W: Period = { start: '2023-04-10', end: '2023-04-14' };
const W2: Period = { start: '2023-04-17', end: '2023-04-21' };
const LAST_SAMPLE = '2023-04-03..2023-04-07';
const ref = buildReference().municipalities.get('26')!;
const IDS = ref.municipalities.map((m) => m.id);

/** The sample week 27.03–31.03 re-dated: its schools split into Александровский's rows and the rest, and its МОУО table. */
function weekFiles(label: string) {
  const redate = (text: string) => text.replaceAll('27.03-31.03.2023', label);
  const [header, ...rows] = redate(readFileSync(`${root}events/samples/06a_schools_27.03-31.03.2023.csv`, 'utf8')).trimEnd().split('\r\n');
  const alexandrovsky = rows.filter((r) => r.split(';')[1]!.startsWith('Александровск'));
  const others = rows.filter((r) => !r.split(';')[1]!.startsWith('Александровск'));
  // one of its schools leaves Sferum: a breach of the 100 % registration target once judged
  const leaving = [alexandrovsky[0]!.replace(';да;да;', ';нет;нет;'), ...alexandrovsky.slice(1)];
  const csv = (lines: string[]) => `${[header, ...lines].join('\r\n')}\r\n`;
  return {
    alexandrovsky: csv(leaving),
    others: csv(others),
    mouo: redate(readFileSync(`${root}events/samples/06b_mouo_27.03-31.03.2023.csv`, 'utf8')),
  };
}

let samples: SamplesApi;
let store: SampleStore;
let api: SamplesApi['deps'];
let now = Date.parse('2023-04-17T09:00:00Z');
const clock = { nowMs: () => now };
const sink = new CollectingSink();
let aggregateDeps: SampleStore['aggregateDeps'];
let tag = 0;

const ingest = async (key: string, body: string): Promise<PeriodChanged[]> => (await ingestFile(store.env, key, body)).changes;

async function aggregate(changes: readonly PeriodChanged[]) {
  for (const c of changes) await aggregateHandler(queueEvent([c], `pw-${tag++}`), functionContext(), aggregateDeps);
}

const call = (path: string) => samples.get(path);
const periodsBody = async () => PeriodsBody.parse(JSON.parse((await call('/v1/regions/26/periods')).body));
const periodBody = async (p: Period) => PeriodBody.parse(JSON.parse((await call(`/v1/regions/26/periods/${periodKey(p)}`)).body));
const eventsOf = (p: Period) => sink.events.filter((e) => e.period.start === p.start);

function scheduleDeps(published: NotificationEvent[]): ScheduledJobDeps {
  const aggregates = new SqliteAggregateStore(store.env.db);
  return {
    snapshots: store.env.snapshots,
    alerts: new SqliteAlertStore(store.env.db),
    aggregates,
    sink: { publish: async (e) => void published.push(...e) },
    periodChanged: store.env.deps().periodChanged,
    reportingDeadline: ReportingDeadline.parse('wed 21:00'),
    clock,
    log: store.env.logs.log,
    references: buildReference().municipalities,
    ingest: store.env.deps(),
    bucket: TEST_BUCKET,
    regions: buildReference().knownRegions,
    missingExportWeek: 'previous',
    reconcileGraceMs: 60_000,
  };
}

beforeAll(async () => {
  samples = await samplesApi();
  ({ store, deps: api } = samples);
  aggregateDeps = { ...store.aggregateDeps, sink, clock };
});

afterAll(() => samples?.close());

describe('a new week arriving municipality by municipality', () => {
  test('the bundled samples: seven complete weeks, the latest complete is the last', async () => {
    const body = await periodsBody();
    expect(body.periods.map((p) => p.completeness.state)).toEqual(Array(7).fill('complete'));
    expect(body.periods.every((p) => p.completeness.complete && p.completeness.label === null)).toBe(true);
    expect(body.latest_complete).toBe(LAST_SAMPLE);
  });

  test('one municipality of 33: provisional, 1 reported, the other 32 missing, nothing judged or sent', async () => {
    // Act
    await aggregate(await ingest('uploads/26/alexandrovsky_10.04-14.04.2023.csv', weekFiles('10.04-14.04.2023').alexandrovsky));
    // Assess: the API's period objects
    const list = await periodsBody();
    const w = list.periods.find((p) => p.key === periodKey(W))!;
    expect(w.completeness).toMatchObject({ complete: false, state: 'provisional', label: 'предварительно: 1 из 33 МОУО; таблица МОУО: 0 из 33' });
    expect(w.completeness.schools).toEqual({ expected: 33, reported: 1, missing: IDS.filter((id) => id !== 'aleksandrovsky') });
    expect(list.latest_complete).toBe(LAST_SAMPLE);
    const body = await periodBody(W);
    expect(body.period.completeness.schools.reported).toBe(1);
    expect(body.regional.metrics.schools_total).toBeGreaterThan(0);
    const statuses = new Set([body.regional, ...body.municipalities].flatMap((r) => r.evaluations.map((e) => e.status)));
    expect([...statuses]).toEqual(['provisional']);
    // no alert moved to the new week and nothing was sent for it
    const alerts = await new SqliteAlertStore(store.env.db).forRegion('26');
    expect(alerts.filter((a) => a.period.start === W.start)).toEqual([]);
    expect(eventsOf(W)).toEqual([]);
    // the documents' default range and the digest stand on the latest complete week
    const weeks = await api.read.snapshot((v) => weeksInRange(v, '26', {}));
    expect(periodKey(weeks.at(-1)!)).toBe(LAST_SAMPLE);
    const explicit = await api.read.snapshot((v) => weeksInRange(v, '26', { to: W.start }));
    expect(periodKey(explicit.at(-1)!)).toBe(periodKey(W));
  });

  test('the other 32 and the МОУО table: complete, judged then, each event once', async () => {
    // Act
    const files = weekFiles('10.04-14.04.2023');
    await aggregate(await ingest('uploads/26/others_10.04-14.04.2023.csv', files.others));
    const changes = await ingest('uploads/26/mouo_10.04-14.04.2023.csv', files.mouo);
    await aggregate(changes);
    const judged = eventsOf(W);
    await aggregate(changes); // a redelivery judges nothing twice
    // Assess
    const list = await periodsBody();
    const w = list.periods.find((p) => p.key === periodKey(W))!;
    expect(w.completeness).toEqual({ complete: true, state: 'complete', label: null, schools: { expected: 33, reported: 33, missing: [] }, municipalities: { expected: 33, reported: 33, missing: [] } });
    expect(list.latest_complete).toBe(periodKey(W));
    expect(judged.filter((e) => e.scope.id === 'aleksandrovsky' && e.target?.id === 'schools_registered').map((e) => e.type)).toEqual(['breach_opened']);
    expect(eventsOf(W)).toEqual(judged);
    expect(new Set(judged.map((e) => e.id)).size).toBe(judged.length);
    const body = await periodBody(W);
    expect(body.municipalities.find((m) => m.scope.id === 'aleksandrovsky')!.evaluations.find((e) => e.target_id === 'schools_registered')!.status).toBe('breach');
  });
});

describe('the reporting deadline', () => {
  test('a week still missing 32 exports after its deadline is closed as incomplete, named as the missing-exports timer names it, judged once', async () => {
    // Prepare: one municipality uploads W2; its deadline is Wed 2023-04-26 21:00 UTC
    now = Date.parse('2023-04-24T07:00:00Z');
    await aggregate(await ingest('uploads/26/alexandrovsky_17.04-21.04.2023.csv', weekFiles('17.04-21.04.2023').alexandrovsky));
    const published: NotificationEvent[] = [];
    const missingTimer = await scheduleHandler(loadEvent('timer-missing-exports.json'), functionContext(), scheduleDeps(published));
    expect(JSON.parse(missingTimer.body)).toEqual([{ job: 'missing_exports', events: 32 }]);
    const named = published.filter((e) => e.type === 'export_missing' && e.period.start === W2.start).map((e) => e.scope.id);
    // before the deadline the timer closes nothing
    const closeEvent = loadEvent('timer-close-weeks.json');
    const before = store.env.published.length;
    expect(JSON.parse((await scheduleHandler(closeEvent, functionContext(), scheduleDeps([]))).body)).toEqual([{ job: 'close_weeks', closing: 0 }]);
    expect(eventsOf(W2)).toEqual([]);
    // Act: the deadline passes; the timer fires twice (a duplicate firing)
    now = Date.parse('2023-04-26T21:05:00Z');
    await scheduleHandler(closeEvent, functionContext(), scheduleDeps([]));
    await scheduleHandler(closeEvent, functionContext(), scheduleDeps([]));
    const closing = store.env.published.slice(before);
    expect(closing.map((c) => [c.period, c.upload_id])).toEqual([
      [W2, 'reporting-deadline'],
      [W2, 'reporting-deadline'],
    ]);
    await aggregate(closing);
    // Assess
    const w2 = (await periodsBody()).periods.find((p) => p.key === periodKey(W2))!;
    expect(w2.completeness.state).toBe('incomplete');
    expect(w2.completeness.schools.missing).toEqual(named);
    expect(named).toHaveLength(32);
    const names = ref.municipalities.filter((m) => named.includes(m.id)).map((m) => m.name.replace(/ муниципальный округ$/, ' МО').replace(/ городской округ$/, ' ГО'));
    expect(w2.completeness.label).toBe(`неполные данные: нет выгрузок ${names.join(', ')}; нет таблицы МОУО`);
    expect((await periodsBody()).latest_complete).toBe(periodKey(W2));
    // judged: evaluations are real statuses, events went out once (two closings, one set of ids)
    const body = await periodBody(W2);
    expect(body.regional.evaluations.some((e) => e.status === 'provisional')).toBe(false);
    const sent = eventsOf(W2);
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
    // a later close_weeks run finds nothing provisional any more
    expect(JSON.parse((await scheduleHandler(closeEvent, functionContext(), scheduleDeps([]))).body)).toEqual([{ job: 'close_weeks', closing: 0 }]);
  });

  test('the digest speaks for the latest complete week and names the incomplete one', async () => {
    const published: NotificationEvent[] = [];
    await scheduleHandler(loadEvent('timer-digest.json'), functionContext(), scheduleDeps(published));
    const digest = published.find((e) => e.type === 'digest')!;
    expect(digest.period.start).toBe(W2.start);
    expect(digest.notes?.[0]).toMatch(/^неполные данные: нет выгрузок /);
  });
});
