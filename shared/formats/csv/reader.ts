// The streaming CSV reader: bytes → decoded text → RFC 4180 records → RawRows, one pass,
// rows flowing out as the bytes arrive (memory does not grow with the file). Parses the
// bytes it is given; no I/O of its own.
//
// Why it looks like this: a streaming TextDecoder keeps a character cut by a
// chunk edge intact (Cyrillic is two bytes in UTF-8) and decodes Windows-1251 natively;
// records are found with indexOf and split with String#split — per-character loops and
// string concatenation cost 3-4× — and only a record that contains a quote takes the
// quote-aware path. Cells stay in arrays: no object is ever keyed by header text, so a
// `__proto__` header is just a string.
//
// A record the reader can frame but not read (too long, too many fields, a NUL byte, an
// unclosed quote) is rejected alone — a RawRow carrying the issue — and reading goes on
// after the line it ends on; only a bad header rejects the file.
import { IssueCode } from '../../domain/errors.ts';
import type { Delimiter, Issue } from '../../domain/schemas.ts';
import { bytesLabel, inputError } from '../issue.ts';
import { resolveLimits, type ByteSource, type LimitOverrides, type Limits, type RawRow, type RawTable } from '../raw-table.ts';
import type { Sniffed } from '../sniff.ts';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SEMICOLON = 0x3b;
const COMMA = 0x2c;
const TAB = 0x09;

/**
 * Reads the header record (the first non-blank one), detects the delimiter from it and
 * returns the table whose `rows` continue the same stream. A header-only file yields a
 * table without rows: whether that is an error is the mapper's decision.
 */
export async function readCsv(
  open: ByteSource,
  opts: { file: string; encoding: Sniffed['encoding']; limits?: LimitOverrides },
): Promise<{ delimiter: Delimiter; table: RawTable }> {
  const limits = resolveLimits(opts.limits);
  const scanner = new CsvScanner(new TextChunks(open, opts.encoding ?? 'utf-8', opts.file, limits.maxBytes), limits, unitBytes(opts.encoding));
  const delimiter = await scanner.detectDelimiter();

  let header: string[] | null = null;
  for (;;) {
    // the file is rejected if the header cannot be read: never read on through its line
    const r = await scanner.next({ skipRejected: false });
    if (r === null) break;
    if (r instanceof Rejected) throw inputError(opts.file, HEADER_CODE[r.code], `the header record cannot be read: ${r.message}`, { row: scanner.recordNo });
    if (!isBlank(r)) {
      header = r;
      break;
    }
  }
  if (header === null) throw inputError(opts.file, IssueCode.EmptyFile, 'the file has no header row: it holds only blank lines');
  const headerRow = scanner.recordNo;
  const { file } = opts;

  async function* rows(): AsyncGenerator<RawRow> {
    let read = 0;
    for (;;) {
      const cells = await scanner.next();
      if (cells === null) return;
      if (++read > limits.maxRows) {
        throw inputError(file, IssueCode.TooManyRows, `the file has more than ${limits.maxRows} data rows (limit maxRows = ${limits.maxRows})`, { row: scanner.recordNo });
      }
      if (cells instanceof Rejected) {
        yield { row: scanner.recordNo, cells: [], rejected: cells.issue(file, scanner.recordNo) };
        continue;
      }
      if (isBlank(cells)) continue;
      yield { row: scanner.recordNo, cells };
    }
  }
  return { delimiter, table: { sheet: null, headerRow, headers: header, rows: rows() } };
}

type RowCode = typeof IssueCode.RowTooLong | typeof IssueCode.RowTooManyColumns | typeof IssueCode.RowNulByte | typeof IssueCode.RowUnclosedQuote;

/** The file-level code of the same problem in the header, which rejects the file. */
const HEADER_CODE: Record<RowCode, IssueCode> = {
  [IssueCode.RowTooLong]: IssueCode.RecordTooLong,
  [IssueCode.RowTooManyColumns]: IssueCode.TooManyColumns,
  [IssueCode.RowNulByte]: IssueCode.UnsupportedFormat,
  [IssueCode.RowUnclosedQuote]: IssueCode.UnclosedQuote,
};

