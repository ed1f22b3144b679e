// Unit: what the documents say about figures that are not final or not whole — a week's
// completeness note (issue 20) on its row, a share's data coverage (issue 21) beside it —
// and the standings' ties as one tier («5 МОУО на 0,000 %»), in the model and in the CSV.
import { describe, expect, test } from 'vitest';
import type { Evaluation } from '../../../shared/domain/evaluate.ts';
import { coverageNote, furthestFromTargets, organisationOf, regionalTable, reportDocument } from '../../../shared/domain/report.ts';
import type { Completeness } from '../../../shared/domain/schemas.ts';
import { defaultTargets } from '../../../shared/domain/targets.ts';
import { renderCsv, COMPLETENESS_HEADER } from '../../../shared/formats/csv/report.ts';
import { renderReportPptx, standingsText } from '../../../shared/formats/pptx/report.ts';
import { HEADER_ROW, renderReportXlsx, SHEET_NAMES } from '../../../shared/formats/xlsx/report.ts';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { parseCsv } from '../../support/csv.ts';
import { seedValues } from '../../support/seed-document.ts';

const provisional: Completeness = {
  complete: false,
  state: 'provisional',
  label: 'предварительно: 1 из 33 МОУО',
  schools: { expected: 33, reported: 1, missing: [] },
  municipalities: { expected: 33, reported: 1, missing: [] },
};
const complete: Completeness = { ...provisional, complete: true, state: 'complete', label: null };

describe('completeness and coverage in the regional table', () => {
  const weeks = seedValues();
  const table = regionalTable(weeks.map((w, i) => ({ ...w, completeness: i === weeks.length - 1 ? provisional : complete, data_coverage: i === 0 ? { teachers_chat_creators_share: 0.874 } : {} })));

  test('a provisional week\'s row carries its label; complete weeks none', () => {
    expect(table.rowNotes).toEqual([...weeks.slice(1).map(() => null), 'предварительно: 1 из 33 МОУО']);
  });

  test('a share below full coverage says so, rounded down; full or unknown coverage says nothing', () => {
    const chat = table.headers.indexOf('Кол-во педагогов, создавших как минимум 1 чат в Сфере (с 01.09.2022)');
    expect(coverageNote(table.rows[0]![chat]!)).toBe('охват данных 87 %');
    expect(coverageNote(table.rows[1]![chat]!)).toBeNull();
    expect(coverageNote({ kind: 'share', value: 0.5, decimals: 3, coverage: 0.996 })).toBe('охват данных 99 %');
    expect(coverageNote({ kind: 'share', value: 0.5, decimals: 3, coverage: 1 })).toBeNull();
  });

  test('the CSV gains a last column «Полнота данных» only when a row is not final', () => {
    const rows = parseCsv(renderCsv(table).slice(1)).filter((r) => r.length > 1);
    expect(rows[0]!.at(-1)).toBe(COMPLETENESS_HEADER);
    expect(rows.at(-1)!.at(-1)).toBe('предварительно: 1 из 33 МОУО');
    expect(rows[1]!.at(-1)).toBe('Кол-во педагогов, создавших как минимум 1 чат в Сфере (с 01.09.2022): охват данных 87 %');
    expect(rows[2]!.at(-1)).toBe('');
    const final = regionalTable(weeks.map((w) => ({ ...w, completeness: complete })));
    expect(parseCsv(renderCsv(final).slice(1))[0]).not.toContain(COMPLETENESS_HEADER);
  });

  test('the document lists the weeks that are not final, and names the organisation', () => {
    const doc = reportDocument({
      region: { code: '26', name: 'Ставропольский край', municipalities: [] },
      regionRows: weeks.map((w) => ({ scope: { level: 'region', id: '26', name: 'Ставропольский край' }, period: w.period, has_export: true, values: w.values, missing: {}, data_coverage: {}, warnings: [] }) as never),
      last: null,
      targets: defaultTargets().config,
      generatedAt: new Date('2023-04-10T09:00:00Z'),
      completeness: (p) => (p.start === weeks.at(-1)!.period.start ? { ...provisional, state: 'incomplete', label: 'неполные данные: нет выгрузок Александровский муниципальный округ' } : complete),
    });
    expect(doc.notes).toEqual(['03.04-07.04.2023 — неполные данные: нет выгрузок Александровский муниципальный округ']);
    expect(doc.organisation).toBe('Министерство образования Ставропольского края');
    expect(doc.subtitle.startsWith('Министерство образования Ставропольского края · Ставропольский край · недели')).toBe(true);
    expect(organisationOf('77')).toBeNull();
  });
});

