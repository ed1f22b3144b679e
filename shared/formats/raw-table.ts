// Readers' shared vocabulary: a re-openable byte source, the raw table and rows every
// reader delivers, and the hard limits they enforce. Types and constants only: no I/O.
import type { CellValue } from '../domain/cell.ts';
import type { Issue } from '../domain/schemas.ts';
import type { UnreadableCell } from '../domain/table-mapper.ts';

/** Re-openable: each call starts again from byte 0 (sniffing and parsing each read the object once). */
export type ByteSource = () => AsyncIterable<Uint8Array>;

/**
 * One data row. `row` is the row number an admin sees: for CSV the record index (header
 * record = 1; a quoted newline does not shift it), for XLSX the sheet's own row number.
 * A row the reader could not read carries `rejected` (and no cells): only it is lost.
 */
export type RawRow = {
  readonly row: number;
  readonly cells: CellValue[];
  readonly rejected?: Issue;
  /** XLSX cells whose value cannot be known (an error, a formula never calculated), null in `cells` */
  readonly unreadable?: readonly UnreadableCell[];
};

/** `cell` is the spreadsheet reference an admin finds it by (`G5`). */
export type { UnreadableCell } from '../domain/table-mapper.ts';

/**
 * One table: a CSV file or one XLSX sheet. The header is the first non-blank row; wholly
 * blank rows are skipped but keep their numbers. `rows` is single-pass: it continues the
 * stream the header was read from.
 */
export type RawTable = {
  readonly sheet: string | null;
  readonly headerRow: number;
  readonly headers: string[];
  readonly rows: AsyncIterable<RawRow>;
};

export type XlsxLimits = {
  /** compressed upload size */
  readonly maxBytes: number;
  readonly maxEntries: number;
  /** inflated bytes of any one ZIP entry (declared and counted) */
  readonly maxEntryInflated: number;
  /** inflated bytes of all entries together (declared and counted) */
  readonly maxTotalInflated: number;
  /** inflated ÷ compressed per entry; checked once an entry passes RATIO_FLOOR bytes */
  readonly maxRatio: number;
  /** data rows per sheet (after the header) */
  readonly maxRows: number;
  readonly maxColumns: number;
};

/**
 * The top-level keys are the CSV (text) limits — they are what the use case's settings
 * have always overridden (`{ maxRows }`, `maxBytes` for the sniff); `xlsx` holds the
 * workbook limits, which are far lower because inflated size is what a bomb attacks.
 */
export type Limits = {
  readonly maxBytes: number;
  /** data records after the header, blank ones included (they still cost a parse) */
  readonly maxRows: number;
  readonly maxColumns: number;
  /** one record's encoded length, in bytes of the file's encoding */
  readonly maxRecordBytes: number;
  readonly xlsx: XlsxLimits;
};

/** What a caller may override: any top-level limit, and any single workbook limit. */
export type LimitOverrides = Partial<Omit<Limits, 'xlsx'>> & { readonly xlsx?: Partial<XlsxLimits> };

const MiB = 1024 * 1024;

// CSV: a national teacher-level export is ~155 MB and 10⁶ rows, and legitimate,
// so the text limits leave head-room above it; the streaming reader's memory does not
// grow with the file. XLSX: exceljs costs ~12× CSV per row and a bomb attacks the inflated
// size, hence 20 MB compressed and 128 MB inflated in total.
export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxBytes: 200 * MiB,
  maxRows: 2_000_000,
  maxColumns: 64,
  maxRecordBytes: 64 * 1024,
  xlsx: Object.freeze({
    maxBytes: 20 * MiB,
    // Excel writes up to seven parts a sheet (sheet, its rels, printer settings, drawing
    // and its rels, comments, VML): 250 such sheets are ~1 760 parts. Entries cost no
    // memory of their own; the byte and ratio caps below are what bound a bomb.
    maxEntries: 2_048,
    maxEntryInflated: 64 * MiB,
    maxTotalInflated: 128 * MiB,
    maxRatio: 200,
    maxRows: 200_000,
    maxColumns: 64,
  }),
});

/** Defaults with the caller's overrides on top; a partial `xlsx` keeps the other workbook defaults. */
export function resolveLimits(overrides: LimitOverrides = {}): Limits {
  const { xlsx, ...text } = overrides;
  return { ...DEFAULT_LIMITS, ...dropUndefined(text), xlsx: { ...DEFAULT_LIMITS.xlsx, ...dropUndefined(xlsx ?? {}) } };
}

// `{ maxRows: undefined }` (an unset env setting) must not erase a default.
function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
