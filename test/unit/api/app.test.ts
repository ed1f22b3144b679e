// Unit: request handling over an in-memory ReadModel — status codes, error bodies, keys
// never in logs, downloads' headers, pagination's cursor.
import { describe, expect, test } from 'vitest';
import { handleApiRequest, type ApiDeps } from '../../../shared/api/app.ts';
import { hashApiKey } from '../../../shared/api/auth.ts';
import type { ApiRequest } from '../../../shared/api/http.ts';
import { dashboardAssets } from '../../../shared/api/pages/assets.ts';
import type { AlertState } from '../../../shared/domain/alerts.ts';
import { emptyMetricValues, type AggregateRow } from '../../../shared/domain/metrics.ts';
import type { Completeness, SchoolRow } from '../../../shared/domain/schemas.ts';
import { defaultTargets } from '../../../shared/domain/targets.ts';
import type { LedgerReport, ReadModel, ReadView } from '../../../shared/ports/read-model.ts';
import { ResponseCache } from '../../../shared/api/response-cache.ts';
import { InactiveSchoolsBody } from '../../../shared/api/views.ts';
import { aggregateRow, P1, schoolRow, uploadReport } from '../../support/builders.ts';
import { capturedLogger } from '../../support/logs.ts';

const READER = 'reader-secret-key-1';
const DASH = 'dashboard-secret-key-2';

const row = (level: 'region' | 'municipality', id: string, name: string, chat: number | null): AggregateRow =>
  aggregateRow({ scope: { level, id, name }, values: { ...emptyMetricValues(), teachers_total: 100, teachers_chat_creators_share: chat } });

const report = (seq: number) =>
  uploadReport({ upload_id: `up_${seq}`, key: `uploads/26/f${seq}.csv`, sha256: 'x'.repeat(64), size: 1, received_at: '2023-03-10T00:00:00Z', completed_at: '2023-03-10T00:00:01Z' });

class FakeReadModel implements ReadModel {
  snapshots = 0;
  rows: AggregateRow[] = [row('region', '26', 'Ставропольский край', 0.2), row('municipality', 'aleksandrovsky', 'Александровский', 0.1)];
  reportsList: LedgerReport[] = Array.from({ length: 5 }, (_, i) => ({ sequence: 5 - i, report: report(5 - i) }));
  alertsList: AlertState[] = [];
  schoolsList: SchoolRow[] = [];
  fail = false;
  /** the store state's token; null: the adapter cannot tell */
  stateVersion: string | null = 'v1';
  periodReads = 0;
  completeness: Completeness = { complete: true, state: 'complete', label: null, schools: { expected: 1, reported: 1, missing: [] }, municipalities: { expected: 1, reported: 1, missing: [] } };
  async snapshot<T>(fn: (v: ReadView) => Promise<T>): Promise<T> {
    this.snapshots++;
    if (this.fail) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    return fn({
      version: async () => this.stateVersion,
      periods: async () => [P1],
      completeness: async () => [{ period: P1, completeness: this.completeness }],
      readPeriod: async (_r, p) => {
        this.periodReads++;
        return p.start === P1.start ? this.rows : [];
      },
      periodWindow: async (_r, p) => {
        this.periodReads++;
        const found = p.start === P1.start;
        return { rows: found ? this.rows : [], history: [], completeness: found ? [{ period: P1, completeness: this.completeness }] : [] };
      },
      timeseries: async () => [{ period: P1, value: 0.2, delta: null }],
      schools: async (_r, p) => (p.start === P1.start ? this.schoolsList : []),
      inForce: async () => [],
      schoolSources: async () => [],
      alerts: async () => this.alertsList,
      report: async (id) => this.reportsList.find((r) => r.report.upload_id === id)?.report ?? null,
      reports: async ({ limit, before }) => this.reportsList.filter((r) => before === undefined || r.sequence < before).slice(0, limit),
    });
  }
}

