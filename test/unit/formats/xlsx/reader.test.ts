// readXlsx: every sheet as a RawTable, cell value mapping, Cyrillic across inflate
// chunks, header search and numbering, limits, and contained parser errors.
import { describe, expect, test } from 'vitest';
import { InputError, IssueCode } from '../../../../shared/domain/errors.ts';
import type { RawTable } from '../../../../shared/formats/raw-table.ts';
import { readXlsx } from '../../../../shared/formats/xlsx/reader.ts';
import { allRows, buildZip, inlineRow, SHEET_CLOSE, SHEET_OPEN, thrown, workbook as book, xlsxParts } from '../../../support/xlsx-fixtures.ts';

const FILE = 'uploads/26/book.xlsx';

async function tables(bytes: Uint8Array, limits?: Parameters<typeof readXlsx>[1]['limits']) {
  const out: { table: RawTable; rows: Awaited<ReturnType<typeof allRows>> }[] = [];
  for await (const table of readXlsx(bytes, { file: FILE, limits })) out.push({ table, rows: await allRows(table) });
  return out;
}

describe('readXlsx', () => {
  test('maps numbers, text, rich text, formulas, dates, booleans and errors to plain values', async () => {
    // Prepare
    const date = new Date(Date.UTC(2023, 2, 6));
    const bytes = await book((wb) => {
      const ws = wb.addWorksheet('Школы');
      ws.addRow(['Число', 'Текст', 'Rich', 'Формула', 'Дата', 'Да/Нет', 'Ошибка', 'Текстовая формула']);
      ws.addRow([17218, 'МБОУ СОШ № 1', null, null, date, true, null, null]);
      ws.getCell('C2').value = { richText: [{ text: 'Лицей ' }, { font: { bold: true }, text: '№ 5' }] };
      ws.getCell('D2').value = { formula: 'A2*2', result: 34436 };
      ws.getCell('G2').value = { error: '#N/A' };
      ws.getCell('H2').value = { formula: 'B2', result: 'МБОУ СОШ № 1' };
      ws.addRow([1, 'б']);
      ws.getCell('C3').value = { error: '#DIV/0!' };
      ws.getCell('D3').value = { formula: 'A3/0' };
    });
    // Act
    const [sheet] = await tables(bytes);
    // Assess
    expect(sheet?.table.sheet).toBe('Школы');
    expect(sheet?.rows).toEqual([
      { row: 2, cells: [17218, 'МБОУ СОШ № 1', 'Лицей № 5', 34436, date, true, null, 'МБОУ СОШ № 1'], unreadable: [{ index: 6, cell: 'G2', why: 'holds the error #N/A' }] },
      {
        row: 3,
        cells: [1, 'б', null, null],
        unreadable: [
          { index: 2, cell: 'C3', why: 'holds the error #DIV/0!' },
          { index: 3, cell: 'D3', why: 'holds a formula without a calculated value (open and save the file in Excel)' },
        ],
      },
    ]);
  });

  test('Cyrillic shared strings larger than an inflate chunk arrive undamaged', async () => {
    // exceljs alone damages about 1 name in 250 here (a character cut at a chunk edge).
    const names = Array.from({ length: 3000 }, (_, i) => `МБОУ «Средняя общеобразовательная школа № ${i}» Будённовский муниципальный округ`);
    const bytes = await book((wb) => {
      const ws = wb.addWorksheet('Лист1');
      ws.addRow(['Наименование ОО']);
      for (const n of names) ws.addRow([n]);
    });
    const [sheet] = await tables(bytes);
    const got = sheet?.rows.map((r) => r.cells[0]) ?? [];
    expect(got.filter((n) => typeof n === 'string' && n.includes('\uFFFD'))).toEqual([]);
    expect(got).toEqual(names);
  });

  for (const sharedStringsFirst of [false, true]) {
    test(`Cyrillic inline strings in a large sheet arrive undamaged (${sharedStringsFirst ? 'streamed' : 'spooled'} sheet)`, async () => {
      const names = Array.from({ length: 2000 }, (_, i) => `Школа имени Героя Советского Союза № ${i}`);
      const sheet = SHEET_OPEN + inlineRow(1, ['Наименование', 'Город']) + names.map((n, i) => inlineRow(i + 2, [n])).join('') + SHEET_CLOSE;
      const [t] = await tables(buildZip(xlsxParts({ data: sheet }, 'Лист1', { sharedStringsFirst })));
      expect(t?.table.headers).toEqual(['Наименование', 'Город']);
      expect(t?.rows.map((r) => r.cells[0])).toEqual(names);
    });
  }

  test('every sheet is a table; the header is the first non-blank row and rows keep sheet numbers', async () => {
    const bytes = await book((wb) => {
      const a = wb.addWorksheet('МОУО');
      a.getCell('A3').value = 'Муниципалитет';
      a.getCell('B3').value = 'В Сфере';
      a.getCell('A4').value = 'Шпаковский МО';
      a.getCell('B4').value = 'да';
      a.getCell('A6').value = '  ';
      a.getCell('A7').value = 'г. Ставрополь';
      wb.addWorksheet('Пустой');
      wb.addWorksheet('ОО').addRows([['ИНН'], ['2624000001']]);
    });
    const out = await tables(bytes);
    expect(out.map((t) => [t.table.sheet, t.table.headerRow, t.table.headers])).toEqual([
      ['МОУО', 3, ['Муниципалитет', 'В Сфере']],
      ['Пустой', 1, []],
      ['ОО', 1, ['ИНН']],
    ]);
    expect(out[0]?.rows).toEqual([
      { row: 4, cells: ['Шпаковский МО', 'да'] },
      { row: 7, cells: ['г. Ставрополь'] },
    ]);
    expect(out[2]?.rows).toEqual([{ row: 2, cells: ['2624000001'] }]);
  });

  test('a sheet whose rows are read in part or not at all does not stop the next sheet', async () => {
    // Prepare
    const bytes = await book((wb) => {
      wb.addWorksheet('Справка').addRows(Array.from({ length: 500 }, (_, i) => [`строка ${i}`]));
      wb.addWorksheet('Ещё').addRows(Array.from({ length: 500 }, (_, i) => [`строка ${i}`]));
      wb.addWorksheet('ОО').addRows([['ИНН'], ['2624000001']]);
    });
    // Act: skip the first sheet, read one row of the second, all of the third
    const seen: string[] = [];
    let last: unknown[] = [];
    for await (const t of readXlsx(bytes, { file: FILE })) {
      seen.push(t.sheet ?? '');
      if (t.sheet === 'Ещё') for await (const _ of t.rows) break;
      if (t.sheet === 'ОО') last = await allRows(t);
    }
    // Assess
    expect(seen).toEqual(['Справка', 'Ещё', 'ОО']);
    expect(last).toEqual([{ row: 2, cells: ['2624000001'] }]);
  });

  test('hostile headers are plain strings and Object.prototype is untouched', async () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const bytes = await book((wb) => wb.addWorksheet('Лист1').addRows([['__proto__', 'constructor', 'ФИО'], ['polluted', 'ctor', 'Иванова']]));
    const [t] = await tables(bytes);
    expect(t?.table.headers).toEqual(['__proto__', 'constructor', 'ФИО']);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('more data rows than xlsx.maxRows is TooManyRows naming file, sheet, row and limit', async () => {
    const bytes = await book((wb) => wb.addWorksheet('ОО').addRows(Array.from({ length: 12 }, (_, i) => [i])));
    const err = await thrown(() => tables(bytes, { xlsx: { maxRows: 10 } }));
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.TooManyRows, file: FILE, sheet: 'ОО', row: 12 });
    expect((err as InputError).issue.message).toContain('xlsx.maxRows = 10');
  });

  test('a row wider than xlsx.maxColumns is TooManyColumns; trailing empty cells do not count', async () => {
    const wide = await book((wb) => wb.addWorksheet('ОО').addRows([['a'], Array.from({ length: 65 }, (_, i) => i)]));
    const styled = await book((wb) => {
      const ws = wb.addWorksheet('ОО');
      ws.addRows([['a', 'b'], [1, 2]]);
      ws.getCell('CZ2').style = { font: { bold: true } }; // styled but empty, far right
    });
    const err = await thrown(() => tables(wide));
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.TooManyColumns, file: FILE, sheet: 'ОО', row: 2 });
    expect((err as InputError).issue.message).toContain('xlsx.maxColumns');
    expect((await tables(styled))[0]?.rows).toEqual([{ row: 2, cells: [1, 2] }]);
  });

  test('a parser error (an undefined entity) ends its sheet with an issue naming the sheet and the error', async () => {
    const sheet = SHEET_OPEN + inlineRow(1, ['ИНН', 'МОУО']) + inlineRow(2, ['1', 'а']) + '<row r="3"><c r="A3" t="inlineStr"><is><t>&undefinedentity;</t></is></c></row>' + inlineRow(4, ['2', 'б']) + SHEET_CLOSE;
    const [t] = await tables(buildZip(xlsxParts({ data: sheet }, 'МОУО')));
    expect(t?.table.headers).toEqual(['ИНН', 'МОУО']);
    expect(t?.rows[0]).toEqual({ row: 2, cells: ['1', 'а'] });
    expect(t?.rows[1]?.rejected).toMatchObject({ code: IssueCode.SheetUnreadable, file: FILE, sheet: 'МОУО', row: 3 });
    expect(t?.rows[1]?.rejected?.message).toMatch(/лист «МОУО».*undefined entity &undefinedentity;/u);
    expect(t?.rows).toHaveLength(2);
  });

  test('a cell-less spacer row (`<row r="2" ht="6" customHeight="1"/>`) is a blank row, not a crash', async () => {
    const sheet = SHEET_OPEN + inlineRow(1, ['ИНН', 'МОУО']) + '<row r="2" ht="6" customHeight="1"/><row r="3" s="2" customFormat="1"/>' + inlineRow(4, ['1', 'а']) + SHEET_CLOSE;
    const [t] = await tables(buildZip(xlsxParts({ data: sheet })));
    expect(t?.rows).toEqual([{ row: 4, cells: ['1', 'а'] }]);
  });

  test('sheet names come from workbook.xml even when it follows the sheets in the zip', async () => {
    const parts = xlsxParts({ data: SHEET_OPEN + inlineRow(1, ['ИНН']) + inlineRow(2, ['1']) + SHEET_CLOSE }, 'МОУО');
    const workbookPart = parts.find((p) => p.name === 'xl/workbook.xml')!;
    const [t] = await tables(buildZip([...parts.filter((p) => p !== workbookPart), workbookPart]));
    expect(t?.table.sheet).toBe('МОУО');
  });

  test('a merged value fills every cell of its range, in the header and in data, read before the rows', async () => {
    const sheet =
      SHEET_OPEN +
      inlineRow(1, ['Педагоги', '', 'МОУО']) +
      inlineRow(2, ['всего', 'в Сфере', '']) +
      inlineRow(3, ['10', '9', 'Курский МО']) +
      inlineRow(4, ['20', '18', '']) +
      '</sheetData><mergeCells count="3"><mergeCell ref="A1:B1"/><mergeCell ref="C1:C2"/><mergeCell ref="C3:C4"/></mergeCells></worksheet>';
    const [t] = await tables(buildZip(xlsxParts({ data: sheet })));
    expect(t?.table.headers).toEqual(['Педагоги', 'Педагоги', 'МОУО']);
    expect(t?.rows.map((r) => r.cells)).toEqual([
      ['всего', 'в Сфере', 'МОУО'],
      ['10', '9', 'Курский МО'],
      ['20', '18', 'Курский МО'],
    ]);
  });

  test('a workbook without its workbook part is a file-level UnreadableWorkbook error', async () => {
    const parts = xlsxParts({ data: SHEET_OPEN + SHEET_CLOSE }).filter((p) => p.name !== 'xl/workbook.xml');
    const err = await thrown(() => tables(buildZip(parts)));
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.UnreadableWorkbook, file: FILE });
  });

  test('the zip guard runs before the parser: a DOCTYPE is an XmlEntity error', async () => {
    const sheet = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + SHEET_OPEN.slice(SHEET_OPEN.indexOf('<worksheet')) + SHEET_CLOSE;
    const err = await thrown(() => tables(buildZip(xlsxParts({ data: sheet }))));
    expect((err as InputError).issue.code).toBe(IssueCode.XmlEntity);
  });
});
