// Integration: the api function over a SQLite store loaded from the bundled samples by the
// real ingest and aggregate handlers. Requests arrive as API Gateway payload 1.0 and 0.1
// events, and once through a real HTTP round trip on 127.0.0.1 (the node:http adapter);
// the bundled function (esbuild, dashboard embedded) answers as the source does.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiHandler } from '../../../../functions/api/handler.ts';
import { buildDashboard } from '../../../../scripts/dashboard.mjs';
import { listenApi } from '../../../../infra/local/http-adapter.ts';
import { PeriodBody, PeriodsBody, TimeseriesBody, AlertsBody, UploadsBody } from '../../../../shared/api/views.ts';
import { MetricId, UploadReport } from '../../../../shared/domain/schemas.ts';
import { routeUrl } from '../../../../shared/domain/routes.ts';
import { NotificationType, type NotificationEvent } from '../../../../shared/domain/events.ts';
import { renderMessage } from '../../../../shared/domain/notify/render.ts';
import { type CollectingSink } from '../../../support/aggregate.ts';
import { parseCsv } from '../../../support/csv.ts';
import { seedTable } from '../../../support/seed-document.ts';
import { breach } from '../../../support/builders.ts';
import { checkedFetch, checkedHandler, specChecker, type SpecChecker } from '../../../support/openapi.ts';
import { apiDeps, KEYS, loadSamples, sourceDashboard, type SampleStore } from '../../../support/api.ts';
import { functionContext } from '../../../support/events.ts';
import { v01Event, v1Event } from '../../../support/http-events.ts';
import { REPO_ROOT as root } from '../../../support/paths.ts';

let store: SampleStore;
let deps: ReturnType<typeof apiDeps>;
const auth = { 'X-API-Key': KEYS.reader };
let spec: SpecChecker;
/** The api function's answer to an event, checked against the OpenAPI spec. */
const call = (event: unknown) => checkedHandler(spec, (e) => apiHandler(e, functionContext(), deps))(event);
const json = (r: { body: string }) => JSON.parse(r.body) as unknown;

beforeAll(async () => {
  spec = await specChecker();
  store = await loadSamples();
  deps = apiDeps(store.env.dbPath, { dashboard: await sourceDashboard() });
});

afterAll(async () => {
  deps?.read.close();
  await store?.env[Symbol.asyncDispose]();
});

