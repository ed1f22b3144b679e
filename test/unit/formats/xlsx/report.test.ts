// Unit: the ministry's workbook, read back twice — its XML as written (page setup, print
// titles, frozen panes, merged title, number formats) and its cells through exceljs (the
// seed's table cell for cell once each cell is shown in its own display format).
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, test } from 'vitest';
import { REGIONAL_COLUMNS, REGIONAL_TABLE_TITLE } from '../../../../shared/domain/report.ts';
import { HEADER_ROW, NUM_FMT, renderReportXlsx, SHEET_NAMES, STATUS_FILL, wrappedLines } from '../../../../shared/formats/xlsx/report.ts';
import { shown } from '../../../support/read-back.ts';
import { seedDocument, seedTable } from '../../../support/seed-document.ts';

const bytes = await renderReportXlsx(seedDocument());
const zip = await JSZip.loadAsync(bytes);
const xml = (name: string) => zip.file(name)!.async('string');
const wb = new ExcelJS.Workbook();
await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);

describe('the workbook', () => {
  test('three sheets with short names: the regional table, the municipalities, «Неактивные ОО»', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual([SHEET_NAMES.regional, SHEET_NAMES.municipal, 'Неактивные ОО']);
    for (const w of wb.worksheets) expect(w.name.length).toBeLessThanOrEqual(31);
  });

  test('every sheet prints landscape on A4, one page wide (the МОУО sheet two, its first column repeated) and as many down as needed, the header row repeated, the ministry at the head of each page', async () => {
    const book = await xml('xl/workbook.xml');
    for (const [i, name] of wb.worksheets.map((w) => w.name).entries()) {
      const sheet = await xml(`xl/worksheets/sheet${i + 1}.xml`);
      expect(sheet, name).toMatch(/<sheetPr[^>]*>\s*<pageSetUpPr fitToPage="1"\/>/);
      const setup = /<pageSetup [^>]*\/>/.exec(sheet)![0];
      expect(setup, name).toContain('orientation="landscape"');
      expect(setup, name).toContain('paperSize="9"');
      expect(setup, name).toContain(name === SHEET_NAMES.municipal ? 'fitToWidth="2"' : 'fitToWidth="1"');
      expect(sheet, name).toContain('<oddHeader>&amp;C&amp;&quot;Arial,Bold&quot;&amp;9Министерство образования Ставропольского края</oddHeader>');
      expect(setup, name).toContain('fitToHeight="0"');
      const columns = name === SHEET_NAMES.municipal ? `&apos;${name}&apos;!$A:$A,` : '';
      expect(book, name).toContain(`<definedName name="_xlnm.Print_Titles" localSheetId="${i}">${columns}&apos;${name}&apos;!$${HEADER_ROW}:$${HEADER_ROW}</definedName>`);
      expect(sheet, name).toMatch(new RegExp(`<pane [^>]*ySplit="${HEADER_ROW}"[^>]*state="frozen"`));
    }
  });

  test('the regional sheet: a merged title and subtitle above the seed\'s 16 headers, wrapped, in a row tall enough for them', async () => {
    const ws = wb.getWorksheet(SHEET_NAMES.regional)!;
    expect(ws.getCell('A1').value).toBe(REGIONAL_TABLE_TITLE);
    expect(ws.getCell('A2').value).toBe('Министерство образования Ставропольского края · Ставропольский край · недели 20.02-22.02.2023 – 03.04-07.04.2023 · сформировано 10.04.2023 12:00 (МСК)');
    const sheet = await xml('xl/worksheets/sheet1.xml');
    expect(sheet).toContain('<mergeCell ref="A1:P1"/>');
    expect(sheet).toContain('<mergeCell ref="A2:P2"/>');
    const header = ws.getRow(HEADER_ROW);
    expect(REGIONAL_COLUMNS.map((_, i) => header.getCell(i + 1).value)).toEqual(REGIONAL_COLUMNS.map((c) => c.header));
    for (let i = 1; i <= 16; i++) expect(header.getCell(i).alignment?.wrapText, `column ${i}`).toBe(true);
    const lines = Math.max(...REGIONAL_COLUMNS.map((c, i) => wrappedLines(c.header, Math.floor(ws.getColumn(i + 1).width! / 1.2) - 1)));
    expect(lines).toBeGreaterThanOrEqual(3);
    expect(header.height).toBeGreaterThanOrEqual(lines * 13);
    // column A holds a whole week label, year included
    expect(ws.getColumn(1).width).toBeGreaterThanOrEqual('20.02-22.02.2023'.length + 1);
  });

  test('numeric cells carry the seed\'s formats per column; no data is an empty cell', () => {
    const ws = wb.getWorksheet(SHEET_NAMES.regional)!;
    const first = ws.getRow(HEADER_ROW + 1);
    REGIONAL_COLUMNS.forEach((c, i) => {
      const cell = ws.getRow(HEADER_ROW + 2).getCell(i + 1);
      if (c.kind === 'period') expect(cell.type).toBe(ExcelJS.ValueType.String);
      else {
        expect(cell.type, c.header).toBe(ExcelJS.ValueType.Number);
        expect(cell.numFmt, c.header).toBe(c.kind === 'count' ? NUM_FMT.count : c.decimals === 2 ? NUM_FMT.share2 : NUM_FMT.share3);
      }
    });
    expect(first.getCell(6).value).toBe(17218);
    expect(first.getCell(14).value).toBe(3666 / 17218);
    expect(first.getCell(16).value).toBeNull();
  });

  test('the regional sheet reproduces the seed\'s table cell for cell, and its footnote', () => {
    const ws = wb.getWorksheet(SHEET_NAMES.regional)!;
    const [headers, ...rows] = seedTable();
    const got = rows.map((_, j) => Array.from({ length: 16 }, (_, i) => shown(ws.getRow(HEADER_ROW + 1 + j).getCell(i + 1))));
    expect(got).toEqual(rows);
    expect(Array.from({ length: 16 }, (_, i) => shown(ws.getRow(HEADER_ROW).getCell(i + 1)))).toEqual(headers);
    expect(ws.getCell(`A${HEADER_ROW + rows.length + 2}`).value).toBe('МОУО не активно в Сфере и Школ не активно в Сфере - администратор не зашел на платформу, не провел работы по созданию структуры организации');
  });

  test('the municipal sheet is the last week\'s, one row a municipality with that week\'s evaluations', () => {
    const ws = wb.getWorksheet(SHEET_NAMES.municipal)!;
    expect(ws.getCell('A1').value).toBe('Показатели МОУО за 03.04-07.04.2023');
    const col = (h: string) => (ws.getRow(HEADER_ROW).values as unknown[]).indexOf(h);
    const names = [1, 2, 3].map((j) => ws.getRow(HEADER_ROW + j).getCell(1).value);
    expect(names).toEqual(['Александровский муниципальный округ', 'Будённовский муниципальный округ', 'Курский муниципальный округ']);
    const status = (title: string) => [1, 2, 3].map((j) => ws.getRow(HEADER_ROW + j).getCell(col(`Цель: ${title}`)).value);
    // before the KPI due date without a trend: in progress; the registration target is past due
    expect(status('Доля учителей, создавших минимум 1 групповой чат')).toEqual(['в процессе', 'нет данных (нет выгрузки)', 'в процессе']);
    expect(status('Регистрация 100% школ субъекта РФ в «Сферум»')).toEqual(['нарушение', 'нет данных (нет выгрузки)', 'достигнута']);
    expect(ws.getRow(HEADER_ROW + 2).getCell(2).value).toBe('нет');
    // each status in the dashboard's colour, printed
    const fills = [1, 2, 3].map((j) => (ws.getRow(HEADER_ROW + j).getCell(col('Цель: Регистрация 100% школ субъекта РФ в «Сферум»')).fill as ExcelJS.FillPattern).fgColor?.argb);
    expect(fills).toEqual([STATUS_FILL.breach, STATUS_FILL.no_data, STATUS_FILL.met]);
  });

  test('«Неактивные ОО»: the last week\'s schools by municipality, INN as text', () => {
    const ws = wb.getWorksheet('Неактивные ОО')!;
    expect(ws.getCell('A1').value).toBe('Неактивные ОО за 03.04-07.04.2023');
    // no school of the week has a КПП: no КПП column
    expect(ws.getRow(HEADER_ROW).values).toEqual([undefined, 'МОУО', 'Наименование ОО', 'ИНН', 'Причина']);
    const rows = [1, 2, 3].map((j) => [1, 2, 3, 4].map((i) => ws.getRow(HEADER_ROW + j).getCell(i).value));
    expect(rows).toEqual([
      ['Александровский муниципальный округ', '=МКОУ СОШ № 3', '2601000003', 'не зарегистрирована в Сфере'],
      ['Будённовский муниципальный округ', 'МКОУ СОШ № 4', '2624000004', 'администратор не зашел на платформу'],
      ['Курский муниципальный округ', 'МБОУ СОШ № 2', '0614000002', 'администратор не зашел на платформу'],
    ]);
    // a leading zero survives and a name starting with = is a string, not a formula
    expect(ws.getRow(HEADER_ROW + 3).getCell(3).type).toBe(ExcelJS.ValueType.String);
    expect(ws.getRow(HEADER_ROW + 1).getCell(2).type).toBe(ExcelJS.ValueType.String);
  });

  test('wrappedLines wraps by words, a word longer than the width taking several lines', () => {
    expect(wrappedLines('Школ не активно в Сфере', 10)).toBe(3);
    expect(wrappedLines('Неделя', 10)).toBe(1);
    expect(wrappedLines('абвгдеёжзийклмн', 5)).toBe(3);
  });
});
