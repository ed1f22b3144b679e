// The guarded XLSX reader: the zip guard first (bombs, hidden entries, DTDs), then each
// worksheet streamed from its own part, one `<row>` at a time, so memory stays flat
// whatever the sheet's size. One RawTable per worksheet, in the workbook's sheet order.
//
// Why not exceljs's streaming reader (used before): it reads the archive front to back,
// so it names a sheet "Sheet2" when workbook.xml comes after the sheets, never sees
// `<mergeCells>` before the rows (it follows `<sheetData>`), and one bad sheet breaks the
// stream for every sheet after it. The checked parts are in memory and re-openable, so
// here the workbook, shared strings and styles are read first, a sheet's merged ranges
// are found by a pass over its part before its rows, and a failure inside one sheet ends
// that sheet alone: the report names the sheet and its error, the other sheets are read.
//
// What the reader guarantees: row and column limits (TooManyRows / TooManyColumns, file
// errors), a merged value in every cell of its range, a row number for every row (a row
// without `r` follows the previous one), rows with no cells read as blank, never a crash.
import { InputError, IssueCode } from '../../domain/errors.ts';
import type { CellValue } from '../../domain/cell.ts';
import type { Issue } from '../../domain/schemas.ts';
import { inputError } from '../issue.ts';
import { resolveLimits, type LimitOverrides, type Limits, type RawRow, type RawTable, type UnreadableCell } from '../raw-table.ts';
import { readWorkbook, partFinder, type WorkbookInfo } from './workbook.ts';
import { attr, cellString, decodeUtf8, textOf, XmlError } from './xml.ts';
import { checkedParts, inflatePart, type ZipPart } from './zip-guard.ts';

/** One `<row>` element larger than this (in characters) ends its sheet: no real row comes near it. */
const MAX_ROW_CHARS = 8 * 1024 * 1024;
/** Merged ranges one sheet may declare; a real sheet has hundreds. */
const MAX_MERGES = 100_000;

/**
 * Every worksheet as a RawTable, in the workbook's order. Each table's `rows` should be
 * read (or abandoned) before the next table is requested; an abandoned sheet is closed.
 */
export async function* readXlsx(bytes: Uint8Array, opts: { file: string; limits?: LimitOverrides }): AsyncGenerator<RawTable> {
  const { file } = opts;
  const limits = resolveLimits(opts.limits);
  const parts = await checkedParts(bytes, { file, limits: limits.xlsx });
  const find = partFinder(parts);
  let book: WorkbookInfo;
  try {
    book = await readWorkbook(find);
  } catch (err) {
    throw containError(err, file, null);
  }
  let current: SheetCursor | null = null;
  try {
    for (const ref of book.sheets) {
      await current?.close();
      current = new SheetCursor(ref.part ? find(ref.part) : undefined, book, file, ref.name, limits);
      const header = await current.header();
      yield {
        sheet: ref.name,
        headerRow: header?.row ?? 1,
        headers: (header?.cells ?? []).map(headerText),
        rows: current.rows(),
      };
    }
  } finally {
    await current?.close();
  }
}

type Merge = { readonly top: number; readonly left: number; readonly bottom: number; readonly right: number };

/** One sheet's rows: merged ranges first, then the header search, the data rows, the limits. */
class SheetCursor {
  #text: AsyncIterator<string> | null = null;
  #buf = '';
  #pos = 0;
  #started = false;
  #done = false;
  #lastRow = 0;
  /** the row being parsed: a failure inside it names it */
  #rowAt = 0;
  #dataRows = 0;
  #merges: Merge[] | null = null;
  #nextMerge = 0;
  #active: { m: Merge; value: CellValue }[] = [];
  /** the sheet's failure, reported once as a rejected row after the rows read before it */
  #failure: Issue | null = null;

  constructor(
    private readonly part: ZipPart | undefined,
    private readonly book: WorkbookInfo,
    private readonly file: string,
    private readonly sheet: string,
    private readonly limits: Limits,
  ) {}

  /** The first non-blank row, or null for an empty (or unreadable) sheet. */
  async header(): Promise<RawRow | null> {
    for (;;) {
      const r = await this.#nextContained();
      if (r === null) return null;
      if (!isBlank(r.cells)) return r;
    }
  }