function setup(opts: { cache?: ResponseCache } = {}) {
  const read = new FakeReadModel();
  const logs = capturedLogger();
  const deps: ApiDeps = {
    read,
    keys: [
      { name: 'erp', role: 'reader', sha256: hashApiKey(READER) },
      { name: 'bi', role: 'dashboard', sha256: hashApiKey(DASH) },
    ],
    targets: defaultTargets().config,
    regions: new Map([['26', { code: '26', name: 'Ставропольский край', municipalities: [{ id: 'aleksandrovsky', name: 'Александровский' }] }]]),
    defaultRegion: '26',
    dashboard: dashboardAssets({ 'app.js': 'console.log(1)', 'app.css': 'body{}' }),
    log: logs.log,
    ...(opts.cache ? { cache: opts.cache } : {}),
  };
  const call = (path: string, opts: { key?: string | null; query?: Record<string, string>; method?: string; headers?: Record<string, string> } = {}) => {
    const req: ApiRequest = {
      method: opts.method ?? 'GET',
      path,
      query: opts.query ?? {},
      headers: { ...(opts.key === null ? {} : { 'x-api-key': opts.key ?? READER }), ...opts.headers },
      requestId: 'r1',
    };
    return handleApiRequest(req, deps);
  };
  return { read, logs, deps, call };
}

const body = (r: { body: string }) => JSON.parse(r.body) as Record<string, any>;

