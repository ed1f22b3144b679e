// Integration: the dashboard in real headless Chromium (Debian's package, driven by
// playwright-core; no browser download). The api function serves the page and its
// assets compiled from source over the node:http adapter on 127.0.0.1, on a store loaded
// from the samples. At 1400 px and at 390 px: the headline shows the API's own values,
// both charts carry every target line with its label, the page never scrolls sideways,
// and the municipality view (by a click, or by a notification's link) lists exactly the
// municipality's schools of the inactive-schools list. Every API answer the page gets is
// checked against the OpenAPI spec. A missing /usr/bin/chromium fails with the reason.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type ConsoleMessage } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiHandler } from '../../../functions/api/handler.ts';
import { listenApi } from '../../../infra/local/http-adapter.ts';
import type { InactiveSchoolsBody, PeriodBody } from '../../../shared/api/views.ts';
import { formatPercent } from '../../../web/dashboard/format.ts';
import { metricInfo } from '../../../shared/domain/metric-catalog.ts';
import { renderMessage } from '../../../shared/domain/notify/render.ts';
import { apiDeps, KEYS, loadSamples, sourceDashboard, type SampleStore } from '../../support/api.ts';
import { v1Event } from '../../support/http-events.ts';
import { breach } from '../../support/builders.ts';
import { specChecker, type SpecChecker } from '../../support/openapi.ts';
import { functionContext } from '../../support/events.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/sferum-pulse-dashboard.png';

let store: SampleStore;
let deps: ReturnType<typeof apiDeps>;
let server: Awaited<ReturnType<typeof listenApi>>;
let browser: Browser | undefined;
let spec: SpecChecker;