/** A record skipped by the scanner: its number is the scanner's `recordNo` once returned. */
class Rejected {
  constructor(
    readonly code: RowCode,
    readonly message: string,
  ) {}

  issue(file: string, row: number): Issue {
    return { code: this.code, message: `${this.message}; the record was rejected, the rows after it were read`, file, sheet: null, row, column: null, value: null };
  }
}

function isBlank(cells: readonly string[]): boolean {
  for (const c of cells) if (c.trim() !== '') return false;
  return true;
}

/** Decoded text of the source, chunk by chunk; counts bytes against maxBytes. */
class TextChunks {
  readonly #it: AsyncIterator<Uint8Array>;
  readonly #decoder: TextDecoder;
  #bytes = 0;
  #done = false;

  constructor(
    open: ByteSource,
    private readonly encoding: NonNullable<Sniffed['encoding']>,
    private readonly file: string,
    private readonly maxBytes: number,
  ) {
    this.#it = open()[Symbol.asyncIterator]();
    // fatal for UTF-8: the sniff validated these bytes, so a failure means the object
    // changed between reads; replacing characters silently would corrupt names.
    // The default ignoreBOM:false strips a UTF-8 (or UTF-16) BOM, so no header starts with U+FEFF.
    this.#decoder = encoding === 'windows-1251' ? new TextDecoder('windows-1251') : new TextDecoder(utf16(encoding) ?? 'utf-8', { fatal: true });
  }

  /** The next non-empty piece of text, or null at the end. */
  async read(): Promise<string | null> {
    while (!this.#done) {
      const r = await this.#it.next();
      let text: string;
      try {
        if (r.done) {
          this.#done = true;
          text = this.#decoder.decode();
        } else {
          this.#bytes += r.value.length;
          if (this.#bytes > this.maxBytes) {
            await this.#it.return?.();
            throw inputError(this.file, IssueCode.TooLarge, `the file is larger than the limit of ${bytesLabel(this.maxBytes)} (maxBytes = ${this.maxBytes})`);
          }
          text = this.#decoder.decode(r.value, { stream: true });
        }
      } catch (err) {
        if (err instanceof TypeError) {
          const name = utf16(this.encoding) === null ? 'UTF-8' : 'UTF-16';
          throw inputError(this.file, IssueCode.UnsupportedEncoding, `the file is not valid ${name} (did it change while it was read?)`, {}, err);
        }
        throw err;
      }
      if (text.length > 0) return text;
    }
    return null;
  }
}

const INCOMPLETE = 1;
const UNCLOSED = 2;
type Parsed = string[] | Rejected | typeof INCOMPLETE | typeof UNCLOSED | null;

/**
 * Record scanner over a sliding window of decoded text. A record cut by the window end is
 * parsed again from its start once more text has arrived; the window is at least doubled
 * before each retry, so even 1-byte chunks cost linear time.
 */
class CsvScanner {
  #buf = '';
  #pos = 0;
  #eof = false;
  /** index of the next `"` at or after #pos in #buf, -1 for none, -2 for not yet searched */
  #quote = -2;
  /** the same for the delimiter: quoted records would otherwise rescan the window per field */
  #delimAt = -2;
  /** the same for U+0000 (a NUL byte decodes to it) */
  #nulAt = -2;
  #delim = SEMICOLON;
  #delimChar = ';';
  /** records consumed so far = the number of the last record returned */
  recordNo = 0;

  constructor(
    private readonly text: TextChunks,
    private readonly limits: Limits,
    /** bytes per UTF-16 code unit when fixed (1 for Windows-1251, 2 for UTF-16), else 0 (UTF-8) */
    private readonly unitBytes: 0 | 1 | 2,
  ) {}