describe('handleApiRequest', () => {
  test('no key is 401 with WWW-Authenticate; an unknown key is 401 too', async () => {
    const { call } = setup();
    const none = await call('/v1/regions/26/periods', { key: null });
    expect(none.statusCode).toBe(401);
    expect(none.headers['WWW-Authenticate']).toMatch(/^Bearer/);
    expect(body(none).error.code).toBe('unauthenticated');
    expect((await call('/v1/regions/26/periods', { key: 'guess' })).statusCode).toBe(401);
  });

  // officials see the uploads behind the figures (issue 23); alert states stay the integrators'
  test('a dashboard key is 403 on alerts and 200 on periods and uploads', async () => {
    const { call } = setup();
    expect((await call('/v1/uploads', { key: DASH })).statusCode).toBe(200);
    expect(body(await call('/v1/regions/26/alerts', { key: DASH })).error.code).toBe('forbidden');
    expect((await call('/v1/regions/26/periods', { key: DASH })).statusCode).toBe(200);
  });

  test('Authorization: Bearer is accepted', async () => {
    const { call } = setup();
    expect((await call('/v1/regions/26/periods', { key: null, headers: { authorization: `Bearer ${READER}` } })).statusCode).toBe(200);
  });

  test('authentication comes before parameter validation', async () => {
    const { call } = setup();
    expect((await call('/v1/regions/26/periods/nonsense', { key: null })).statusCode).toBe(401);
  });

  test('neither the key nor its hash appears in any log line, the key name does', async () => {
    const { call, logs } = setup();
    await call('/v1/regions/26/periods', { key: READER });
    await call('/v1/regions/26/periods', { key: 'wrong-key-xyz' });
    await call('/v1/regions/26/alerts', { key: DASH, query: { key: READER } });
    const text = logs.lines.join('\n');
    for (const secret of [READER, DASH, 'wrong-key-xyz', hashApiKey(READER), hashApiKey(DASH)]) expect(text).not.toContain(secret);
    expect(logs.entries().filter((e) => e.msg === 'api.request').map((e) => [e['key'], e['status']])).toEqual([
      ['erp', 200],
      [null, 401],
      ['bi', 403],
    ]);
  });

  test('unknown paths are 404, other methods 405 with Allow, all as JSON errors', async () => {
    const { call } = setup();
    const nf = await call('/v1/nothing');
    expect(nf.statusCode).toBe(404);
    expect(nf.headers['Content-Type']).toMatch(/^application\/json/);
    expect(body(nf)).toEqual({ error: { code: 'not_found', message: 'no such route' } });
    const na = await call('/v1/uploads', { method: 'POST' });
    expect(na.statusCode).toBe(405);
    expect(na.headers['Allow']).toBe('GET');
  });

  test('a malformed period is 400 naming period; a malformed metric is 400 naming metric', async () => {
    const { call, read } = setup();
    const p = await call('/v1/regions/26/periods/2023-03-10..2023-03-06');
    expect(p.statusCode).toBe(400);
    expect(body(p).error).toMatchObject({ code: 'invalid_parameter', parameter: 'period' });
    const m = await call('/v1/regions/26/timeseries', { query: { metric: 'bogus' } });
    expect(body(m).error).toMatchObject({ code: 'invalid_parameter', parameter: 'metric' });
    expect(body(m).error.message).toMatch(/^metric: /);
    expect(read.snapshots).toBe(0);
  });

  test('a region-only metric for a municipality is 400 naming metric; an unknown municipality is 404', async () => {
    const { call } = setup();
    const r = await call('/v1/regions/26/timeseries', { query: { metric: 'mouo_total', scope: 'aleksandrovsky' } });
    expect(body(r).error.parameter).toBe('metric');
    expect((await call('/v1/regions/26/timeseries', { query: { metric: 'teachers_total', scope: 'atlantis' } })).statusCode).toBe(404);
  });

  test('an unknown region and an empty period are 404 with their codes', async () => {
    const { call } = setup();
    expect(body(await call('/v1/regions/99/periods')).error.code).toBe('region_not_found');
    expect(body(await call('/v1/regions/26/periods/2023-03-13..2023-03-17')).error.code).toBe('period_not_found');
    expect(body(await call('/v1/uploads/up_404')).error.code).toBe('upload_not_found');
  });

  test('a period answer holds the regional row, municipality rows with evaluations, from one snapshot', async () => {
    const { call, read } = setup();
    const r = body(await call('/v1/regions/26/periods/2023-03-06..2023-03-10'));
    expect(read.snapshots).toBe(1);
    expect(r['regional'].scope.id).toBe('26');
    expect(r['municipalities'].map((m: any) => m.scope.id)).toEqual(['aleksandrovsky']);
    expect(r['regional'].evaluations.find((e: any) => e.target_id === 'teachers_chat_creators').status).toBe('pending');
  });

  test('a provisional period: its completeness on every period object, its targets «нет полных данных», no latest complete week', async () => {
    // Prepare
    const { call, read } = setup();
    read.completeness = { complete: false, state: 'provisional', label: 'предварительно: 0 из 1 МОУО', schools: { expected: 1, reported: 0, missing: ['aleksandrovsky'] }, municipalities: { expected: 1, reported: 1, missing: [] } };
    // Act
    const period = body(await call('/v1/regions/26/periods/2023-03-06..2023-03-10'));
    const list = body(await call('/v1/regions/26/periods'));
    const series = body(await call('/v1/regions/26/timeseries', { query: { metric: 'teachers_total', scope: 'region' } }));
    const uploads = body(await call('/v1/uploads'));
    // Assess
    expect(period['period'].completeness).toEqual(read.completeness);
    expect(new Set([period['regional'], ...period['municipalities']].flatMap((r: any) => r.evaluations.map((e: any) => e.status)))).toEqual(new Set(['provisional']));
    expect(list['periods'][0].completeness.state).toBe('provisional');
    expect(list['latest_complete']).toBeNull();
    expect(series['points'][0].period.completeness.label).toBe('предварительно: 0 из 1 МОУО');
    expect(uploads['items'][0].periods[0].completeness.state).toBe('provisional');
  });

  test('inactive-schools lists the last week of the range as JSON, by municipality, with INN', async () => {
    const { read, call } = setup();
    const school = (name: string, inn: string, in_sferum: boolean, admin_active: boolean) =>
      schoolRow({
        municipality_id: 'aleksandrovsky', school_key: inn, school_inn: inn, school_name: name, in_sferum, admin_active,
        teachers_total: 1, teachers_in_sferum: 1, students_total: 1, students_in_sferum: 1, teachers_chat_creators: null, teachers_msg3: null, teachers_msg10: null,
      });
    read.schoolsList = [school('СОШ № 1', '2601100003', true, true), school('СОШ № 2', '2601100010', true, false), school('СОШ № 3', '2601100027', false, false)];
    const r = await call('/v1/regions/26/inactive-schools', { key: DASH, query: { to: '2023-12-31' } });
    expect(r.statusCode).toBe(200);
    const b = InactiveSchoolsBody.parse(body(r));
    expect(b.period.label).toBe('06.03-10.03.2023');
    expect(b.schools.map((s) => [s.municipality.name, s.school_name, s.school_inn, s.reason])).toEqual([
      ['Александровский', 'СОШ № 2', '2601100010', 'admin_inactive'],
      ['Александровский', 'СОШ № 3', '2601100027', 'not_in_sferum'],
    ]);
    expect(b.municipalities).toEqual([{ id: 'aleksandrovsky', name: 'Александровский', admin_inactive: 1, not_in_sferum: 1 }]);
    const csv = await call('/v1/regions/26/inactive-schools', { query: { format: 'csv' } });
    expect(csv.headers['Content-Disposition']).toBe('attachment; filename="sferum-pulse-26-inactive-schools-2023-03-06_2023-03-10.csv"');
    expect(csv.body.split('\r\n').slice(0, 2)).toEqual(['\uFEFFМОУО;Наименование ОО;ИНН;КПП;Причина', 'Александровский;СОШ № 2;2601100010;;администратор не зашел на платформу']);
  });

  test('inactive-schools: a range without a week is 404, a bad format or range is 400 naming the parameter', async () => {
    const { call } = setup();
    const none = await call('/v1/regions/26/inactive-schools', { query: { from: '2024-01-01' } });
    expect([none.statusCode, body(none).error.code]).toEqual([404, 'period_not_found']);
    const fmt = body(await call('/v1/regions/26/inactive-schools', { query: { format: 'pdf' } }));
    expect(fmt.error).toEqual({ code: 'invalid_parameter', message: 'format: expected json or csv', parameter: 'format' });
    expect(body(await call('/v1/regions/26/inactive-schools', { query: { from: '2023-05-01', to: '2023-04-01' } })).error.parameter).toBe('to');
    expect((await call('/v1/regions/77/inactive-schools')).statusCode).toBe(404);
  });

  test('the CSV report is text/csv with a Content-Disposition file name; XLSX and PPTX are base64 with their types', async () => {
    const { call } = setup();
    const csv = await call('/v1/regions/26/report.csv');
    expect(csv.headers['Content-Type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['Content-Disposition']).toBe('attachment; filename="sferum-pulse-26-2023-03-06_2023-03-10.csv"');
    expect(csv.body.startsWith('\uFEFFНеделя;')).toBe(true);
    const xlsx = await call('/v1/regions/26/report.xlsx', { query: { from: '2023-01-01' } });
    expect(xlsx.isBase64Encoded).toBe(true);
    expect(xlsx.headers['Content-Type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(Buffer.from(xlsx.body, 'base64').subarray(0, 2).toString()).toBe('PK');
    const pptx = await call('/v1/regions/26/report.pptx', { key: DASH });
    expect(pptx.headers['Content-Type']).toBe('application/vnd.openxmlformats-officedocument.presentationml.presentation');
    expect(pptx.headers['Content-Disposition']).toBe('attachment; filename="sferum-pulse-26-2023-03-06_2023-03-10.pptx"');
    expect(Buffer.from(pptx.body, 'base64').subarray(0, 2).toString()).toBe('PK');
  });

  test('uploads are paged with an opaque cursor until next_cursor is null', async () => {
    const { call } = setup();
    const first = body(await call('/v1/uploads', { query: { limit: '2' } }));
    expect(first['items'].map((i: any) => i.upload_id)).toEqual(['up_5', 'up_4']);
    const second = body(await call('/v1/uploads', { query: { limit: '2', cursor: first['next_cursor'] } }));
    expect(second['items'].map((i: any) => i.upload_id)).toEqual(['up_3', 'up_2']);
    const third = body(await call('/v1/uploads', { query: { limit: '2', cursor: second['next_cursor'] } }));
    expect(third).toMatchObject({ next_cursor: null });
    expect(third['items'].map((i: any) => i.upload_id)).toEqual(['up_1']);
  });

  test('a store failure is a 500 without detail, logged with its code', async () => {
    const { call, read, logs } = setup();
    read.fail = true;
    const r = await call('/v1/regions/26/periods');
    expect(r.statusCode).toBe(500);
    expect(body(r).error.code).toBe('internal');
    expect(r.body).not.toContain('locked');
    expect(logs.entries().find((e) => e.msg === 'api.failed')).toMatchObject({ error: { code: 'SQLITE_BUSY' } });
  });

  test('the page is public, with a CSP and versioned asset links; assets answer 304 to their ETag', async () => {
    const { call, deps } = setup();
    const page = await call('/', { key: null });
    expect(page.statusCode).toBe(200);
    expect(page.headers['Content-Security-Policy']).toContain("script-src 'self'");
    expect(page.body).toContain(`assets/app.js?v=${deps.dashboard!.version}`);
    const js = await call('/assets/app.js', { key: null });
    expect(js.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect((await call('/assets/app.js', { key: null, headers: { 'if-none-match': js.headers['ETag']! } })).statusCode).toBe(304);
    expect((await call('/assets/secret.txt', { key: null })).statusCode).toBe(404);
  });

  test('without built assets the page is 503', async () => {
    const { call, deps } = setup();
    const r = await handleApiRequest({ method: 'GET', path: '/', query: {}, headers: {}, requestId: null }, { ...deps, dashboard: null });
    expect(r.statusCode).toBe(503);
    expect((await call('/')).statusCode).toBe(200);
  });

  test('with a cache, a response is rebuilt only when the store state or the request differs', async () => {
    const { call, read } = setup({ cache: new ResponseCache() });
    const first = await call('/v1/regions/26/periods/2023-03-06..2023-03-10');
    const reads = read.periodReads;
    const again = await call('/v1/regions/26/periods/2023-03-06..2023-03-10', { key: DASH });
    expect(again).toBe(first);
    expect(read.periodReads).toBe(reads);
    expect(read.snapshots).toBe(2); // the version is read inside the request's snapshot

    read.rows = [read.rows[0]!];
    expect(body(await call('/v1/regions/26/periods/2023-03-06..2023-03-10')).municipalities).toHaveLength(1); // same state token: reused
    read.stateVersion = 'v2';
    expect(body(await call('/v1/regions/26/periods/2023-03-06..2023-03-10')).municipalities).toHaveLength(0);

    const all = await call('/v1/regions/26/alerts');
    expect(await call('/v1/regions/26/alerts', { query: { state: 'breach' } })).not.toBe(all);
    expect(await call('/v1/regions/26/alerts')).toBe(all);
  });

  test('errors and states without a token are never reused', async () => {
    const { call, read } = setup({ cache: new ResponseCache() });
    expect((await call('/v1/regions/26/periods/2023-03-13..2023-03-17')).statusCode).toBe(404);
    expect((await call('/v1/regions/26/periods/2023-03-13..2023-03-17')).statusCode).toBe(404);
    expect(read.periodReads).toBe(2);
    read.stateVersion = null;
    const a = await call('/v1/regions/26/periods/2023-03-06..2023-03-10');
    const b = await call('/v1/regions/26/periods/2023-03-06..2023-03-10');
    expect(b).not.toBe(a);
    expect(b.body).toBe(a.body);
  });
});

describe('ResponseCache', () => {
  const res = (n: number) => ({ statusCode: 200, headers: {}, body: 'x'.repeat(n), isBase64Encoded: false });

  test('drops the least recently used entry past its entry limit', () => {
    const c = new ResponseCache({ maxEntries: 2, maxBytes: 1 << 20 });
    const a = res(1);
    c.set('a', a);
    c.set('b', res(1));
    expect(c.get('a')).toBe(a); // a is now the most recent
    c.set('c', res(1));
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(a);
    expect(c.size).toBe(2);
  });

  test('keeps its bytes under the limit and refuses a body larger than all of it', () => {
    const c = new ResponseCache({ maxEntries: 10, maxBytes: 100 });
    c.set('big', res(51));
    expect(c.size).toBe(0);
    c.set('a', res(20));
    c.set('b', res(20));
    c.set('c', res(20));
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(2);
    c.set('b', res(5)); // replacing an entry gives its bytes back
    c.set('d', res(20));
    expect(c.size).toBe(3);
  });
});