describe('api over the samples, payload 1.0', () => {
  test('the seven seed periods are listed ascending', async () => {
    const r = await call(v1Event('/v1/regions/26/periods', { headers: auth }));
    expect(r.statusCode).toBe(200);
    const body = PeriodsBody.parse(json(r));
    expect(body.periods.map((p) => p.label)).toEqual(['20.02-22.02.2023', '23.02-03.03.2023', '06.03-10.03.2023', '13.03-17.03.2023', '20.03-24.03.2023', '27.03-31.03.2023', '03.04-07.04.2023']);
  });

  test('a period has the regional row and 33 municipality rows with every metric id and its delta', async () => {
    const r = await call(v1Event('/v1/regions/26/periods/2023-03-06..2023-03-10', { headers: auth }));
    const body = PeriodBody.parse(json(r));
    expect(body.municipalities).toHaveLength(33);
    for (const row of [body.regional, ...body.municipalities]) {
      expect(Object.keys(row.metrics).sort()).toEqual([...MetricId.options].sort());
      expect(Object.keys(row.deltas).sort()).toEqual([...MetricId.options].sort());
    }
    expect(body.regional.metrics.teachers_total).toBe(16819);
    expect(body.regional.metrics.teachers_chat_creators).toBe(3700);
    expect(body.regional.deltas.teachers_chat_creators).toBe(18);
    // the seed's chat target is at risk from the third week (the aggregate acceptance)
    expect(body.regional.evaluations.find((e) => e.target_id === 'teachers_chat_creators')?.status).toBe('at_risk');
    expect(body.alerts.some((a) => a.scope.level === 'region' && a.alert_id === 'teachers_chat_creators')).toBe(true);
  });

  test('the timeseries of a KPI share has seven points and its 35 % target', async () => {
    const r = await call(v1Event('/v1/regions/26/timeseries', { headers: auth, query: { metric: 'teachers_chat_creators_share', scope: 'region' } }));
    const body = TimeseriesBody.parse(json(r));
    expect(body.points).toHaveLength(7);
    expect(body.points[0]!.value).toBeCloseTo(3666 / 17218, 10);
    expect(body.targets.map((t) => [t.id, t.op, t.threshold])).toEqual([['teachers_chat_creators', '>=', 0.35]]);
  });

  test('a municipality timeseries names the municipality', async () => {
    const r = await call(v1Event('/v1/regions/26/timeseries', { headers: auth, query: { metric: 'schools_total', scope: 'aleksandrovsky' } }));
    const body = TimeseriesBody.parse(json(r));
    expect(body.scope).toMatchObject({ level: 'municipality', id: 'aleksandrovsky' });
    expect(body.points.every((p) => typeof p.value === 'number' && p.value > 0)).toBe(true);
  });

  test('report.csv is the seed table, cell for cell', async () => {
    const r = await call(v1Event('/v1/regions/26/report.csv', { headers: auth }));
    expect(r.headers['Content-Type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['Content-Disposition']).toBe('attachment; filename="sferum-pulse-26-2023-02-20_2023-04-07.csv"');
    expect(parseCsv(r.body.slice(1))).toEqual(seedTable());
  });

  test('report.csv with from/to keeps the periods starting in the range', async () => {
    const r = await call(v1Event('/v1/regions/26/report.csv', { headers: auth, query: { from: '2023-03-01', to: '2023-03-20' } }));
    expect(parseCsv(r.body.slice(1)).map((row) => row[0])).toEqual(['Неделя', '06.03-10.03.2023', '13.03-17.03.2023', '20.03-24.03.2023']);
  });

  test('report.xlsx is a workbook with the seed table as numbers', async () => {
    const r = await call(v1Event('/v1/regions/26/report.xlsx', { headers: auth }));
    expect(r.isBase64Encoded).toBe(true);
    expect(r.headers['Content-Disposition']).toBe('attachment; filename="sferum-pulse-26-2023-02-20_2023-04-07.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(r.body, 'base64') as unknown as ArrayBuffer);
    // title, subtitle, the header in row 3, the seven weeks, a blank row and the footnote
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(3).getCell(1).value).toBe('Неделя');
    expect(ws.getRow(4).getCell(6).value).toBe(17218);
    expect(ws.rowCount).toBe(12);
  });

  test('alerts can be filtered by state', async () => {
    const all = AlertsBody.parse(json(await call(v1Event('/v1/regions/26/alerts', { headers: auth }))));
    const risky = AlertsBody.parse(json(await call(v1Event('/v1/regions/26/alerts', { headers: auth, query: { state: 'at_risk' } }))));
    expect(risky.alerts.length).toBeGreaterThan(0);
    expect(risky.alerts.every((a) => a.status === 'at_risk')).toBe(true);
    expect(all.alerts.length).toBeGreaterThan(risky.alerts.length);
  });

  test('every upload is listed newest first, and one upload has its full report', async () => {
    const list = UploadsBody.parse(json(await call(v1Event('/v1/uploads', { headers: auth, query: { limit: '100' } }))));
    const manifest = JSON.parse(readFileSync(`${root}events/samples/manifest.json`, 'utf8')) as { prefix: string; files: { name: string }[] };
    expect(list.items.map((i) => i.key)).toEqual(manifest.files.map((f) => `${manifest.prefix}${f.name}`).reverse());
    expect(list.next_cursor).toBeNull();
    expect(list.items.at(-1)!.key).toBe('uploads/26/01_sferum_20.02-22.02.2023.xlsx');
    expect(list.items.at(-1)!.tables).toEqual(['schools', 'municipalities']);
    const one = await call(v1Event(`/v1/uploads/${list.items[0]!.upload_id}`, { headers: auth }));
    expect(UploadReport.parse(json(one)).upload_id).toBe(list.items[0]!.upload_id);
  });
});

describe('notification links', () => {
  const base = 'https://pulse.example.ru/';
  const linkOf = (events: readonly NotificationEvent[]) => renderMessage('dlv_link', events, { apiBaseUrl: base }).payload.link!;

  /** Follows a link through the router, then reads the period and scope it names with a key. */
  async function resolve(link: string): Promise<{ page: number; period: PeriodBody; scope: string }> {
    const url = new URL(link);
    expect(`${url.origin}/`).toBe(base);
    const query = Object.fromEntries(url.searchParams);
    const page = await call(v1Event(url.pathname, { query }));
    const region = query['region']!;
    const period = await call(v1Event(routeUrl('period', { region, period: query['period']! }), { headers: auth }));
    expect(period.statusCode, link).toBe(200);
    return { page: page.statusCode, period: PeriodBody.parse(json(period)), scope: query['scope']! };
  }

  test('every template, for the region and a municipality, links to a dashboard view that resolves with the samples', async () => {
    const sample = PeriodBody.parse(json(await call(v1Event('/v1/regions/26/periods/2023-03-13..2023-03-17', { headers: auth }))));
    const muni = sample.municipalities[0]!.scope;
    const period = { start: sample.period.start, end: sample.period.end, label: sample.period.label };
    for (const type of NotificationType.options) {
      for (const municipality of [null, { id: muni.id, name: muni.name }]) {
        const event = breach({ type, municipality, period, metric: 'teachers_chat_creators_share' });
        const digest = type === 'digest' ? { ...event, items: [{ type: 'breach_opened' as const, scope: event.scope, target: null, value: 0.2 }] } : event;
        const link = linkOf([digest]);
        const r = await resolve(link);
        expect(r.page, link).toBe(200);
        expect(r.period.period.key).toBe(sample.period.key);
        const scopes = [r.period.regional.scope, ...r.period.municipalities.map((m) => m.scope)].map((s) => (s.level === 'region' ? 'region' : s.id));
        expect(scopes, link).toContain(r.scope);
        expect(r.scope).toBe(municipality ? muni.id : 'region');
      }
    }
  });

  test('the events the aggregate stage emitted for the samples link to views that resolve', async () => {
    const emitted = (store.aggregateDeps.sink as CollectingSink).events;
    expect(emitted.length).toBeGreaterThan(0);
    for (const e of emitted.slice(0, 20)) {
      const r = await resolve(linkOf([e]));
      expect(r.page).toBe(200);
      expect(r.period.period.start).toBe(e.period.start);
    }
  });
});

describe('api over the samples, payload 0.1', () => {
  test('the same period answer as with payload 1.0', async () => {
    const params = { region: '26', period: '2023-03-13..2023-03-17' };
    const v01 = await call(v01Event('/v1/regions/{region}/periods/{period}', params, { headers: auth }));
    const v1 = await call(v1Event('/v1/regions/26/periods/2023-03-13..2023-03-17', { headers: auth }));
    expect(v01.statusCode).toBe(200);
    expect(v01.body).toBe(v1.body);
  });

  test('query parameters and a 400 naming the parameter', async () => {
    const ok = await call(v01Event('/v1/regions/{region}/timeseries', { region: '26' }, { headers: auth, query: { metric: 'teachers_msg3_share' } }));
    expect(TimeseriesBody.parse(json(ok)).points).toHaveLength(7);
    const bad = await call(v01Event('/v1/regions/{region}/timeseries', { region: '26' }, { headers: auth, query: { metric: 'teachers_msg4_share' } }));
    expect(bad.statusCode).toBe(400);
    expect(json(bad)).toMatchObject({ error: { code: 'invalid_parameter', parameter: 'metric' } });
  });

  test('a dashboard key reads the uploads, is refused on alerts with 403, and a missing key gets 401', async () => {
    expect((await call(v01Event('/v1/uploads', {}, { headers: { 'X-API-Key': KEYS.dashboard } }))).statusCode).toBe(200);
    expect((await call(v01Event('/v1/regions/26/alerts', {}, { headers: { 'X-API-Key': KEYS.dashboard } }))).statusCode).toBe(403);
    expect((await call(v01Event('/v1/uploads', {}, {}))).statusCode).toBe(401);
  });

  test('an unknown path and an unknown method answer in the spec\'s Error format (through its catch-all)', async () => {
    const nf = await call(v1Event('/v1/nothing', { headers: auth }));
    expect(nf.statusCode).toBe(404);
    expect(json(nf)).toEqual({ error: { code: 'not_found', message: 'no such route' } });
    const na = await call(v1Event('/v1/regions/26/periods', { headers: auth, method: 'DELETE' }));
    expect(na.statusCode).toBe(405);
    expect(na.headers['Allow']).toBe('GET');
  });

  test('a non-HTTP event is a 400, not a crash', async () => {
    const r = await call({ messages: [] });
    expect(r.statusCode).toBe(400);
  });
});

describe('api over HTTP on 127.0.0.1', () => {
  test('JSON, an XLSX download, 401 and the dashboard page through the node:http adapter', async () => {
    const server = await listenApi((event) => apiHandler(event, functionContext(), deps));
    try {
      const get = (url: string, init?: RequestInit) => checkedFetch(spec, url, init);
      const periods = await get(`${server.url}/v1/regions/26/periods`, { headers: { 'X-API-Key': KEYS.dashboard } });
      expect(periods.status).toBe(200);
      expect(PeriodsBody.parse(await periods.json()).periods).toHaveLength(7);

      const xlsx = await get(`${server.url}/v1/regions/26/report.xlsx?from=2023-02-20`, { headers: { Authorization: `Bearer ${KEYS.reader}` } });
      expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const bytes = Buffer.from(await xlsx.arrayBuffer());
      expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));

      const denied = await get(`${server.url}/v1/uploads`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer/);

      const page = await get(`${server.url}/`);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await page.text()).toContain('<meta name="sp-region" content="26">');
      const js = await get(`${server.url}/assets/app.js`);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect((await js.text()).length).toBeGreaterThan(10_000);
    } finally {
      await server.close();
    }
  });
});

