// The XLSX reader: the zip guard first, then exceljs's streaming WorkbookReader (the only
// reader whose memory stays flat; its full-load mode inflates whole parts into strings).
// One RawTable per worksheet, every sheet; the header is the sheet's first non-blank row.
// The streaming reader has no row or column limits, so they are enforced here, and any
// parser error (an undefined entity, a broken part) becomes a file-level InputError.
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { InputError, IssueCode } from '../domain/errors.ts';
import type { CellValue } from '../domain/result.ts';
import { fileError } from './issue.ts';
import { withDefaults, type Limits, type RawRow, type RawTable } from './raw-table.ts';
import { guardZip } from './zip-guard.ts';

type SheetRow = { number: number; values: unknown };
type SheetReader = { name?: string; id?: number | string } & AsyncIterable<SheetRow>;

export async function* readXlsx(bytes: Uint8Array, opts: { file: string; limits?: Partial<Limits> }): AsyncIterable<RawTable> {
  const limits = withDefaults(opts.limits);
  const file = opts.file;
  await guardZip(bytes, { file, limits: limits.xlsx });
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  try {
    for await (const sheet of reader as unknown as AsyncIterable<SheetReader>) {
      const name = sheet.name ?? `Sheet${String(sheet.id ?? '')}`;
      const it = sheet[Symbol.asyncIterator]();
      let header: { row: number; cells: CellValue[] } | null = null;
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        const cells = toCells(r.value.values, file, name, r.value.number, limits.maxColumns);
        if (!isBlank(cells)) {
          header = { row: r.value.number, cells };
          break;
        }
      }
      const headers = (header?.cells ?? []).map((c) => (c === null ? '' : c instanceof Date ? c.toISOString().slice(0, 10) : String(c).trim()));
      yield { sheet: name, headerRow: header?.row ?? 1, headers, rows: sheetRows(it, file, name, limits) };
    }
  } catch (err) {
    throw asInputError(err, file);
  }
}

async function* sheetRows(it: AsyncIterator<SheetRow>, file: string, sheet: string, limits: Limits): AsyncIterable<RawRow> {
  let n = 0;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      const cells = toCells(r.value.values, file, sheet, r.value.number, limits.maxColumns);
      if (isBlank(cells)) continue;
      if (++n > limits.xlsx.maxRows) {
        throw fileError(file, IssueCode.TooManyRows, `sheet ${sheet} has more than ${limits.xlsx.maxRows} data rows (the limit)`, { sheet, row: r.value.number });
      }
      yield { row: r.value.number, cells };
    }
  } catch (err) {
    throw asInputError(err, file);
  }
}

function asInputError(err: unknown, file: string): InputError {
  if (err instanceof InputError) return err;
  const why = err instanceof Error ? err.message.slice(0, 200) : 'unknown error';
  const code = /entity/iu.test(why) ? IssueCode.XmlEntity : IssueCode.CorruptArchive;
  return fileError(file, code, `the workbook could not be read: ${why}`);
}

/** exceljs row.values is 1-based and sparse; cells become plain values. */
function toCells(values: unknown, file: string, sheet: string, row: number, maxColumns: number): CellValue[] {
  const arr = Array.isArray(values) ? values : [];
  if (arr.length - 1 > maxColumns) {
    throw fileError(file, IssueCode.TooManyColumns, `sheet ${sheet} row ${row} has ${arr.length - 1} columns; the limit is ${maxColumns}`, { sheet, row });
  }
  const out: CellValue[] = [];
  for (let i = 1; i < arr.length; i++) out.push(cellValue(arr[i]));
  return out;
}

function cellValue(v: unknown): CellValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o['richText'])) return (o['richText'] as { text?: string }[]).map((t) => t.text ?? '').join('');
    if ('result' in o) return cellValue(o['result']);
    if ('formula' in o || 'sharedFormula' in o) return null;
    if (typeof o['text'] === 'string') return o['text'];
    if (typeof o['error'] === 'string') return o['error'];
  }
  return null;
}

function isBlank(cells: readonly CellValue[]): boolean {
  return cells.every((c) => c === null || (typeof c === 'string' && c.trim() === ''));
}
