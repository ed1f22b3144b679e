// Hostile workbooks and files through the real readers: a billion-laughs
// DOCTYPE, 10 000 columns, more rows than the limit, and headers aimed at prototypes.
import { describe, expect, test } from 'vitest';
import { InputError, IssueCode } from '../../../shared/domain/errors.ts';
import { readCsv } from '../../../shared/formats/csv/reader.ts';
import { readXlsx } from '../../../shared/formats/xlsx/reader.ts';
import { allRows, buildZip, chunked, columnName, inlineRow, SHEET_CLOSE, SHEET_OPEN, thrown, utf8, xlsxParts } from '../../support/xlsx-fixtures.ts';

// A guard against runaway work (an unbounded expansion, a quadratic parse), not a speed
// figure: these inputs are refused in about a second; `npm run bench` measures speed.
const HANG_GUARD_MS = 10_000;

const FILE = 'uploads/26/hostile.xlsx';

async function readAll(bytes: Uint8Array, limits?: Parameters<typeof readXlsx>[1]['limits']) {
  const out: { sheet: string | null; headers: string[]; rows: number }[] = [];
  for await (const t of readXlsx(bytes, { file: FILE, limits })) out.push({ sheet: t.sheet, headers: t.headers, rows: (await allRows(t)).length });
  return out;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

describe('hostile inputs', () => {
  test('a billion-laughs sheet is an XmlEntity file-level error in under 1 s', async () => {
    // Prepare
    const entities = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`)].join('');
    const sheet = `<?xml version="1.0"?><!DOCTYPE lolz [${entities}]>` + SHEET_OPEN.slice(SHEET_OPEN.indexOf('<worksheet')) + inlineRow(1, ['&lol9;']).replace('&amp;lol9;', '&lol9;') + SHEET_CLOSE;
    // Act
    const { value: err, ms } = await timed(() => thrown(() => readAll(buildZip(xlsxParts({ data: sheet })))));
    console.info(`billion laughs: ${ms.toFixed(0)} ms`);
    // Assess
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.XmlEntity, file: FILE, row: null });
    expect(ms).toBeLessThan(HANG_GUARD_MS);
  });

  test('a header of 10 000 columns is TooManyColumns naming the limit', async () => {
    const cells = Array.from({ length: 10_000 }, (_, i) => `<c r="${columnName(i + 1)}1" t="inlineStr"><is><t>h${i}</t></is></c>`).join('');
    const sheet = `${SHEET_OPEN}<row r="1">${cells}</row>${SHEET_CLOSE}`;
    const { value: err, ms } = await timed(() => thrown(() => readAll(buildZip(xlsxParts({ data: sheet })))));
    console.info(`10 000 columns: ${ms.toFixed(0)} ms`);
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.TooManyColumns, file: FILE, sheet: 'Лист1', row: 1 });
    expect((err as InputError).issue.message).toContain('the limit is 64 (xlsx.maxColumns)');
    // exceljs assembles the whole row before emitting it (~0.8 s here)
    expect(ms).toBeLessThan(HANG_GUARD_MS);
  });

  test('a CSV header of 10 000 columns is TooManyColumns too', async () => {
    const header = Array.from({ length: 10_000 }, (_, i) => `h${i}`).join(';');
    const err = await thrown(() => readCsv(chunked(utf8(`${header}\n1\n`)), { file: 'uploads/26/wide.csv', encoding: 'utf-8' }));
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.TooManyColumns, file: 'uploads/26/wide.csv', row: 1 });
  });

  test('20 001 data rows over a limit of 20 000 is TooManyRows naming the limit', async () => {
    // Prepare
    const rows = Array.from({ length: 20_001 }, (_, i) => inlineRow(i + 2, [String(i)])).join('');
    const bytes = buildZip(xlsxParts({ data: SHEET_OPEN + inlineRow(1, ['ИНН']) + rows + SHEET_CLOSE }));
    // Act
    const { value: err, ms } = await timed(() => thrown(() => readAll(bytes, { xlsx: { maxRows: 20_000 } })));
    console.info(`20 001 rows: ${ms.toFixed(0)} ms`);
    // Assess
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.TooManyRows, file: FILE, sheet: 'Лист1', row: 20_002 });
    expect((err as InputError).issue.message).toContain('20000');
    expect(ms).toBeLessThan(HANG_GUARD_MS);
  });

  test('hostile headers in XLSX and CSV arrive as plain strings; Object.prototype is unchanged', async () => {
    // Prepare
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const headers = ['__proto__', 'constructor', 'prototype', 'ФИО', 'Телефон'];
    const sheet = SHEET_OPEN + inlineRow(1, headers) + inlineRow(2, ['{"polluted":1}', 'x', 'y', 'Иванова', '+7 900']) + SHEET_CLOSE;
    // Act
    const xlsx = await readAll(buildZip(xlsxParts({ data: sheet })));
    const csv = await readCsv(chunked(utf8(`${headers.join(';')}\npolluted;x;y;Иванова;+7\n`)), { file: 'uploads/26/h.csv', encoding: 'utf-8' });
    const csvRows = await allRows(csv.table);
    // Assess
    expect(xlsx).toEqual([{ sheet: 'Лист1', headers, rows: 1 }]);
    expect(csv.table.headers).toEqual(headers);
    expect(csvRows).toHaveLength(1);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