describe('the bundled api function', () => {
  test('serves the embedded dashboard and reads the store from its environment', async () => {
    // inside the project, so the bundle resolves the external better-sqlite3 as dist/ does
    mkdirSync(`${root}node_modules/.cache`, { recursive: true });
    const dir = mkdtempSync(`${root}node_modules/.cache/sp-api-bundle-`);
    const saved = { ...process.env };
    try {
      // the same bundling as scripts/build.mjs: CommonJS, the dashboard through the define
      const dashboard = await buildDashboard({ root });
      await build({
        entryPoints: [`${root}functions/api/handler.ts`],
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        outfile: join(dir, 'index.js'),
        external: ['better-sqlite3'],
        logLevel: 'silent',
        define: { __SFERUM_PULSE_DASHBOARD__: JSON.stringify(dashboard) },
      });
      writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
      Object.assign(process.env, { SQLITE_PATH: store.env.dbPath, API_KEYS: `ci:reader:${deps.keys[0]!.sha256}`, LOG_LEVEL: 'ERROR' });
      const mod = createRequire(join(dir, 'index.js'))(join(dir, 'index.js')) as { handler: (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string; headers: Record<string, string> }> };
      const bundled = checkedHandler(spec, (e) => mod.handler(e, functionContext()));
      const page = await bundled(v1Event('/'));
      expect(page.statusCode).toBe(200);
      const js = await bundled(v1Event('/assets/app.js'));
      expect(js.body).toBe(dashboard['app.js']);
      const periods = await bundled(v1Event('/v1/regions/26/periods', { headers: auth }));
      expect(PeriodsBody.parse(JSON.parse(periods.body)).periods).toHaveLength(7);
    } finally {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