describe('the workbook and the deck mark a week that is not final, and a share\'s coverage', () => {
  const weeks = seedValues();
  const doc = reportDocument({
    region: { code: '26', name: 'Ставропольский край', municipalities: [] },
    regionRows: weeks.map((w, i) => ({ scope: { level: 'region', id: '26', name: 'Ставропольский край' }, period: w.period, has_export: true, values: w.values, missing: {}, data_coverage: i === 1 ? { teachers_chat_creators_share: 0.5 } : {}, warnings: [] }) as never),
    last: null,
    targets: defaultTargets().config,
    generatedAt: new Date('2023-04-10T09:00:00Z'),
    completeness: (p) => (p.start === weeks.at(-1)!.period.start ? provisional : complete),
  });

  test('XLSX: the row in italics on a pale ground with a note, the note listed under the table, the coverage in the share\'s format', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderReportXlsx(doc)) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet(SHEET_NAMES.regional)!;
    const last = ws.getRow(HEADER_ROW + weeks.length);
    expect(last.getCell(1).value).toBe('03.04-07.04.2023');
    expect(last.getCell(1).note).toBe('предварительно: 1 из 33 МОУО');
    expect(last.getCell(2).font.italic).toBe(true);
    expect(ws.getRow(HEADER_ROW + 1).getCell(2).font.italic).toBeFalsy();
    expect(ws.getCell(`A${HEADER_ROW + weeks.length + 2}`).value).toBe('* 03.04-07.04.2023 — предварительно: 1 из 33 МОУО');
    const chat = doc.regional.headers.indexOf('Кол-во педагогов, создавших как минимум 1 чат в Сфере (с 01.09.2022)') + 1;
    expect(ws.getRow(HEADER_ROW + 2).getCell(chat).numFmt).toBe('0.000%" (охват данных 50 %)"');
    expect(typeof ws.getRow(HEADER_ROW + 2).getCell(chat).value).toBe('number');
  });

  test('PPTX: the week marked «*» in the table, the note above the footnote, the coverage beside the share', async () => {
    const zip = await JSZip.loadAsync(await renderReportPptx(doc));
    const slide = await zip.file('ppt/slides/slide1.xml')!.async('string');
    expect(slide).toContain('03.04-07.04.2023 *');
    expect(slide).toContain('* 03.04-07.04.2023 — предварительно: 1 из 33 МОУО');
    expect(slide).toContain('охват данных 50 %');
  });
});

describe('standings: ties are one tier', () => {
  const cfg = defaultTargets().config;
  const target = { id: 'teachers_chat_creators', metric: 'teachers_chat_creators_share' as const, op: '>=' as const, threshold: 0.35, due: '2023-09-01' };
  const e = (name: string, value: number | null): Evaluation => ({ scope: { level: 'municipality', id: name, name }, target, status: 'breach', value, inhibited: false }) as unknown as Evaluation;

  test('five at 0,000 % are «5 МОУО на 0,000 %», not the first five of the alphabet as the furthest', () => {
    const [s] = furthestFromTargets([e('Д', 0), e('Б', 0), e('А', 0), e('Г', 0), e('В', 0), e('Е', 0), e('Ж', 0.1), e('З', 0.4)], cfg, '26');
    expect(s!.tiers).toEqual([{ value: 0, names: ['А', 'Б', 'В', 'Г', 'Д', 'Е'] }]);
    expect(standingsText(s!)).toBe('6 МОУО на 0,000%: А, Б, В, Г, Д, Е');
  });

  test('distinct values are named one by one, whole tiers until five municipalities', () => {
    const [s] = furthestFromTargets([e('А', 0.01), e('Б', 0.02), e('В', 0.03), e('Г', 0.03), e('Д', 0.04), e('Е', 0.05), e('Ж', 0.06)], cfg, '26');
    expect(standingsText(s!)).toBe('А — 1,000%\nБ — 2,000%\n2 МОУО на 3,000%: В, Г\nД — 4,000%');
  });
});