  async *rows(): AsyncGenerator<RawRow> {
    for (;;) {
      const r = await this.#nextContained();
      if (r === null) break;
      if (++this.#dataRows > this.limits.xlsx.maxRows) {
        const max = this.limits.xlsx.maxRows;
        throw inputError(this.file, IssueCode.TooManyRows, `sheet ${this.sheet} has more than ${max} data rows (limit xlsx.maxRows = ${max})`, { sheet: this.sheet, row: r.row });
      }
      if (!isBlank(r.cells)) yield r;
    }
    if (this.#failure) {
      const issue = this.#failure;
      this.#failure = null;
      yield { row: issue.row ?? this.#lastRow + 1, cells: [], rejected: issue };
    }
  }

  async close(): Promise<void> {
    this.#done = true;
    await this.#text?.return?.(undefined);
    this.#text = null;
  }

  /** The next row, or null at the end; a failure of this sheet ends it and is kept for the report. */
  async #nextContained(): Promise<RawRow | null> {
    if (this.#done) return null;
    try {
      return await this.#next();
    } catch (err) {
      // Limits are the file's: they bound the work of the whole upload.
      if (err instanceof InputError) throw err;
      const why = err instanceof Error ? err.message : String(err);
      this.#failure = {
        code: IssueCode.SheetUnreadable,
        message: `лист «${this.sheet}» прочитан не до конца: ${why.slice(0, 200)}; строки после ${this.#lastRow || 'начала листа'} не прочитаны, другие листы прочитаны`,
        file: this.file,
        sheet: this.sheet,
        row: this.#rowAt > this.#lastRow ? this.#rowAt : this.#lastRow + 1,
        column: null,
        value: null,
      };
      await this.close();
      return null;
    }
  }

