// The guarded XLSX reader: zip guard first (bombs, hidden entries, DTDs), then exceljs's
// streaming WorkbookReader — the only XLSX reader whose memory stays flat (perf.md §5; its
// full-load mode inflates whole parts into strings). One RawTable per worksheet, every
// sheet, in archive order. Parses the bytes it is given; exceljs may spool a worksheet
// that precedes the shared strings to a tmp file, which the guard's inflate cap bounds.
//
// What exceljs does not do, done here: row and column limits (the streaming reader has
// none), error containment (a saxes or unzipper error becomes a file-level InputError,
// never a raw error), and correct UTF-8 across chunks (see Utf8SafeWorkbookReader).
import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { InputError, IssueCode } from '../../domain/errors.ts';
import type { CellValue } from '../../domain/cell.ts';
import { inputError } from '../issue.ts';
import { resolveLimits, type LimitOverrides, type Limits, type RawRow, type RawTable, type UnreadableCell } from '../raw-table.ts';
import { guardZip } from './zip-guard.ts';

/** The parts of exceljs's streaming objects we use (its typings omit `name` and `number`). */
type StreamRow = { readonly number: number; readonly values: unknown };
type StreamSheet = { readonly name?: string; readonly id?: string | number } & AsyncIterable<StreamRow>;
type Reader = AsyncIterable<StreamSheet>;
type EntryStream = { setEncoding(enc: 'utf8'): unknown };
type Parsers = {
  _parseSharedStrings(entry: EntryStream): AsyncGenerator<unknown>;
  _parseWorkbook(entry: EntryStream): Promise<void>;
  _parseRels(entry: EntryStream): Promise<void>;
  _parseWorksheet(iterator: AsyncIterable<unknown>, sheetNo: string): Generator<unknown>;
};

type WorkbookReaderClass = typeof ExcelJS.stream.xlsx.WorkbookReader;
let readerClass: Promise<WorkbookReaderClass> | undefined;

/**
 * exceljs is loaded on the first XLSX file, not with the module: a CSV-only invocation
 * (most uploads) never parses its ~0.6 MB, and the function bundles keep it in a separate
 * file (scripts/build.mjs).
 */
function utf8SafeWorkbookReader(): Promise<WorkbookReaderClass> {
  readerClass ??= import('exceljs').then(({ default: excel }) => {
    const Base = excel.stream.xlsx.WorkbookReader;
    const base = Base.prototype as unknown as Parsers;

    /**
     * exceljs 4.4.0 decodes every chunk of a part on its own (`TextDecoder#decode(chunk)`
     * without `stream: true`, lib/utils/parse-sax.js), so a Cyrillic character cut by a
     * 16 KiB inflate chunk becomes U+FFFD — measured: 12 of 3 000 school names damaged. The
     * decoding is moved in front of it: entry streams get a StringDecoder (`setEncoding`)
     * and worksheet iterators a streaming TextDecoder; exceljs passes strings through.
     */
    class Utf8SafeWorkbookReader extends Base {
      _parseSharedStrings(entry: EntryStream): AsyncGenerator<unknown> {
        entry.setEncoding('utf8');
        return base._parseSharedStrings.call(this, entry);
      }

      _parseWorkbook(entry: EntryStream): Promise<void> {
        entry.setEncoding('utf8');
        return base._parseWorkbook.call(this, entry);
      }

      _parseRels(entry: EntryStream): Promise<void> {
        entry.setEncoding('utf8');
        return base._parseRels.call(this, entry);
      }

      _parseWorksheet(iterator: AsyncIterable<unknown>, sheetNo: string): Generator<unknown> {
        return base._parseWorksheet.call(this, decodeUtf8(iterator), sheetNo);
      }
    }

    return Utf8SafeWorkbookReader;
  });
  return readerClass;
}

async function* decodeUtf8(chunks: AsyncIterable<unknown>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const c of chunks) {
    const s = typeof c === 'string' ? c : decoder.decode(c as Uint8Array, { stream: true });
    if (s) yield s;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * Every worksheet as a RawTable, in archive order. Each table's `rows` must be read (or
 * abandoned) before the next table is requested; unread rows are drained, not buffered.
 */
export async function* readXlsx(bytes: Uint8Array, opts: { file: string; limits?: LimitOverrides }): AsyncGenerator<RawTable> {
  const { file } = opts;
  const limits = resolveLimits(opts.limits);
  await guardZip(bytes, { file, limits: limits.xlsx });

  const input = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  const Reader = await utf8SafeWorkbookReader();
  const reader = new Reader(input, {
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell date cells from numbers
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  }) as unknown as Reader;
  const sheets = reader[Symbol.asyncIterator]();
  let sheetName: string | null = null;
  let current: SheetCursor | null = null;
  try {
    for (;;) {
      if (current) await current.drain();
      sheetName = null;
      const next = await sheets.next();
      if (next.done) return;
      const sheet = next.value;
      sheetName = sheet.name ?? `Sheet${String(sheet.id ?? '')}`;
      current = new SheetCursor(sheet, file, sheetName, limits);
      const header = await current.header();
      yield {
        sheet: sheetName,
        headerRow: header?.row ?? 1,
        headers: (header?.cells ?? []).map(headerText),
        rows: current.rows(),
      };
    }
  } catch (err) {
    throw containError(err, file, sheetName);
  } finally {
    await sheets.return?.(undefined).catch(() => undefined);
  }
}

