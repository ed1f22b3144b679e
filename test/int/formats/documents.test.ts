// Integration: the ministry's documents over the bundled samples, loaded into a SQLite file
// by the real ingest and aggregate handlers and read through the API's SqliteReadModel:
// the inactive-schools list of the last week against the sample export itself; the
// workbook and the deck read back cell for cell against the seed; the CLI's report equal
// to the API's; and both documents rendered by LibreOffice headless to PDF (ru-RU, a
// profile of its own per run), then read with poppler: the regional sheet one landscape
// page with every week label and every header whole above the data, the deck's text
// holding every seed header and week label; the ministry's name at the head of every page
// and slide, the МОУО sheet printed at 8 pt or more, and every target line of the chart
// drawn with a dash of its own (pdftocairo's SVG of the slide).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { handleApiRequest } from '../../../shared/api/app.ts';
import { InactiveSchoolsBody } from '../../../shared/api/views.ts';
import { HEADER_ROW, SHEET_NAMES } from '../../../shared/formats/xlsx/report.ts';
import { parseCsv } from '../../support/csv.ts';
import { apiDeps, KEYS, loadSamples, type SampleStore } from '../../support/api.ts';
import { shown, tableCells } from '../../support/read-back.ts';
import { seedTable } from '../../support/seed-document.ts';
import { REPO_ROOT as root } from '../../support/paths.ts';


let store: SampleStore;
let deps: ReturnType<typeof apiDeps>;
let work: string;

beforeAll(async () => {
  store = await loadSamples();
  deps = apiDeps(store.env.dbPath);
  work = mkdtempSync(join(tmpdir(), 'sp-report-'));
}, 120_000);

afterAll(async () => {
  deps?.read.close();
  await store?.env[Symbol.asyncDispose]();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function download(route: string): Promise<Buffer> {
  const r = await get(`/v1/regions/26/${route}`);
  expect(r.statusCode, route).toBe(200);
  return Buffer.from(r.body, 'base64');
}

const get = (path: string, query: Record<string, string> = {}) =>
  handleApiRequest({ method: 'GET', path, query, headers: { 'x-api-key': KEYS.reader }, requestId: null }, deps);

const LAST_WEEK = '07a_schools_03.04-07.04.2023.csv';

/**
 * The last week's schools export as its bytes say (municipality, name, INN, the two flags),
 * without the rows the manifest plants as bad (file row numbers, the header is row 1).
 */
function lastWeekExport() {
  const manifest = JSON.parse(readFileSync(`${root}events/samples/manifest.json`, 'utf8')) as { files: { name: string; bad_rows: { row: number }[] }[] };
  const bad = new Set(manifest.files.find((f) => f.name === LAST_WEEK)!.bad_rows.map((b) => b.row));
  const [header, ...rows] = parseCsv(readFileSync(`${root}events/samples/${LAST_WEEK}`, 'utf8').replace(/^\uFEFF/, ''));
  const col = (name: string) => header!.indexOf(name);
  const [mo, name, inn, inSferum, active] = ['МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен'].map(col);
  return rows
    .filter((r, i) => r.length > 1 && !bad.has(i + 2))
    .map((r) => ({ mo: r[mo!]!, name: r[name!]!, inn: r[inn!]!, inSferum: r[inSferum!] === 'да', active: r[active!] === 'да' }));
}

describe('inactive schools over the samples', () => {
  test('the last week lists exactly the export\'s schools not in Sferum or with an inactive administrator', async () => {
    const r = await get('/v1/regions/26/inactive-schools');
    expect(r.statusCode).toBe(200);
    const body = InactiveSchoolsBody.parse(JSON.parse(r.body));
    expect(body.period.label).toBe('03.04-07.04.2023');
    const exported = lastWeekExport();
    const expected = exported
      .filter((s) => !s.inSferum || !s.active)
      .map((s) => `${s.mo}|${s.name}|${s.inn}|${s.inSferum ? 'admin_inactive' : 'not_in_sferum'}`)
      .sort();
    expect(body.schools.map((s) => `${s.municipality.name}|${s.school_name}|${s.school_inn}|${s.reason}`).sort()).toEqual(expected);
    // the seed's figures for that week: 618 of 626 in Sferum, 50 of them inactive
    expect(body.schools.filter((s) => s.reason === 'admin_inactive')).toHaveLength(50);
    expect(body.schools.filter((s) => s.reason === 'not_in_sferum')).toHaveLength(626 - 618);
    expect(body.municipalities.reduce((n, m) => n + m.admin_inactive + m.not_in_sferum, 0)).toBe(body.schools.length);
  });

  test('an earlier week is picked by its start date; the CSV holds the same schools', async () => {
    const json = InactiveSchoolsBody.parse(JSON.parse((await get('/v1/regions/26/inactive-schools', { from: '2023-03-06', to: '2023-03-06' })).body));
    expect(json.period.label).toBe('06.03-10.03.2023');
    const csv = await get('/v1/regions/26/inactive-schools', { from: '2023-03-06', to: '2023-03-06', format: 'csv' });
    const rows = parseCsv(csv.body.replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
    // a CSV keeps its columns for the programs that read it, КПП empty where the samples carry none
    expect(rows[0]).toEqual(['МОУО', 'Наименование ОО', 'ИНН', 'КПП', 'Причина']);
    expect(rows.slice(1).map((r) => r[2])).toEqual(json.schools.map((s) => s.school_inn));
  });
});

describe('the documents over the samples', () => {
  test('the workbook\'s regional sheet reproduces the seed\'s table cell for cell', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download('report.xlsx')) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet(SHEET_NAMES.regional)!;
    const seed = seedTable();
    const got = seed.map((_, j) => Array.from({ length: 16 }, (_, i) => shown(ws.getRow(HEADER_ROW + j).getCell(i + 1))));
    expect(got).toEqual(seed);
    expect(wb.getWorksheet('Неактивные ОО')!.rowCount).toBe(HEADER_ROW + 58 + 2);
  });

  test('the deck\'s slide table reproduces the seed\'s table cell for cell', async () => {
    const zip = await JSZip.loadAsync(await download('report.pptx'));
    expect(tableCells(await zip.file('ppt/slides/slide1.xml')!.async('string'))).toEqual(seedTable());
  });

  test('the CLI\'s report runs the same use case: its CSV is the API\'s, byte for byte', async () => {
    const api = (await get('/v1/regions/26/report.csv', { from: '2023-03-01' })).body;
    const cli = spawnSync(process.execPath, ['bin/sferum-pulse.js', 'report', '--format', 'csv', '--from', '2023-03-01', '--data-dir', dirname(store.env.dbPath)], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toBe(api);
    expect(parseCsv(cli.stdout.replace(/^\uFEFF/, '')).filter((r) => r.length > 1)).toHaveLength(1 + 5);
  }, 60_000);
});

type Word = { text: string; x0: number; y0: number; x1: number; y1: number };

/** The words of one PDF page with their boxes (pdftotext -bbox), in reading order. */
function words(pdf: string, page: number): Word[] {
  const html = execFileSync('pdftotext', ['-bbox', '-f', String(page), '-l', String(page), pdf, '-'], { encoding: 'utf8' });
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    x0: Number(m[1]), y0: Number(m[2]), x1: Number(m[3]), y1: Number(m[4]),
    text: m[5]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"'),
  }));
}