beforeAll(async () => {
  spec = await specChecker();
  store = await loadSamples();
  deps = apiDeps(store.env.dbPath, { dashboard: await sourceDashboard() });
  server = await listenApi((event) => apiHandler(event, functionContext(), deps));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  deps?.read.close();
  await store?.env[Symbol.asyncDispose]();
});

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium); the dashboard test needs a real browser`);
  }
  return (browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  }));
}

/** What the API itself answers (with a reader key), to compare the page against. */
async function apiJson<T>(path: string, query?: Record<string, string>): Promise<T> {
  const r = await apiHandler(v1Event(path, { headers: { 'X-API-Key': KEYS.reader }, ...(query ? { query } : {}) }), functionContext(), deps);
  expect(r.statusCode, path).toBe(200);
  return JSON.parse(r.body) as T;
}

const LATEST = '2023-04-03..2023-04-07';

/** A page whose console errors, failed requests and API answers outside the spec are collected. */
async function openPage(b: Browser, width: number, height: number) {
  const page = await b.newPage({ viewport: { width, height }, locale: 'ru-RU' });
  const problems: string[] = [];
  const checks: Promise<void>[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    const url = new URL(r.url());
    if (!url.pathname.startsWith('/v1/')) return;
    checks.push(
      r.text().then(
        (body) => spec.check(r.request().method(), url.pathname, { status: r.status(), headers: r.headers(), body }),
        (e: unknown) => void problems.push(`unread response ${url.pathname}: ${String(e)}`),
      ).catch((e: unknown) => void problems.push(`outside the spec: ${e instanceof Error ? e.message : String(e)}`)),
    );
  });
  const settle = async () => {
    await Promise.all(checks);
    return problems;
  };
  return { page, settle };
}

/** The headline cards as the page shows them: metric → value text, status. */
async function headline(page: import('playwright-core').Page) {
  return page.$$eval('#headline .card', (cards) =>
    cards.map((c) => ({ metric: c.getAttribute('data-metric'), status: c.getAttribute('data-status'), value: c.querySelector('.value')?.textContent ?? '', text: c.textContent ?? '' })),
  );
}

async function expectHeadlineFromApi(page: import('playwright-core').Page) {
  const body = await apiJson<PeriodBody>(`/v1/regions/26/periods/${LATEST}`);
  const cards = await headline(page);
  expect(cards.map((c) => c.metric)).toEqual([
    'schools_in_sferum_share',
    'mouo_in_sferum_share',
    'students_in_sferum_share',
    'teachers_chat_creators_share',
    'teachers_msg3_share',
    'teachers_msg10_share',
    'teachers_calls_share',
  ]);
  for (const c of cards) {
    const metric = c.metric as keyof PeriodBody['regional']['metrics'];
    expect(c.value, metric).toBe(formatPercent(body.regional.metrics[metric], metricInfo(metric).decimals));
    const ev = body.regional.evaluations.find((e) => e.metric === metric);
    expect(c.status, metric).toBe(ev?.status ?? 'none');
    const target = body.targets.find((t) => t.metric === metric);
    if (target) {
      expect(c.text, metric).toContain(`к ${target.due.split('-').reverse().join('.')}`);
      expect(c.text, metric).toContain(formatPercent(target.threshold, 0));
    }
    if (ev?.projected != null) expect(c.text, metric).toContain(`прогноз к`);
    expect(c.text, metric).toContain('за неделю:');
  }
  return body;
}

async function expectNoSidewaysScroll(page: import('playwright-core').Page) {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(scroll).toBeLessThanOrEqual(inner);
}

/** Both charts: a canvas each, every target line in the legend, each with its own label. */
async function expectCharts(page: import('playwright-core').Page, scope: string, row: PeriodBody['regional']) {
  const root = scope === 'region' ? '#charts' : '#municipality';
  await page.waitForSelector(`${root} [data-chart="kpi"] canvas`);
  const targets = await page.$$eval(`${root} [data-chart] .chart-legend li.target`, (li) => li.map((l) => `${l.closest('[data-chart]')!.getAttribute('data-chart')} ${l.textContent}`));
  const kpi = targets.filter((t) => t.startsWith('kpi '));
  expect(kpi).toEqual([
    'kpi цель «Создали ≥1 чат»: 35\u00a0%',
    'kpi цель «≥3 сообщений за неделю»: 25\u00a0%',
    'kpi цель «≥10 сообщений за неделю»: 35\u00a0%',
    'kpi цель «≥1 звонок за неделю»: 30\u00a0%',
  ]);
  const coverage = targets.filter((t) => t.startsWith('coverage '));
  expect(coverage).toEqual(scope === 'region' ? ['coverage цель «Школ в Сферуме»: 100\u00a0%', 'coverage цель «МОУО в Сферуме»: 100\u00a0%'] : ['coverage цель «Школ в Сферуме»: 100\u00a0%']);
  // values without hover: each line's newest value is in the legend
  const values = await page.$$eval(`${root} [data-chart="kpi"] .chart-legend li.series b`, (b) => b.map((x) => x.textContent ?? ''));
  const kpis = ['teachers_chat_creators_share', 'teachers_msg3_share', 'teachers_msg10_share', 'teachers_calls_share'] as const;
  expect(values).toEqual(kpis.map((m) => formatPercent(row.metrics[m])));
}

/** The municipality view lists exactly the API's inactive schools of that municipality. */
async function expectMunicipalitySchools(page: import('playwright-core').Page, scope: string, start: string) {
  await page.waitForSelector(`#municipality[data-scope="${scope}"] .schools-holder table.schools tbody tr, #municipality[data-scope="${scope}"] .schools-holder p.ok`);
  const list = await apiJson<InactiveSchoolsBody>('/v1/regions/26/inactive-schools', { from: start, to: start });
  const want = list.schools.filter((s) => s.municipality.id === scope).map((s) => `${s.school_name}|${s.school_inn}`);
  const got = await page.$$eval(`#municipality .schools-holder table.schools tbody tr`, (rows) => rows.map((r) => `${(r as HTMLTableRowElement).cells[0]!.textContent}|${(r as HTMLTableRowElement).cells[1]!.textContent}`));
  expect(got).toEqual(want);
  return want.length;
}