  /**
   * Skips leading blank records and counts `;`, `,` and tab outside quotes in the first
   * non-blank one; the most frequent wins, ties prefer `;` then `,`. Consumes only the
   * blank records, so the header is parsed afterwards with the chosen delimiter.
   */
  async detectDelimiter(): Promise<Delimiter> {
    for (;;) {
      const r = this.#scanForDelimiter();
      if (r === INCOMPLETE) {
        // The record limit holds from the first byte: a first record longer than it is
        // never buffered whole (a 150 MB line would be). The delimiter is decided on the
        // bounded prefix, and the header read that follows rejects the record as too long.
        if (this.#buf.length - this.#pos > this.limits.maxRecordBytes) return this.#use(this.#prefixDelimiter());
        await this.#more();
        continue;
      }
      if (r === null) return this.#use(';');
      if (r.blank) {
        this.#pos = r.next;
        this.recordNo++;
        continue;
      }
      const [semi, comma, tab] = r.counts;
      return this.#use(semi >= comma && semi >= tab ? ';' : comma >= tab ? ',' : '\t');
    }
  }

  /** The next record's cells (or its rejection), or null after the last one. */
  async next(opts: { skipRejected?: boolean } = {}): Promise<string[] | Rejected | null> {
    for (;;) {
      let r = this.#parse();
      if (r === INCOMPLETE) {
        // Characters never outnumber bytes, so a pending tail longer than the limit in
        // characters is too long in bytes: give it up before buffering a runaway quote or
        // a file without line breaks.
        if (this.#buf.length - this.#pos <= this.limits.maxRecordBytes) {
          await this.#more();
          continue;
        }
        const hint = this.#openQuoteAhead() ? ' (an unclosed quote?)' : '';
        r = new Rejected(IssueCode.RowTooLong, `${this.#tooLongMessage()}${hint}`);
        if (opts.skipRejected !== false) await this.#skipLine();
      } else if (r === UNCLOSED) {
        // Only the end of the file can leave a quote open here (a longer one is too long
        // first): the record ends at its own line end, and the lines after it are read.
        r = new Rejected(IssueCode.RowUnclosedQuote, 'a quoted field is never closed: the file ends inside quotes');
        const nl = this.#buf.indexOf('\n', this.#pos);
        this.#pos = nl === -1 ? this.#buf.length : nl + 1;
      }
      if (r !== null) this.recordNo++;
      return r;
    }
  }

  /** Drops the pending text up to and including the next `\n`, reading on as far as it takes. */
  async #skipLine(): Promise<void> {
    for (;;) {
      const nl = this.#buf.indexOf('\n', this.#pos);
      if (nl !== -1) {
        this.#pos = nl + 1;
        return;
      }
      const t = this.#eof ? null : await this.text.read();
      if (t === null) {
        this.#eof = true;
        this.#pos = this.#buf.length;
        return;
      }
      this.#buf = t;
      this.#pos = 0;
      this.#quote = -2;
      this.#delimAt = -2;
      this.#nulAt = -2;
    }
  }

