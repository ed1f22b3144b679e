// Integration: the dashboard in real headless Chromium (Debian's package, driven by
// playwright-core; no browser download). The api function serves the page and its
// assets compiled from source over the node:http adapter on 127.0.0.1, on a store loaded
// from the samples. The page must load without console errors, draw the KPI chart with
// uPlot's legend, and show 33 municipality rows. A missing /usr/bin/chromium fails the
// test with the reason: CI installs it.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type ConsoleMessage } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiHandler } from '../../../functions/api/handler.ts';
import { listenApi } from '../../../shared/api/http-adapter.ts';
import { apiDeps, KEYS, loadSamples, sourceDashboard, type SampleStore } from '../../helpers/api.ts';
import { functionContext } from '../../helpers/events.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/sferum-pulse-dashboard.png';

let store: SampleStore;
let deps: ReturnType<typeof apiDeps>;
let server: Awaited<ReturnType<typeof listenApi>>;
let browser: Browser | undefined;

beforeAll(async () => {
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
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  }));
}

describe('dashboard in headless Chromium', () => {
  test('loads without console errors, draws the KPI chart, and lists 33 municipalities', async () => {
    const b = await launch();
    const page = await b.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'ru-RU' });
    const problems: string[] = [];
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });

    await page.goto(`${server.url}/?key=${encodeURIComponent(KEYS.reader)}`);
    await page.waitForSelector('table.municipal tbody tr', { timeout: 20_000 });
    await page.waitForSelector('#kpi canvas', { timeout: 20_000 });
    await page.waitForSelector('#uploads table.uploads tbody tr', { timeout: 20_000 });

    // the key left the address bar at once and lives in sessionStorage only
    expect(new URL(page.url()).search).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('sferum-pulse.api-key'))).toBe(KEYS.reader);

    const canvas = await page.$eval('#kpi canvas', (c) => ({ w: (c as HTMLCanvasElement).width, h: (c as HTMLCanvasElement).height }));
    expect(canvas.w).toBeGreaterThan(0);
    expect(canvas.h).toBeGreaterThan(0);
    const legend = await page.$$eval('#kpi .u-legend .u-series .u-label', (els) => els.map((e) => e.textContent ?? ''));
    expect(legend).toContain('Создали ≥1 чат');
    expect(legend.some((l) => l.startsWith('цель ≥ 35'))).toBe(true);

    expect(await page.$$eval('table.municipal tbody tr', (rows) => rows.length)).toBe(33);
    // the newest period is chosen first; the regional row carries the seed's numbers in Russian format
    expect(await page.$eval('#period', (s) => (s as HTMLSelectElement).selectedOptions[0]!.textContent)).toBe('03.04-07.04.2023');
    const footer = await page.$eval('table.municipal tfoot tr', (r) => r.textContent ?? '');
    expect(footer).toContain('618 из 626');
    expect(footer).toContain('98,72\u00a0%');
    expect(footer).toContain('18\u00a0064');
    // chat-creator share at risk from the third week: marked cells exist
    expect(await page.$$eval('table.municipal td.at-risk, table.municipal td.breach', (c) => c.length)).toBeGreaterThan(0);

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

    await page.selectOption('#period', '2023-04-03..2023-04-07');
    await page.waitForSelector('table.municipal[data-period="2023-04-03..2023-04-07"]');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await (await page.$('#kpi'))!.screenshot({ path: SCREENSHOT.replace('.png', '-kpi.png') });
    await (await page.$('.upload-details'))!.screenshot({ path: SCREENSHOT.replace('.png', '-upload.png') });
    expect(problems).toEqual([]);
  });

  test('a dashboard key sees the chart and the table, and a notice instead of the uploads', async () => {
    const b = await launch();
    const page = await b.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/?key=${encodeURIComponent(KEYS.dashboard)}`);
    await page.waitForSelector('table.municipal tbody tr');
    await page.waitForSelector('#uploads .notice');
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
