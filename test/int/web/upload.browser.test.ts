// Integration: the admins' upload page on the local stack, in headless Chromium. A
// municipality-scoped uploader key asks the api function for a signed form, the page posts
// the file straight to the local Object Storage (which checks the POST policy as Object
// Storage does), ingest runs from the trigger, and the page shows the report in the admin's
// words: the week and the municipality confirmed with a link to that week on the dashboard,
// every other municipality's row rejected with the value as the file writes it and the
// key's municipality named, every warning listed; a file with wrong headers names the
// contract's columns beside the headers it has; a corrupt workbook is called corrupt; a
// reader's key is told it is the wrong kind of key; the templates download from the page.
// The signed form itself is checked against the S3 rules: key prefix, size range, expiry,
// and a policy that nothing outside it can be slipped into.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBuilt } from '../../../infra/local/functions.ts';
import { LOCAL_CREDENTIALS } from '../../../infra/local/object-storage.ts';
import { createLocalStack, type LocalStack } from '../../../infra/local/runtime.ts';
import { loadLocalModel } from '../../../infra/local/serverless-config.ts';
import { checkPostForm } from '../../../infra/local/upload-post.ts';
import { UploadReport } from '../../../shared/domain/schemas.ts';
import { REPO_ROOT as root } from '../../support/paths.ts';

const CHROMIUM = '/usr/bin/chromium';
const SAMPLE = join(root, 'events/samples/07a_schools_03.04-07.04.2023.csv');
const MAX_BYTES = 200_000;
const KEYS = { izob: 'izobilny-uploader-key-1', ministry: 'ministry-uploader-key-2', other: 'other-region-uploader-3', reader: 'reader-key-4' };
const sha = (k: string) => createHash('sha256').update(k).digest('hex');

type FormAnswer = { key: string; form: { url: string; fields: Record<string, string>; max_bytes: number; expires_at: string }; report: { key: string; url: string } };

let stack: LocalStack;
let dataDir: string;
let browser: Browser | undefined;