describe('dashboard in headless Chromium', () => {
  test('1400 px: headline equals the API, labelled target lines, coloured table, municipality view, uploads', async () => {
    const b = await launch();
    const { page, settle } = await openPage(b, 1400, 1000);
    await page.goto(`${server.url}/?key=${encodeURIComponent(KEYS.reader)}`);
    await page.waitForSelector('#headline .card');
    await page.waitForSelector('table.municipal tbody tr', { timeout: 20_000 });
    await page.waitForSelector('#uploads table.uploads tbody tr', { timeout: 20_000 });

    // the key left the address bar at once and lives in sessionStorage only
    expect(new URL(page.url()).search).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('sferum-pulse.api-key'))).toBe(KEYS.reader);

    const body = await expectHeadlineFromApi(page);
    await expectCharts(page, 'region', body.regional);
    const canvas = await page.$eval('#charts [data-chart="kpi"] canvas', (c) => ({ w: (c as HTMLCanvasElement).width, h: (c as HTMLCanvasElement).height }));
    expect(canvas.w).toBeGreaterThan(500);
    expect(canvas.h).toBeGreaterThan(0);
    // one x tick per week: the seven weeks' end dates
    expect(body.period.key).toBe(LATEST);

    expect(await page.$$eval('table.municipal tbody tr', (rows) => rows.length)).toBe(33);
    expect(await page.$eval('#period', (s) => (s as HTMLSelectElement).selectedOptions[0]!.textContent)).toBe('03.04-07.04.2023');
    const footer = await page.$eval('table.municipal tfoot tr', (r) => r.textContent ?? '');
    expect(footer).toContain('618 из 626');
    expect(footer).toContain('98,72\u00a0%');
    // each KPI cell is coloured by its own evaluation: the classes follow the API's statuses
    const first = body.municipalities.slice().sort((a, c) => a.scope.name.localeCompare(c.scope.name, 'ru'))[0]!;
    const cellClasses = await page.$eval(`table.municipal tbody tr[data-scope="${first.scope.id}"]`, (r) => Array.from((r as HTMLTableRowElement).cells, (c) => c.className).slice(-4));
    expect(cellClasses).toEqual(['teachers_chat_creators_share', 'teachers_msg3_share', 'teachers_msg10_share', 'teachers_calls_share'].map((m) => `num st-${first.evaluations.find((e) => e.metric === m)?.status ?? 'none'}`));
    await expectNoSidewaysScroll(page);

    // a click on a МОУО opens its view: its cards, its schools from the inactive list, its trend
    const muni = body.municipalities.find((m) => (m.metrics.schools_inactive ?? 0) > 0) ?? first;
    await page.click(`table.municipal button.open-municipality[data-scope="${muni.scope.id}"]`);
    await page.waitForSelector(`#municipality[data-scope="${muni.scope.id}"] h2`);
    expect(await page.$eval('#municipality h2', (e) => e.textContent)).toBe(muni.scope.name);
    expect(await expectMunicipalitySchools(page, muni.scope.id, body.period.start)).toBeGreaterThan(0);
    await expectCharts(page, muni.scope.id, muni);
    expect(new URL(page.url()).searchParams.get('scope')).toBe(muni.scope.id);

    // another period: the table reloads with 33 rows for it
    await page.selectOption('#period', '2023-03-06..2023-03-10');
    await page.waitForSelector('table.municipal[data-period="2023-03-06..2023-03-10"]');
    expect(await page.$$eval('table.municipal tbody tr', (rows) => rows.length)).toBe(33);

    // an upload report with its rejected rows: the newest upload (07b) rejected one row
    await page.click('#uploads table.uploads tbody tr:first-child button');
    await page.waitForSelector('.upload-details table.issues tbody tr');
    expect(await page.$eval('.upload-details h3', (h) => h.textContent)).toBe('uploads/26/07b_mouo_03.04-07.04.2023.csv');
    const rejected = await page.$$eval('.upload-details table.issues tbody tr', (rows) => rows.map((r) => Array.from((r as HTMLTableRowElement).cells, (c) => c.textContent ?? '')));
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((cells) => cells[4]!.length > 0)).toBe(true);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await (await page.$('#headline'))!.screenshot({ path: SCREENSHOT.replace('.png', '-headline.png') });
    await (await page.$('#charts'))!.screenshot({ path: SCREENSHOT.replace('.png', '-charts.png') });
    expect(await settle()).toEqual([]);
  });

  test('390 px: cards stack, no sideways scroll, the name column stays; a notification link opens its municipality', async () => {
    const b = await launch();
    const { page, settle } = await openPage(b, 390, 844);
    const body = await apiJson<PeriodBody>(`/v1/regions/26/periods/${LATEST}`);
    const muni = body.municipalities.find((m) => (m.metrics.schools_inactive ?? 0) > 0)!;
    const event = breach({ municipality: { id: muni.scope.id, name: muni.scope.name }, period: { start: body.period.start, end: body.period.end, label: body.period.label }, metric: 'teachers_msg3_share' });
    const link = new URL(renderMessage('dlv_phone', [event], { apiBaseUrl: server.url }).payload.link!);
    await page.goto(`${link.href}&key=${encodeURIComponent(KEYS.reader)}`);
    await page.waitForSelector('#headline .card');
    await expectHeadlineFromApi(page);
    await page.waitForSelector(`#municipality[data-scope="${muni.scope.id}"] h2`);
    expect(await page.$eval('#municipality h2', (e) => e.textContent)).toBe(muni.scope.name);
    await expectMunicipalitySchools(page, muni.scope.id, body.period.start);
    await expectCharts(page, 'region', body.regional);
    await page.waitForSelector('table.municipal tbody tr');
    await expectNoSidewaysScroll(page);

    // cards stack: one column, each as wide as the section
    const boxes = await page.$$eval('#headline .card', (cs) => cs.map((c) => c.getBoundingClientRect()).map((r) => ({ x: Math.round(r.x), w: Math.round(r.width) })));
    expect(new Set(boxes.map((x) => x.x)).size).toBe(1);
    expect(boxes.every((x) => x.w > 300)).toBe(true);
    // the table scrolls inside its holder with the name column kept in view
    const holder = await page.$eval('#municipalities .table-holder', (el) => {
      el.scrollLeft = 400;
      const name = el.querySelector('tbody td.name')!.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      return { scrolled: el.scrollLeft, nameLeft: Math.round(name.left - box.left), nameWidth: Math.round(name.width) };
    });
    expect(holder.scrolled).toBeGreaterThan(0);
    expect(holder.nameLeft).toBeLessThanOrEqual(1);
    expect(holder.nameWidth).toBeGreaterThan(80);
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-390.png'), fullPage: true });
    expect(await settle()).toEqual([]);
  });

  test('a dashboard key sees the chart and the table, and a notice instead of the uploads', async () => {
    const b = await launch();
    const page = await b.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/?key=${encodeURIComponent(KEYS.dashboard)}`);
    await page.waitForSelector('table.municipal tbody tr');
    await page.waitForSelector('#uploads .notice');
    expect(await page.$$eval('#headline .card', (c) => c.length)).toBe(7);
    expect(await page.$eval('#uploads .notice', (n) => n.textContent)).toContain('не даёт доступа');
    expect(errors).toEqual([]);
  });

  test('an unknown key brings back the login form with a message, and text from the API is never markup', async () => {
    const b = await launch();
    const page = await b.newPage();
    await page.goto(`${server.url}/?key=wrong-key`);
    await page.waitForSelector('form.login');
    expect(await page.$eval('form.login + p.error', (p) => p.textContent)).toContain('Ключ не принят');
    expect(await page.evaluate(() => sessionStorage.getItem('sferum-pulse.api-key'))).toBeNull();
    // log in through the form
    await page.fill('#api-key', KEYS.reader);
    await page.click('form.login button');
    await page.waitForSelector('table.municipal tbody tr');
    expect(await page.$$eval('script', (s) => s.filter((x) => !x.src).length)).toBe(0);
  });
});