const pages = (pdf: string) => {
  const info = execFileSync('pdfinfo', ['-f', '1', '-l', '999', pdf], { encoding: 'utf8' });
  return [...info.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)/gm)].map((m) => ({ w: Number(m[1]), h: Number(m[2]) }));
};

const sorted = (xs: string[]) => [...xs].sort();

/** The bottom of the subtitle line (which names the first and last week too). */
const subtitleBottom = (page: Word[]) => Math.max(...page.filter((w) => w.text === 'сформировано').map((w) => w.y1));
/** A week label in the table: below the subtitle. */
const labelCell = (page: Word[], label: string) => page.find((w) => w.text === label && w.y0 > subtitleBottom(page));

const MINISTRY = 'Министерство образования Ставропольского края';

describe('LibreOffice renders the documents', () => {
  let workbookPdf: string;
  let deckPdf: string;

  beforeAll(async () => {
    const soffice = spawnSync('soffice', ['--version'], { encoding: 'utf8' });
    if (soffice.error) throw new Error('this test renders with LibreOffice: install the Debian packages libreoffice-calc, libreoffice-impress and poppler-utils');
    writeFileSync(join(work, 'workbook.xlsx'), await download('report.xlsx'));
    writeFileSync(join(work, 'deck.pptx'), await download('report.pptx'));
    // a profile of its own, so parallel runs never share (or lock) one; ru-RU shows the seed's number formats
    const profile = mkdtempSync(join(tmpdir(), 'sp-lo-profile-'));
    try {
      const r = spawnSync('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', work, join(work, 'workbook.xlsx'), join(work, 'deck.pptx')], {
        encoding: 'utf8',
        timeout: 90_000,
        env: { ...process.env, LC_ALL: 'ru_RU.UTF-8', LANG: 'ru_RU.UTF-8' },
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
    workbookPdf = join(work, 'workbook.pdf');
    deckPdf = join(work, 'deck.pdf');
  }, 120_000);

  test('the regional sheet is one landscape page: the next page is the municipalities\' sheet', () => {
    const all = pages(workbookPdf);
    expect(all[0]!.w).toBeGreaterThan(all[0]!.h);
    // under the page header (the ministry's name, 4 words)
    expect(words(workbookPdf, 1).slice(4, 10).map((w) => w.text).join(' ')).toBe('Активность по ОО, МОУО СК в');
    expect(words(workbookPdf, 2).slice(4, 7).map((w) => w.text).join(' ')).toBe('Показатели МОУО за');
    for (const p of all) expect(p.w).toBeGreaterThan(p.h);
  });

  test('every week label is whole on the regional page, and each row reads as the seed\'s', () => {
    const page = words(workbookPdf, 1);
    const [, ...rows] = seedTable();
    for (const row of rows) {
      const label = labelCell(page, row[0]!);
      expect(label, row[0]).toBeDefined();
      // the words on the label's line, left to right, as one line of text (NBSP is the ru-RU group separator)
      const line = page.filter((w) => Math.abs(w.y0 - label!.y0) < 2).sort((a, b) => a.x0 - b.x0).map((w) => w.text).join(' ').replace(/\u00A0/g, ' ');
      expect(line).toBe(row.filter((c) => c !== '').join(' '));
    }
  });

  test('every header is whole, between the subtitle and the first data row', () => {
    const page = words(workbookPdf, 1);
    const [headers, first] = seedTable();
    const top = subtitleBottom(page);
    const dataTop = labelCell(page, first![0]!)!.y0;
    const band = page.filter((w) => w.y0 >= top && w.y1 <= dataTop).map((w) => w.text);
    expect(sorted(band)).toEqual(sorted(headers!.flatMap((h) => h.split(/\s+/))));
  });

  test('the deck is two 16:9 slides whose text holds every seed header and week label', () => {
    const all = pages(deckPdf);
    expect(all).toHaveLength(2);
    expect(all[0]!.w / all[0]!.h).toBeCloseTo(16 / 9, 2);
    const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', deckPdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    const [headers, ...rows] = seedTable();
    for (const h of headers!) expect(text, h).toContain(h);
    for (const r of rows) expect(text, r[0]).toContain(r[0]);
    expect(text).toContain('администратор не зашел на платформу, не провел работы по созданию структуры организации');
  });

  test('every page of the workbook and both slides are headed by the ministry\'s name', () => {
    const count = pages(workbookPdf).length;
    expect(count).toBeGreaterThanOrEqual(4);
    for (let p = 1; p <= count; p++) {
      const top = words(workbookPdf, p).slice(0, 4);
      expect(top.map((w) => w.text).join(' '), `workbook page ${p}`).toBe(MINISTRY);
      // above everything else on the page
      expect(Math.max(...top.map((w) => w.y1)), `workbook page ${p}`).toBeLessThanOrEqual(Math.min(...words(workbookPdf, p).slice(4).map((w) => w.y0)));
    }
    for (const p of [1, 2]) expect(execFileSync('pdftotext', ['-f', String(p), '-l', String(p), deckPdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' '), `slide ${p}`).toContain(MINISTRY);
  });

  test('the МОУО sheet prints at 8 pt or more (two pages wide), its name column on each page', () => {
    // a glyph box's height per point of font size, from the slide's 22 pt heading (a slide prints at 100 %)
    const heading = words(deckPdf, 1).find((w) => w.text === 'Активность')!;
    const perPoint = (heading.y1 - heading.y0) / 22;
    const municipal = pages(workbookPdf)
      .map((_, i) => i + 1)
      .filter((p) => words(workbookPdf, p).some((w) => w.text === 'МОУО') && !words(workbookPdf, p).some((w) => w.text === 'Неактивные' || w.text === 'Активность'));
    expect(municipal.length).toBeGreaterThanOrEqual(2);
    for (const p of municipal) {
      const names = words(workbookPdf, p).filter((w) => w.text === 'муниципальный');
      expect(names.length, `page ${p}`).toBeGreaterThan(2);
      for (const w of names) expect((w.y1 - w.y0) / perPoint, `page ${p}`).toBeGreaterThanOrEqual(8);
    }
  });

  test('every target line is drawn, each with its own dash, and named in the legend', () => {
    const svg = join(work, 'slide1.svg');
    execFileSync('pdftocairo', ['-svg', '-f', '1', '-l', '1', deckPdf, svg]);
    const dashes = new Set([...readFileSync(svg, 'utf8').matchAll(/stroke-dasharray:([\d.,]+)/g)].map((m) => m[1]));
    // three targets in the seed's range: «≥1 чат» 35 %, «≥3 сообщений» 25 %, «≥10 сообщений» 35 %
    expect(dashes.size).toBe(3);
    const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', deckPdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const name of ['Цель ≥35%: % педагогов, создавших ≥1 чат', 'Цель ≥25%:', 'Цель ≥35%: % педагогов, написавших ≥10']) expect(text).toContain(name);
  });
});