beforeAll(async () => {
  await ensureBuilt(root, loadLocalModel(join(root, 'serverless.yml')).functions, () => undefined);
  dataDir = mkdtempSync(join(tmpdir(), 'sp-upload-'));
  stack = await createLocalStack({
    root,
    dataDir,
    build: false,
    functionLogs: null,
    log: () => undefined,
    env: {
      NOTIFY_CONFIG: '{"grouping":{"windowMs":0}}',
      UPLOAD_MAX_BYTES: String(MAX_BYTES),
      API_KEYS: [`izob:uploader@26/izobilnensky:${sha(KEYS.izob)}`, `ministry:uploader@26:${sha(KEYS.ministry)}`, `other:uploader@05:${sha(KEYS.other)}`, `bi:reader:${sha(KEYS.reader)}`].join(','),
    },
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function askForm(key: string, region = '26', fileName = '07a_schools_03.04-07.04.2023.csv') {
  return fetch(`${stack.api!.url}/v1/regions/${region}/uploads`, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'application/json' }, body: JSON.stringify({ file_name: fileName }) });
}

function formOf(answer: FormAnswer, file: Blob, change: Record<string, string> = {}) {
  const fd = new FormData();
  for (const [k, v] of Object.entries({ ...answer.form.fields, ...change })) fd.append(k, v);
  fd.append('file', file, 'export.csv');
  return fd;
}

const SHOTS = '/tmp/shots';

/** A browser page on /upload whose page errors, console errors and failed responses are collected. */
async function uploadPage(): Promise<{ page: Page; problems: string[] }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package; the upload page test needs a real browser`);
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ locale: 'ru-RU', viewport: { width: 1000, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // the page polls the report's presigned URL, which answers 404 until ingest has written
  // it; a 403 of the upload route is what the wrong-key case asks for; every other failed
  // response is a problem (the browser also logs each failed load on the console)
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    const polled = r.status() === 404 && u.pathname.startsWith('/sferum-pulse-exports/reports/uploads/');
    const refused = r.status() === 403 && u.pathname === '/v1/regions/26/uploads';
    if (r.status() >= 400 && !polled && !refused) problems.push(`HTTP ${r.status()}: ${u.pathname}`);
  });
  await page.goto(`${stack.api!.url}/upload`);
  return { page, problems };
}

async function send(page: Page, key: string, file: string | { name: string; mimeType: string; buffer: Buffer }) {
  await page.fill('input[name=key]', key);
  await page.setInputFiles('input[name=file]', file);
  await page.click('button[type=submit]');
}

const cellsOf = (page: Page, table: string) => page.$$eval(`${table} tbody tr`, (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));

describe('the upload page', () => {
  test('a municipality key uploads through the browser: its week and municipality confirmed with a link, other rows rejected in its words, warnings listed', async () => {
    const { page, problems } = await uploadPage();
    await send(page, KEYS.izob, SAMPLE);
    await page.waitForSelector('.result[data-status]', { timeout: 60_000 });

    expect(await page.textContent('.status')).toBe('Файл принят частично');
    const sample = readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(1);
    const own = sample.filter((l) => l.split(';')[1] === 'Изобильненский муниципальный округ').length;
    expect(own).toBeGreaterThan(0);
    expect(await page.textContent('.counts')).toBe(`Принято строк: ${own}. Отклонено строк: ${sample.length - own}.`);
    // the week and the municipality, and the dashboard on that week and municipality
    expect(await page.textContent('.confirmed')).toContain('Неделя 03.04.2023–07.04.2023 · Изобильненский муниципальный округ.');
    const link = new URL(await page.getAttribute('.confirmed a', 'href') ?? '', `${stack.api!.url}/upload`);
    expect([link.pathname, link.searchParams.get('period'), link.searchParams.get('scope')]).toEqual(['/', '2023-04-03..2023-04-07', 'izobilnensky']);

    const rows = await cellsOf(page, 'table.rejected');
    expect(rows).toHaveLength(sample.length - own);
    // the value as the file writes it, and the key's municipality named
    expect(rows[0]).toEqual([
      '—',
      '2',
      'МОУО',
      'Александровский муниципальный округ',
      'строка муниципалитета «Александровский муниципальный округ», а ваш ключ загрузки — только для «Изобильненский муниципальный округ»: такие строки загружает их МОУО',
    ]);
    // what the rejected rows come to, one line per reason, before the rows themselves
    const summary = await page.$$eval('ul.summary-rejected li', (li) => li.map((x) => x.textContent ?? ''));
    const outside = rows.filter((r) => r[4]!.startsWith('строка муниципалитета')).length;
    expect(summary[0]).toBe(`${outside} строк, например строка 2: ${rows[0]![4]}`);
    // every rejected row is counted under one reason
    expect(summary.reduce((n, line) => n + Number(/^(\d+)/.exec(line)![1]), 0)).toBe(rows.length);
    // every warning of the report is listed, in Russian (the sample has teachers in Sferum above their total)
    const warnings = await cellsOf(page, 'table.warnings');
    expect(warnings.length).toBeGreaterThan(0);
    expect(await page.textContent('table.warnings caption')).toBe(`Предупреждения: ${warnings.length} (строки приняты)`);
    expect(warnings.every((w) => /[а-яё]/i.test(w[4]!) && !/[a-z]{4}/.test(w[4]!))).toBe(true);
    await page.screenshot({ path: `${SHOTS}/upload-partial.png`, fullPage: true, clip: { x: 0, y: 0, width: 1000, height: 1500 } });
    expect(problems).toEqual([]);
  }, 120_000);

  test('the same file again is called a repeat; a much shorter file for the same week says what it replaced, loudly', async () => {
    const { page, problems } = await uploadPage();
    await send(page, KEYS.izob, SAMPLE);
    await page.waitForSelector('.result[data-status]', { timeout: 60_000 });
    expect(await page.textContent('.status')).toBe('Этот файл уже загружен: данные не изменились');
    expect(await page.textContent('.result .prominent-warning')).toMatch(/^⚠ этот файл уже загружен \d\d\.\d\d\.\d{4}; данные не изменились$/);

    // two of the municipality's 21 schools: the newer upload wins, and says so
    const lines = readFileSync(SAMPLE, 'utf8').split(/\r?\n/);
    const own = lines.filter((l) => l.split(';')[1] === 'Изобильненский муниципальный округ');
    const short = [lines[0], ...own.slice(0, 2)].join('\r\n');
    await page.reload();
    await send(page, KEYS.izob, { name: 'izob_03.04-07.04.2023.csv', mimeType: 'text/csv', buffer: Buffer.from(short, 'utf8') });
    await page.waitForSelector('.result[data-status]', { timeout: 60_000 });
    expect(await page.textContent('.status')).toBe('Файл принят');
    expect(await page.textContent('.result .prominent-warning')).toBe(`⚠ файл заменил данные прежней загрузки, и школ стало намного меньше (${own.length} → 2): проверьте, полный ли это файл`);
    expect(await cellsOf(page, 'table.replacements')).toEqual([['03.04.2023–07.04.2023', 'школы (ОО)', `${own.length} → 2`, expect.stringMatching(/→/), expect.stringMatching(/→/)]]);
    await page.screenshot({ path: `${SHOTS}/upload-replacement.png`, fullPage: true });
    expect(problems).toEqual([]);
  }, 180_000);

  test('a file with the wrong headers: the contract’s columns named beside the headers found; screenshot of the report', async () => {
    const { page, problems } = await uploadPage();
    const csv = ['Период;МОУО;Наименование ОО;ИНН;В Сфере;Администратор активен;Учителей;Учеников', '03.04-07.04.2023;Изобильненский МО;МБОУ СОШ № 1;2607000000;да;да;10;100'].join('\r\n');
    await send(page, KEYS.izob, { name: 'выгрузка.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await page.waitForSelector('.result[data-status="rejected"]', { timeout: 60_000 });
    expect(await page.textContent('.status')).toBe('Файл отклонён');
    expect(await page.textContent('.counts')).toBe('Ни одна строка не загружена: файл отклонён целиком.');
    expect(await page.textContent('.file-error')).toBe('Причина: в файле нет обязательных столбцов:');
    const list = (sel: string) => page.$$eval(`${sel} li`, (li) => li.map((x) => x.textContent ?? ''));
    expect(await list('ul.missing')).toEqual(['«Педагогов всего»', '«Педагогов в Сфере»', '«Обучающихся всего»', '«Обучающихся в Сфере»']);
    expect(await list('ul.found')).toEqual(['«Период»', '«МОУО»', '«Наименование ОО»', '«ИНН»', '«В Сфере»', '«Администратор активен»', '«Учителей»', '«Учеников»']);
    expect(await page.textContent('.result')).not.toMatch(/teachers_total|students_total|municipality|in_sferum/);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/upload-bad-file.png`, fullPage: true });
    expect(problems).toEqual([]);
  }, 120_000);

  test('a corrupt workbook is called corrupt; a reader’s key is told it is the wrong kind of key', async () => {
    const { page, problems } = await uploadPage();
    // the start of a real workbook, cut short: a ZIP that does not end
    const workbook = readFileSync(join(root, 'events/samples/01_sferum_20.02-22.02.2023.xlsx'));
    await send(page, KEYS.izob, { name: 'сферум.xlsx', mimeType: 'application/octet-stream', buffer: workbook.subarray(0, 2000) });
    await page.waitForSelector('.result[data-status="rejected"]', { timeout: 60_000 });
    expect(await page.textContent('.file-error')).toMatch(/^Причина: файл повреждён/);

    await send(page, KEYS.reader, SAMPLE);
    await page.waitForFunction(() => /ключ/.test(document.querySelector('.status')?.textContent ?? ''), null, { timeout: 20_000 });
    expect(await page.textContent('.status')).toBe('Это ключ для чтения данных (API), а не ключ загрузки: им нельзя загружать файлы. Нужен ключ загрузки вашего МОУО или региона — его выдаёт администратор системы.');
    expect(problems).toEqual([]);
  }, 120_000);

  test('the templates download from the page, named for the region', async () => {
    const { page, problems } = await uploadPage();
    for (const ext of ['xlsx', 'csv']) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`.templates a[href$="template.${ext}"]`)]);
      expect(download.suggestedFilename()).toBe(`sferum-template-26.${ext}`);
      const path = await download.path();
      const bytes = readFileSync(path);
      if (ext === 'csv') expect(bytes.toString('utf8')).toContain('Период;МОУО;ОО;ИНН;КПП');
      else expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    }
    expect(problems).toEqual([]);
  }, 60_000);

  test('the form is for one key under the scope prefix, with a size range and a short expiry; the local storage enforces it', async () => {
    const res = await askForm(KEYS.ministry);
    expect(res.status).toBe(201);
    const answer = (await res.json()) as FormAnswer;
    expect(answer.key).toMatch(/^uploads\/26\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z-[0-9a-f]{12}\/07a_schools_03\.04-07\.04\.2023\.csv$/);
    const policy = JSON.parse(Buffer.from(answer.form.fields['policy']!, 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    const ttl = Date.parse(policy.expiration) - Date.now();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300_000);
    expect(policy.conditions).toEqual(expect.arrayContaining([{ bucket: 'sferum-pulse-exports' }, ['eq', '$key', answer.key], ['content-length-range', 1, MAX_BYTES]]));
    expect(new URL(answer.report.url).searchParams.get('X-Amz-Expires')).toBe('600');
    expect(answer.report.key).toBe(`reports/${answer.key}.json`);

    const post = (fd: FormData) => fetch(answer.form.url, { method: 'POST', body: fd });
    const big = await post(formOf(answer, new Blob([Buffer.alloc(MAX_BYTES + 1, 0x41)])));
    expect([big.status, /<Code>(\w+)</.exec(await big.text())?.[1]]).toEqual([400, 'EntityTooLarge']);
    const elsewhere = await post(formOf(answer, new Blob(['x']), { key: 'reports/uploads/26/forged.csv.json' }));
    expect(elsewhere.status).toBe(403);
    const extra = await post(formOf(answer, new Blob(['x']), { 'x-amz-meta-scope': 'region' }));
    expect(extra.status).toBe(403);
    const forged = await post(formOf(answer, new Blob(['x']), { 'x-amz-signature': '0'.repeat(64) }));
    expect(forged.status).toBe(403);
    // after the expiry the same, correctly signed form is refused
    const late = await checkPostForm(formOf(answer, new Blob(['x'])), { bucket: 'sferum-pulse-exports', now: new Date(Date.parse(policy.expiration) + 1000), ...LOCAL_CREDENTIALS });
    expect(late).toMatchObject({ ok: false, status: 403, message: 'Invalid according to Policy: Policy expired.' });

    const ok = await post(formOf(answer, new Blob([readFileSync(SAMPLE)])));
    expect(ok.status).toBe(204);
    await stack.idle();
    const report = UploadReport.parse(await (await fetch(answer.report.url)).json());
    // a region key's upload: the sample's own bad rows are rejected, none for its scope
    expect(report.key).toBe(answer.key);
    expect(report.rows.accepted).toBeGreaterThan(600);
    expect(report.errors.filter((e) => e.code === 'row.outside_upload_scope')).toEqual([]);
    // provenance: the form carried the asking key's name, signed, into the object's metadata
    expect(answer.form.fields['x-amz-meta-uploader']).toBe('ministry');
    expect(report.uploader).toBe('ministry');
  }, 120_000);

  test('only an uploader key of that region gets a form, and only for a CSV or XLSX file', async () => {
    expect((await askForm(KEYS.other)).status).toBe(403);
    expect((await askForm(KEYS.reader)).status).toBe(403);
    expect((await askForm('no-such-key')).status).toBe(401);
    expect((await askForm(KEYS.ministry, '26', 'export.exe')).status).toBe(400);
    expect((await askForm(KEYS.ministry, '99')).status).toBe(404);
  });
});
