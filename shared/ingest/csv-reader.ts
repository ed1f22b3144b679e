// The streaming CSV reader: decodes with a streaming TextDecoder (a multi-byte character
// split across chunks stays intact; Windows-1251 through the same API), detects the
// delimiter from the header record, and parses RFC 4180 records — quoted fields with
// embedded delimiters, doubled quotes and newlines; CRLF, LF or CR — yielding rows as the
// bytes arrive, so memory does not grow with the file. Builds no objects keyed by header
// text. Hard limits (rows, columns, record length) are file-level errors.
import { IssueCode } from '../domain/errors.ts';
import { fileError } from './issue.ts';
import { withDefaults, type ByteSource, type Limits, type RawRow, type RawTable } from './raw-table.ts';
import type { Sniffed } from './sniff.ts';

export type Delimiter = ';' | ',' | '\t';

const QUOTE = 34;
const CR = 13;
const LF = 10;

/**
 * Incremental record parser. `feed` returns the records completed by the chunk; a record
 * cut by the chunk end is re-parsed from its start when the next chunk arrives, which
 * costs little because only the last record of a chunk is ever cut.
 */
export class CsvRecordParser {
  #pending = '';
  readonly #delim: number;

  constructor(
    delimiter: Delimiter,
    private readonly maxRecordChars: number,
    private readonly onTooLong: () => never,
  ) {
    this.#delim = delimiter.charCodeAt(0);
  }

  feed(chunk: string, out: string[][]): void {
    const text = this.#pending.length ? this.#pending + chunk : chunk;
    const used = this.#parse(text, out, false);
    this.#pending = text.slice(used);
    if (this.#pending.length > this.maxRecordChars) this.onTooLong();
  }

  /** Flushes the last record; returns false when the input ended inside a quoted field. */
  end(out: string[][]): boolean {
    if (this.#pending.length === 0) return true;
    const used = this.#parse(this.#pending, out, true);
    const complete = used === this.#pending.length;
    this.#pending = '';
    return complete;
  }

  /** Parses complete records from `s`; returns how many characters were consumed. */
  #parse(s: string, out: string[][], final: boolean): number {
    const d = this.#delim;
    const n = s.length;
    let pos = 0;
    while (pos < n) {
      const fields: string[] = [];
      let i = pos;
      let done = false;
      for (;;) {
        if (i < n && s.charCodeAt(i) === QUOTE) {
          // quoted field: find the closing quote, unescaping doubled quotes
          let j = i + 1;
          let value = '';
          for (;;) {
            const q = s.indexOf('"', j);
            if (q === -1) return pos; // unterminated: wait for more input (or, at the end, report it)
            if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
              value += s.slice(j, q + 1);
              j = q + 2;
              continue;
            }
            if (q + 1 >= n && !final) return pos; // a doubled quote may straddle the chunk edge
            value += s.slice(j, q);
            i = q + 1;
            break;
          }
          // text after the closing quote up to the delimiter is kept (lenient, like Excel)
          let k = i;
          while (k < n) {
            const c = s.charCodeAt(k);
            if (c === d || c === LF || c === CR) break;
            k++;
          }
          fields.push(k > i ? value + s.slice(i, k) : value);
          i = k;
        } else {
          let k = i;
          while (k < n) {
            const c = s.charCodeAt(k);
            if (c === d || c === LF || c === CR) break;
            k++;
          }
          fields.push(s.slice(i, k));
          i = k;
        }
        if (i >= n) {
          if (!final) return pos;
          done = true;
          break;
        }
        const c = s.charCodeAt(i);
        if (c === d) {
          i++;
          if (i >= n && final) {
            fields.push('');
            done = true;
            break;
          }
          continue;
        }
        // end of record: CRLF, LF or a lone CR
        if (c === CR) {
          if (i + 1 >= n && !final) return pos;
          i += i + 1 < n && s.charCodeAt(i + 1) === LF ? 2 : 1;
        } else {
          i++;
        }
        done = true;
        break;
      }
      if (done) {
        out.push(fields);
        pos = i;
      }
    }
    return pos;
  }
}