/** One sheet's rows: the header search, the data rows, the limits, and draining. */
class SheetCursor {
  readonly #it: AsyncIterator<StreamRow>;
  #lastRow = 0;
  #dataRows = 0;
  #unreadable: UnreadableCell[] | null = null;
  #done = false;

  constructor(
    source: StreamSheet,
    private readonly file: string,
    private readonly sheet: string,
    private readonly limits: Limits,
  ) {
    this.#it = source[Symbol.asyncIterator]();
  }

  /** The first non-blank row, or null for an empty sheet. */
  async header(): Promise<RawRow | null> {
    for (;;) {
      const r = await this.#next();
      if (r === null) return null;
      if (!isBlank(r.cells)) return r;
    }
  }

  async *rows(): AsyncGenerator<RawRow> {
    try {
      for (;;) {
        const r = await this.#next();
        if (r === null) return;
        if (++this.#dataRows > this.limits.xlsx.maxRows) {
          const max = this.limits.xlsx.maxRows;
          throw inputError(this.file, IssueCode.TooManyRows, `sheet ${this.sheet} has more than ${max} data rows (limit xlsx.maxRows = ${max})`, { sheet: this.sheet, row: r.row });
        }
        if (!isBlank(r.cells)) yield r;
      }
    } catch (err) {
      throw containError(err, this.file, this.sheet);
    }
  }

  /** Reads what the consumer left, so exceljs can move on to the next part. */
  async drain(): Promise<void> {
    while ((await this.#next()) !== null);
  }

  async #next(): Promise<RawRow | null> {
    if (this.#done) return null;
    const r = await this.#it.next();
    if (r.done) {
      this.#done = true;
      return null;
    }
    // A row without an `r` attribute (some writers omit it) follows the previous one.
    const n = Number.isInteger(r.value.number) && r.value.number > 0 ? r.value.number : this.#lastRow + 1;
    this.#lastRow = n;
    this.#unreadable = null;
    const cells = this.#cells(r.value.values, n);
    return this.#unreadable ? { row: n, cells, unreadable: this.#unreadable } : { row: n, cells };
  }

  /** exceljs `values` is 1-based and sparse; the row ends at its last non-empty cell. */
  #cells(values: unknown, row: number): CellValue[] {
    const arr = Array.isArray(values) ? (values as unknown[]) : [];
    let width = arr.length - 1;
    while (width > 0 && cellValue(arr[width]) === null) width--;
    const max = this.limits.xlsx.maxColumns;
    if (width > max) {
      throw inputError(this.file, IssueCode.TooManyColumns, `sheet ${this.sheet} row ${row} has ${width} columns; the limit is ${max} (xlsx.maxColumns)`, {
        sheet: this.sheet,
        row,
      });
    }
    const cells = new Array<CellValue>(width);
    for (let i = 1; i <= width; i++) {
      const v = cellValue(arr[i]);
      if (v instanceof Unreadable) {
        cells[i - 1] = null;
        (this.#unreadable ??= []).push({ index: i - 1, cell: `${columnLetters(i)}${row}`, why: v.why });
      } else cells[i - 1] = v;
    }
    return cells;
  }
}

/** A cell whose value cannot be known: an error (`#DIV/0!`), a formula never calculated. */
class Unreadable {
  constructor(readonly why: string) {}
}

/** `A`, `Z`, `AA`: the column letters of a 1-based index. */
function columnLetters(i: number): string {
  let s = '';
  for (let n = i; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/**
 * exceljs cell values → plain values: rich text → its text, a formula → its cached
 * result; numbers, text, booleans and dates as they are. An error cell, or a formula
 * without a cached result, is Unreadable: the mapper rejects the row if the cell is a field.
 */
function cellValue(v: unknown): CellValue | Unreadable {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : new Unreadable('holds a number that cannot be read'); // NaN: a formula's error result
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === 'object') {
    const o = v as { richText?: unknown; result?: unknown; formula?: unknown; sharedFormula?: unknown; error?: unknown; text?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((t: { text?: unknown }) => (typeof t?.text === 'string' ? t.text : '')).join('');
    if ('formula' in o || 'sharedFormula' in o || 'result' in o) {
      return o.result === undefined ? new Unreadable('holds a formula without a calculated value (open and save the file in Excel)') : cellValue(o.result);
    }
    if (typeof o.error === 'string') return new Unreadable(`holds the error ${o.error}`);
    if (typeof o.text === 'string') return o.text; // a hyperlink cell
    if (o.text && typeof o.text === 'object') return cellValue(o.text);
  }
  return null;
}

function headerText(c: CellValue): string {
  if (c === null) return '';
  if (c instanceof Date) return c.toISOString().slice(0, 10);
  return String(c);
}

function isBlank(cells: readonly CellValue[]): boolean {
  for (const c of cells) if (c !== null && !(typeof c === 'string' && c.trim() === '')) return false;
  return true;
}

/** Our own InputErrors pass; anything exceljs, saxes or unzipper throws becomes one. */
function containError(err: unknown, file: string, sheet: string | null): InputError {
  if (err instanceof InputError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return inputError(file, IssueCode.UnreadableWorkbook, `the workbook could not be read${sheet ? ` (sheet ${sheet})` : ''}: ${why.slice(0, 200)}`, { sheet }, err);
}