  #use(d: Delimiter): Delimiter {
    this.#delimChar = d;
    this.#delim = d.charCodeAt(0);
    this.#delimAt = -2;
    return d;
  }

  /** Appends text until the pending part has at least doubled (or the input ends). */
  async #more(): Promise<void> {
    const pending = this.#buf.length - this.#pos;
    const parts = [this.#buf.slice(this.#pos)];
    let got = pending;
    const want = Math.max(pending * 2, 1);
    while (got < want) {
      const t = await this.text.read();
      if (t === null) {
        this.#eof = true;
        break;
      }
      parts.push(t);
      got += t.length;
    }
    this.#buf = parts.join('');
    this.#pos = 0;
    this.#quote = -2;
    this.#delimAt = -2;
    this.#nulAt = -2;
  }

  #tooLongMessage(): string {
    return `a record is longer than the limit of ${bytesLabel(this.limits.maxRecordBytes)} (maxRecordBytes = ${this.limits.maxRecordBytes})`;
  }

  /** The checks of a complete record buf[start, end): its length and NUL bytes. */
  #unreadable(start: number, end: number): Rejected | null {
    if (this.#exceeds(start, end)) return new Rejected(IssueCode.RowTooLong, this.#tooLongMessage());
    if (this.#nulAt === -2 || (this.#nulAt !== -1 && this.#nulAt < start)) this.#nulAt = this.#buf.indexOf('\0', start);
    if (this.#nulAt !== -1 && this.#nulAt < end) return new Rejected(IssueCode.RowNulByte, 'the record contains a NUL byte (binary data)');
    return null;
  }

  #openQuoteAhead(): boolean {
    return this.#buf.indexOf('"', this.#pos) !== -1;
  }

  /** Byte length of #buf[start, end) in the file's encoding exceeds the record limit. */
  #exceeds(start: number, end: number): boolean {
    const chars = end - start;
    const max = this.limits.maxRecordBytes;
    if (this.unitBytes !== 0) return chars * this.unitBytes > max;
    if (chars > max) return true;
    // a UTF-16 code unit is at most 3 UTF-8 bytes
    if (chars * 3 <= max) return false;
    return Buffer.byteLength(this.#buf.slice(start, end), 'utf8') > max;
  }

  #nextQuote(): number {
    if (this.#quote === -2 || (this.#quote !== -1 && this.#quote < this.#pos)) this.#quote = this.#buf.indexOf('"', this.#pos);
    return this.#quote;
  }

  /** Index of the delimiter or `\n` that ends the field starting at `i` (the window end if neither). */
  #fieldEnd(i: number, nl: number): number {
    if (this.#delimAt === -2 || (this.#delimAt !== -1 && this.#delimAt < i)) this.#delimAt = this.#buf.indexOf(this.#delimChar, i);
    const dl = this.#delimAt;
    const stop = nl === -1 ? this.#buf.length : nl;
    return dl === -1 || dl > stop ? stop : dl;
  }

  #parse(): Parsed {
    const buf = this.#buf;
    const start = this.#pos;
    const len = buf.length;
    if (start >= len) return this.#eof ? null : INCOMPLETE;
    const nl = buf.indexOf('\n', start);
    const q = this.#nextQuote();
    if (q === -1 || (nl !== -1 && q > nl)) {
      // Fast path: no quote in this record.
      if (nl === -1 && !this.#eof) return INCOMPLETE;
      const stop = nl === -1 ? len : nl;
      const end = stop > start && buf.charCodeAt(stop - 1) === CR ? stop - 1 : stop;
      this.#pos = nl === -1 ? len : nl + 1;
      const bad = this.#unreadable(start, end);
      if (bad) return bad;
      const cells = buf.slice(start, end).split(this.#delimChar);
      return cells.length > this.limits.maxColumns ? this.#tooManyColumns() : cells;
    }
    return this.#parseQuoted(start, nl);
  }

  /** The quote-aware path; `nl` is the first `\n` at or after `start` (-1 for none). */
  #parseQuoted(start: number, nl: number): Parsed {
    const buf = this.#buf;
    const len = buf.length;
    const d = this.#delim;
    const eof = this.#eof;
    const cells: string[] = [];
    let wide = false;
    let i = start;
    for (;;) {
      let value: string;
      if (i < len && buf.charCodeAt(i) === QUOTE) {
        value = '';
        let j = i + 1;
        for (;;) {
          const q = buf.indexOf('"', j);
          if (q === -1) return eof ? UNCLOSED : INCOMPLETE;
          if (q + 1 >= len && !eof) return INCOMPLETE; // `""` may straddle the window end
          if (q + 1 < len && buf.charCodeAt(q + 1) === QUOTE) {
            value += buf.slice(j, q + 1);
            j = q + 2;
            continue;
          }
          value += buf.slice(j, q);
          i = q + 1;
          break;
        }
        if (nl !== -1 && nl < i) nl = buf.indexOf('\n', i);
        // Text after the closing quote (`"a"b`) is kept, as Excel does; RFC 4180 forbids it.
        const k = this.#fieldEnd(i, nl);
        if (k > i) value += trimCr(buf, i, k, len);
        i = k;
      } else {
        const k = this.#fieldEnd(i, nl);
        value = trimCr(buf, i, k, len);
        i = k;
      }
      // past the limit the record is still framed to its end, its cells no longer kept
      if (cells.length < this.limits.maxColumns) cells.push(value);
      else wide = true;
      if (i >= len) {
        if (!eof) return INCOMPLETE;
        break;
      }
      if (buf.charCodeAt(i) === d) {
        i++;
        continue;
      }
      i++; // the `\n` (a `\r` before it was trimmed with the field)
      break;
    }
    // The terminator is excluded from the record length, as on the fast path.
    const end = i > start && buf.charCodeAt(i - 1) === LF ? (i - 1 > start && buf.charCodeAt(i - 2) === CR ? i - 2 : i - 1) : i;
    this.#pos = i;
    return this.#unreadable(start, end) ?? (wide ? this.#tooManyColumns() : cells);
  }

  #tooManyColumns(): Rejected {
    return new Rejected(IssueCode.RowTooManyColumns, `a record has more than ${this.limits.maxColumns} columns (limit maxColumns = ${this.limits.maxColumns})`);
  }

  /** The delimiter by the counts of the pending, bounded prefix (a record that does not end inside it). */
  #prefixDelimiter(): Delimiter {
    const counts = [0, 0, 0];
    const end = this.#pos + this.limits.maxRecordBytes;
    for (let i = this.#pos; i < end; i++) {
      const c = this.#buf.charCodeAt(i);
      if (c === SEMICOLON) counts[0]!++;
      else if (c === COMMA) counts[1]!++;
      else if (c === TAB) counts[2]!++;
    }
    const [semi, comma, tab] = counts as [number, number, number];
    return semi >= comma && semi >= tab ? ';' : comma >= tab ? ',' : '\t';
  }

  /** Delimiter detection scan of one record: quote-aware, any of the three delimiters. */
  #scanForDelimiter(): { next: number; blank: boolean; counts: [number, number, number] } | typeof INCOMPLETE | null {
    const buf = this.#buf;
    const len = buf.length;
    const start = this.#pos;
    if (start >= len) return this.#eof ? null : INCOMPLETE;
    const counts: [number, number, number] = [0, 0, 0];
    let blank = true;
    let quoted = false;
    let fieldStart = true;
    for (let i = start; i < len; i++) {
      const c = buf.charCodeAt(i);
      if (quoted) {
        if (c === QUOTE) {
          if (i + 1 >= len && !this.#eof) return INCOMPLETE;
          if (buf.charCodeAt(i + 1) === QUOTE) i++;
          else quoted = false;
        } else if (blank && !isSpace(c)) blank = false;
        continue;
      }
      if (c === LF) return { next: i + 1, blank, counts };
      if (c === QUOTE && fieldStart) {
        quoted = true;
        fieldStart = false;
        continue;
      }
      fieldStart = c === SEMICOLON || c === COMMA || c === TAB;
      if (c === SEMICOLON) counts[0]++;
      else if (c === COMMA) counts[1]++;
      else if (c === TAB) counts[2]++;
      else if (blank && !isSpace(c)) blank = false;
    }
    if (!this.#eof) return INCOMPLETE;
    return { next: len, blank, counts };
  }
}

function utf16(encoding: Sniffed['encoding']): 'utf-16le' | 'utf-16be' | null {
  return encoding === 'utf-16le' || encoding === 'utf-16be' ? encoding : null;
}

function unitBytes(encoding: Sniffed['encoding']): 0 | 1 | 2 {
  return encoding === 'windows-1251' ? 1 : utf16(encoding) ? 2 : 0;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === TAB || c === CR || c === 0xa0 || c === 0xfeff;
}

/** buf[i, k) without the `\r` of a CRLF (or of a lone CR at the very end of the input). */
function trimCr(buf: string, i: number, k: number, len: number): string {
  const atLineEnd = k === len || buf.charCodeAt(k) === LF;
  return atLineEnd && k > i && buf.charCodeAt(k - 1) === CR ? buf.slice(i, k - 1) : buf.slice(i, k);
}