/** The delimiter is the most frequent of `;`, `,` and tab outside quotes in the header record; ties prefer `;`. */
export function detectDelimiter(headerLine: string): Delimiter {
  const counts = new Map<Delimiter, number>([
    [';', 0],
    [',', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch as Delimiter)) counts.set(ch as Delimiter, counts.get(ch as Delimiter)! + 1);
  }
  let best: Delimiter = ';';
  for (const [k, v] of counts) if (v > counts.get(best)!) best = k;
  return best;
}

export async function readCsv(
  open: ByteSource,
  opts: { file: string; encoding: Sniffed['encoding']; limits?: Partial<Limits> },
): Promise<{ delimiter: Delimiter; table: RawTable }> {
  const limits = withDefaults(opts.limits);
  const file = opts.file;
  const decoder = new TextDecoder(opts.encoding === 'windows-1251' ? 'windows-1251' : 'utf-8');
  const source = open()[Symbol.asyncIterator]();
  let sourceDone = false;
  async function nextText(): Promise<string | null> {
    if (sourceDone) return null;
    const r = await source.next();
    if (r.done) {
      sourceDone = true;
      return decoder.decode();
    }
    return decoder.decode(r.value, { stream: true });
  }

  // Read until the header record is complete (a newline outside quotes after some text).
  let prefix = '';
  for (;;) {
    const t = await nextText();
    if (t === null) break;
    prefix += t;
    const end = firstRecordEnd(prefix);
    if (end !== -1) break;
    if (prefix.length > limits.maxRecordChars) throw fileError(file, IssueCode.RecordTooLong, `the header record is longer than ${limits.maxRecordChars} characters`, { row: 1 });
  }
  const delimiter = detectDelimiter(prefix.slice(0, Math.max(0, firstRecordEnd(prefix)) || prefix.length));
  let recordNo = 0;
  const tooLong = (): never => {
    throw fileError(file, IssueCode.RecordTooLong, `a record is longer than ${limits.maxRecordChars} characters`, { row: recordNo + 1 });
  };
  const parser = new CsvRecordParser(delimiter, limits.maxRecordChars, tooLong);
  const queue: string[][] = [];
  let queueAt = 0;
  parser.feed(prefix, queue);
  let ended = false;

  async function nextRecord(): Promise<string[] | null> {
    while (queueAt >= queue.length) {
      queue.length = 0;
      queueAt = 0;
      if (ended) return null;
      const t = await nextText();
      if (t === null) {
        ended = true;
        if (!parser.end(queue)) throw fileError(file, IssueCode.UnclosedQuote, 'a quoted field is never closed', { row: recordNo + 1 });
      } else {
        parser.feed(t, queue);
      }
    }
    recordNo++;
    return queue[queueAt++]!;
  }

  const isBlank = (r: string[]) => r.every((c) => c.trim() === '');
  let header: string[] | null = null;
  for (;;) {
    const r = await nextRecord();
    if (r === null) break;
    if (!isBlank(r)) {
      header = r;
      break;
    }
  }
  if (header === null) throw fileError(file, IssueCode.EmptyFile, 'the file has no header row');
  if (header.length > limits.maxColumns) {
    throw fileError(file, IssueCode.TooManyColumns, `the header has ${header.length} columns; the limit is ${limits.maxColumns}`, { row: recordNo });
  }
  const headerRow = recordNo;
  const headers = header.map((h) => h.trim());

  async function* rows(): AsyncIterable<RawRow> {
    let dataRows = 0;
    for (;;) {
      const r = await nextRecord();
      if (r === null) return;
      if (isBlank(r)) continue;
      if (++dataRows > limits.maxRows) throw fileError(file, IssueCode.TooManyRows, `the file has more than ${limits.maxRows} data rows (the limit)`, { row: recordNo });
      if (r.length > limits.maxColumns) throw fileError(file, IssueCode.TooManyColumns, `row has ${r.length} columns; the limit is ${limits.maxColumns}`, { row: recordNo });
      yield { row: recordNo, cells: r };
    }
  }
  return { delimiter, table: { sheet: null, headerRow, headers, rows: rows() } };
}

/** Index just past the first record's line end (outside quotes), or -1 when not yet seen. */
function firstRecordEnd(s: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && (c === LF || c === CR)) {
      if (s.slice(0, i).trim() === '') continue; // leading blank lines
      return i;
    }
  }
  return -1;
}
