// Integration (issues 20 and 23): the documents of a week that is not final. The bundled
// samples loaded by the real ingest and aggregate handlers into one SQLite file, then one
// municipality of 33 uploads a new week (10.04–14.04.2023, the sample week 27.03–31.03
// re-dated): the documents' default range stays on the latest complete week; asked for up to
// the new week, the CSV gains «Полнота данных» with the week's label, the workbook's row is
// italic with the label as a note and listed under the table, and the slide marks the week
// «*» with the label above the footnote — through the API's report routes.
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { aggregateHandler } from '../../../functions/aggregate/handler.ts';
import { handleApiRequest } from '../../../shared/api/app.ts';
import { COMPLETENESS_HEADER } from '../../../shared/formats/csv/report.ts';
import { HEADER_ROW, SHEET_NAMES } from '../../../shared/formats/xlsx/report.ts';
import { CollectingSink } from '../../support/aggregate.ts';
import { apiDeps, KEYS, loadSamples, queueEvent, type SampleStore } from '../../support/api.ts';
import { parseCsv } from '../../support/csv.ts';
import { functionContext } from '../../support/events.ts';
import { ingestFile } from '../../support/ingest-file.ts';
import { REPO_ROOT as root } from '../../support/paths.ts';

const LABEL = 'предварительно: 1 из 33 МОУО';
const WEEK = '10.04-14.04.2023';

let store: SampleStore;
let api: ReturnType<typeof apiDeps>;

/** Александровский's schools of the sample week 27.03–31.03, re-dated to the new week. */
function alexandrovsky(): string {
  const [header, ...rows] = readFileSync(`${root}events/samples/06a_schools_27.03-31.03.2023.csv`, 'utf8').replaceAll('27.03-31.03.2023', WEEK).trimEnd().split('\r\n');
  return `${[header, ...rows.filter((r) => r.split(';')[1]!.startsWith('Александровск'))].join('\r\n')}\r\n`;
}

beforeAll(async () => {
  store = await loadSamples();
  const { changes } = await ingestFile(store.env, `uploads/26/alexandrovsky_${WEEK}.csv`, alexandrovsky());
  for (const [i, c] of changes.entries()) await aggregateHandler(queueEvent([c], `pd-${i}`), functionContext(), { ...store.aggregateDeps, sink: new CollectingSink() });
  api = apiDeps(store.env.dbPath);
}, 180_000);

afterAll(async () => {
  api?.read.close();
  await store?.env[Symbol.asyncDispose]();
});

const get = async (route: string, query: Record<string, string> = {}) => {
  const r = await handleApiRequest({ method: 'GET', path: `/v1/regions/26/${route}`, query, headers: { 'x-api-key': KEYS.reader }, requestId: null }, api);
  expect(r.statusCode, route).toBe(200);
  return r;
};

describe('a provisional week in the documents', () => {
  test('the default range ends at the latest complete week: the CSV is the seed\'s table, no mark', async () => {
    const rows = parseCsv((await get('report.csv')).body.replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
    expect(rows.at(-1)![0]).toBe('03.04-07.04.2023');
    expect(rows[0]).not.toContain(COMPLETENESS_HEADER);
  });

  test('asked for, the week is in the CSV with its label in «Полнота данных»', async () => {
    const rows = parseCsv((await get('report.csv', { to: '2023-04-10' })).body.replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
    expect(rows[0]!.at(-1)).toBe(COMPLETENESS_HEADER);
    expect(rows.at(-1)![0]).toBe(WEEK);
    expect(rows.at(-1)!.at(-1)).toContain(LABEL);
    expect(rows.at(-2)!.at(-1)).toBe('');
  });

  test('the workbook: the week\'s row italic with the label as its note, the label under the table, the МОУО sheet\'s title says it', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from((await get('report.xlsx', { to: '2023-04-10' })).body, 'base64') as unknown as ArrayBuffer);
    const ws = wb.getWorksheet(SHEET_NAMES.regional)!;
    const rows = 8;
    const row = ws.getRow(HEADER_ROW + rows);
    expect(row.getCell(1).value).toBe(WEEK);
    expect(String(row.getCell(1).note)).toContain(LABEL);
    expect(row.getCell(2).font.italic).toBe(true);
    expect(ws.getRow(HEADER_ROW + rows - 1).getCell(2).font.italic).toBeFalsy();
    expect(String(ws.getCell(`A${HEADER_ROW + rows + 2}`).value)).toContain(`* ${WEEK} — ${LABEL}`);
    expect(String(wb.getWorksheet(SHEET_NAMES.municipal)!.getCell('A1').value)).toContain(`Показатели МОУО за ${WEEK} (${LABEL}`);
  });

  test('the deck: the week marked «*» in the slide\'s table, its label above the footnote', async () => {
    const zip = await JSZip.loadAsync(Buffer.from((await get('report.pptx', { to: '2023-04-10' })).body, 'base64'));
    const slide = await zip.file('ppt/slides/slide1.xml')!.async('string');
    expect(slide).toContain(`${WEEK} *`);
    expect(slide).toContain(`* ${WEEK} — ${LABEL}`);
  });
});
