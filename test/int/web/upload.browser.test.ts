// Integration: the admins' upload page on the local stack, in headless Chromium. A
// municipality-scoped uploader key asks the api function for a signed form, the page posts
// the file straight to the local Object Storage (which checks the POST policy as Object
// Storage does), ingest runs from the trigger, and the page shows the report in Russian:
// the key's own rows accepted, every other municipality's row rejected with row, column and
// reason. The signed form itself is checked against the S3 rules: key prefix, size range,
// expiry, and a policy that nothing outside it can be slipped into.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
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

describe('the upload page', () => {
  test('a municipality key uploads through the browser; the page shows its rows accepted and the others rejected, in Russian', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package; the upload page test needs a real browser`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ locale: 'ru-RU' });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    // the page polls the report's presigned URL, which answers 404 until ingest has written
    // it; every other failed response is a problem (the browser also logs each 404 on the console)
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (r.status() >= 400 && !(r.status() === 404 && u.pathname.startsWith('/sferum-pulse-exports/reports/uploads/'))) problems.push(`HTTP ${r.status()}: ${u.pathname}`);
    });
    await page.goto(`${stack.api!.url}/upload`);
    await page.fill('input[name=key]', KEYS.izob);
    await page.setInputFiles('input[name=file]', SAMPLE);
    await page.click('button[type=submit]');
    await page.waitForSelector('.result[data-status]', { timeout: 60_000 });

    expect(await page.textContent('.status')).toBe('Файл принят частично');
    const sample = readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(1);
    const own = sample.filter((l) => l.split(';')[1] === 'Изобильненский муниципальный округ').length;
    expect(own).toBeGreaterThan(0);
    expect(await page.textContent('.counts')).toBe(`Принято строк: ${own}. Отклонено строк: ${sample.length - own}.`);
    const rows = await page.$$eval('table.rejected tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
    expect(rows).toHaveLength(sample.length - own);
    expect(rows[0]).toEqual(['—', '2', 'МОУО', 'aleksandrovsky', 'строка вне области вашего ключа загрузки (другой регион или муниципалитет)']);
    expect(problems).toEqual([]);
  }, 120_000);

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