  async #next(): Promise<RawRow | null> {
    if (!this.#started) {
      this.#started = true;
      if (!this.part) throw new XmlError('the sheet\'s part is missing from the workbook');
      this.#merges = await mergesOf(this.part);
      this.#text = decodeUtf8(inflatePart(this.part))[Symbol.asyncIterator]();
      if (!(await this.#enterSheetData())) return this.#end();
    }
    for (;;) {
      const buf = this.#buf;
      const open = buf.indexOf('<row', this.#pos);
      const end = buf.indexOf('</sheetData>', this.#pos);
      if (end !== -1 && (open === -1 || end < open)) return this.#end();
      if (open !== -1) {
        const gt = buf.indexOf('>', open);
        if (gt !== -1) {
          if (buf.charCodeAt(gt - 1) === 47 /* / */) {
            this.#pos = gt + 1;
            return this.#row(buf.slice(open + 4, gt - 1), '');
          }
          const close = buf.indexOf('</row>', gt);
          if (close !== -1) {
            this.#pos = close + 6;
            return this.#row(buf.slice(open + 4, gt), buf.slice(gt + 1, close));
          }
        }
      }
      if (!(await this.#more(open === -1 ? Math.max(this.#pos, buf.length - 16) : open))) {
        if (open === -1) return this.#end();
        throw new XmlError(`row element at row ${this.#lastRow + 1} is never closed`);
      }
    }
  }

  #end(): null {
    this.#done = true;
    void this.close();
    return null;
  }

  /** Reads on to the rows; false for a sheet without `<sheetData>` rows. */
  async #enterSheetData(): Promise<boolean> {
    for (;;) {
      const at = this.#buf.indexOf('<sheetData', this.#pos);
      if (at !== -1) {
        const gt = this.#buf.indexOf('>', at);
        if (gt !== -1) {
          this.#pos = gt + 1;
          return this.#buf.charCodeAt(gt - 1) !== 47;
        }
      }
      if (!(await this.#more(at === -1 ? Math.max(this.#pos, this.#buf.length - 16) : at))) return false;
    }
  }

  /** Drops the text before `keep` and appends the next chunk; false at the end of the part. */
  async #more(keep: number): Promise<boolean> {
    const r = await this.#text!.next();
    if (r.done) return false;
    const pending = this.#buf.length - keep;
    if (pending > MAX_ROW_CHARS) throw new XmlError(`a row element is larger than ${MAX_ROW_CHARS} characters`);
    this.#buf = this.#buf.slice(keep) + r.value;
    this.#pos = 0;
    return true;
  }

  /** One `<row>`: its number, its cells by column, merged values filled in. */
  #row(tag: string, inner: string): RawRow {
    const r = Number(attr(tag, 'r'));
    const n = Number.isInteger(r) && r > 0 ? r : this.#lastRow + 1;
    this.#rowAt = n;
    const cells: CellValue[] = [];
    let unreadable: UnreadableCell[] | null = null;
    let column = -1;
    let width = 0;
    const max = this.limits.xlsx.maxColumns;
    for (let i = inner.indexOf('<c'); i !== -1; i = inner.indexOf('<c', i + 2)) {
      const next = inner.charCodeAt(i + 2);
      if (next !== 32 && next !== 62 && next !== 47 && next !== 9 && next !== 10 && next !== 13) continue;
      const gt = inner.indexOf('>', i);
      if (gt === -1) throw new XmlError(`a cell of row ${n} is broken`);
      const selfClosing = inner.charCodeAt(gt - 1) === 47;
      const cTag = inner.slice(i + 2, selfClosing ? gt - 1 : gt);
      let body = '';
      if (!selfClosing) {
        const close = inner.indexOf('</c>', gt);
        if (close === -1) throw new XmlError(`a cell of row ${n} is never closed`);
        body = inner.slice(gt + 1, close);
        i = close + 2; // the loop searches on from i + 2: just after `</c>`
      } else i = gt - 1; // just after `/>`
      const ref = attr(cTag, 'r');
      column = ref ? columnIndex(ref, column) : column + 1;
      const v = this.#value(cTag, body);
      if (v === null) continue;
      if (column >= max) {
        throw inputError(this.file, IssueCode.TooManyColumns, `sheet ${this.sheet} row ${n} has ${column + 1} columns; the limit is ${max} (xlsx.maxColumns)`, { sheet: this.sheet, row: n });
      }
      while (cells.length < column) cells.push(null);
      // an unreadable cell counts towards the row's width: the mapper must see its column
      if (column + 1 > width) width = column + 1;
      if (v instanceof Unreadable) {
        cells[column] = null;
        (unreadable ??= []).push({ index: column, cell: `${columnLetters(column + 1)}${n}`, why: v.why });
      } else cells[column] = v;
    }
    // A row with no value of its own stays blank inside a merged range: a spacer is no record.
    if (this.#merges && this.#merges.length > 0) this.#fillMerges(n, cells, width === 0 && isBlank(cells));
    while (cells.length > width && cells[cells.length - 1] === null) cells.pop();
    if (cells.length > max) {
      throw inputError(this.file, IssueCode.TooManyColumns, `sheet ${this.sheet} row ${n} has ${cells.length} columns; the limit is ${max} (xlsx.maxColumns)`, { sheet: this.sheet, row: n });
    }
    this.#lastRow = n;
    return unreadable ? { row: n, cells, unreadable } : { row: n, cells };
  }

  /** A merged range's value (its top-left cell's) in every empty cell of the range. */
  #fillMerges(n: number, cells: CellValue[], blank: boolean): void {
    const merges = this.#merges!;
    while (this.#nextMerge < merges.length && merges[this.#nextMerge]!.top <= n) {
      const m = merges[this.#nextMerge++]!;
      // a range whose top row has no <row> element has no value to spread
      if (m.top === n && m.bottom >= n) this.#active.push({ m, value: cells[m.left] ?? null });
    }
    if (this.#active.length === 0) return;
    this.#active = this.#active.filter((a) => a.m.bottom >= n);
    if (blank) return;
    const max = this.limits.xlsx.maxColumns;
    for (const { m, value } of this.#active) {
      if (value === null || m.top > n) continue;
      const right = Math.min(m.right, max);
      for (let c = m.left; c <= right; c++) {
        while (cells.length <= c) cells.push(null);
        // cells under a merge are empty; some writers store them as empty strings
        const own = cells[c];
        if (own === null || own === undefined || (typeof own === 'string' && own.trim() === '')) cells[c] = value;
      }
    }
  }

  /** exceljs-compatible plain values: shared and inline strings, numbers, dates, booleans, cached formula results. */
  #value(tag: string, body: string): CellValue | Unreadable {
    const t = attr(tag, 't') ?? 'n';
    const vAt = body.indexOf('<v');
    let v: string | null = null;
    if (vAt !== -1) {
      const gt = body.indexOf('>', vAt);
      if (gt !== -1 && body.charCodeAt(gt - 1) !== 47) {
        const close = body.indexOf('</v>', gt);
        if (close === -1) throw new XmlError('a value element is never closed');
        v = body.slice(gt + 1, close);
      }
    }
    const formula = body.includes('<f');
    if (t === 'inlineStr') {
      const isAt = body.indexOf('<is');
      return isAt === -1 ? null : textOf(body.slice(isAt));
    }
    if (v === null) return formula ? new Unreadable('holds a formula without a calculated value (open and save the file in Excel)') : null;
    switch (t) {
      case 's': {
        const s = this.book.sharedStrings[Number(v)];
        if (s === undefined) throw new XmlError(`a cell refers to shared string ${v.slice(0, 20)}, which does not exist`);
        return s;
      }
      case 'str':
        return cellString(v);
      case 'b':
        return v.trim() === '1' || v.trim() === 'true';
      case 'e':
        return new Unreadable(`holds the error ${cellString(v)}`);
      case 'd': {
        const d = new Date(v.trim());
        return Number.isNaN(d.getTime()) ? null : d;
      }
      default: {
        const x = Number(v);
        if (v.trim() === '') return null;
        if (!Number.isFinite(x)) return new Unreadable('holds a number that cannot be read');
        const style = Number(attr(tag, 's') ?? 0);
        if (this.book.dateStyles[style]) return serialDate(x, this.book.date1904);
        return x;
      }
    }
  }
}

/** A cell whose value cannot be known: an error (`#DIV/0!`), a formula never calculated. */
class Unreadable {
  constructor(readonly why: string) {}
}

/** Excel's day number as the UTC date (and time) it stands for, as exceljs gives it. */
function serialDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round(((date1904 ? serial + 1462 : serial) - 25569) * 86_400_000));
}

/**
 * The merged ranges of a sheet, from a first pass over its part: `<mergeCells>` follows
 * `<sheetData>`, so the rows would be gone before it was seen. Only the text from the
 * first `<mergeCell` on is kept; the rows pass by as bytes.
 */
async function mergesOf(part: ZipPart): Promise<Merge[]> {
  const MARK = Buffer.from('<mergeCell');
  let carry: Buffer = Buffer.alloc(0);
  const found: string[] = [];
  let seen = false;
  for await (const chunk of inflatePart(part)) {
    if (!seen) {
      const joined = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const at = joined.indexOf(MARK);
      if (at === -1) {
        carry = Buffer.from(joined.subarray(Math.max(0, joined.length - MARK.length)));
        continue;
      }
      seen = true;
      found.push(joined.subarray(at).toString('latin1'));
    } else found.push(chunk.toString('latin1'));
    if (found.length > 4096) throw new XmlError('the sheet declares too many merged ranges');
  }
  if (!seen) return [];
  // refs are ASCII (`A1:B2`), so latin1 keeps them intact whatever the bytes around them
  const merges: Merge[] = [];
  for (const m of found.join('').matchAll(/<mergeCell\b[^>]*?\bref\s*=\s*["']([A-Za-z]{1,3}\d{1,7})(?::([A-Za-z]{1,3}\d{1,7}))?["']/gu)) {
    const a = cellPosition(m[1]!);
    const b = cellPosition(m[2] ?? m[1]!);
    merges.push({ top: Math.min(a.row, b.row), bottom: Math.max(a.row, b.row), left: Math.min(a.col, b.col), right: Math.max(a.col, b.col) });
    if (merges.length > MAX_MERGES) throw new XmlError(`the sheet declares more than ${MAX_MERGES} merged ranges`);
  }
  return merges.sort((x, y) => x.top - y.top);
}

function cellPosition(ref: string): { row: number; col: number } {
  let col = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20;
    if (c < 97 || c > 122) break;
    col = col * 26 + (c - 96);
  }
  return { row: Number(ref.slice(i)), col: col - 1 };
}

/** The 0-based column of a cell reference (`C5` → 2); a reference without letters follows `previous`. */
function columnIndex(ref: string, previous: number): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20;
    if (c < 97 || c > 122) break;
    col = col * 26 + (c - 96);
  }
  return col === 0 ? previous + 1 : col - 1;
}

/** `A`, `Z`, `AA`: the column letters of a 1-based index. */
function columnLetters(i: number): string {
  let s = '';
  for (let n = i; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
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

/** Our own InputErrors pass; anything else reading the workbook's own parts becomes one. */
function containError(err: unknown, file: string, sheet: string | null): InputError {
  if (err instanceof InputError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return inputError(file, IssueCode.UnreadableWorkbook, `the workbook could not be read${sheet ? ` (sheet ${sheet})` : ''}: ${why.slice(0, 200)}`, { sheet }, err);
}
