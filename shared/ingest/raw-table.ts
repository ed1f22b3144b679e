// Readers' shared vocabulary: a re-openable byte source, raw tables and rows as readers
// deliver them, and the hard limits every reader enforces. No I/O here.
import type { CellValue } from '../domain/result.ts';

/** Each call starts from byte 0 (the encoding sniff and the parse each read the object). */
export type ByteSource = () => AsyncIterable<Uint8Array>;

/** `row` is the spreadsheet row number as an admin sees it (a CSV header is row 1). */
export type RawRow = { readonly row: number; readonly cells: CellValue[] };

export type RawTable = {
  readonly sheet: string | null;
  readonly headerRow: number;
  readonly headers: string[];
  readonly rows: AsyncIterable<RawRow>;
};

export type Limits = {
  readonly maxBytes: number;
  readonly maxRows: number;
  readonly maxColumns: number;
  /** the longest CSV record, in characters */
  readonly maxRecordChars: number;
  readonly xlsx: {
    readonly maxBytes: number;
    readonly maxEntries: number;
    readonly maxEntryInflated: number;
    readonly maxTotalInflated: number;
    readonly maxRatio: number;
    readonly maxRows: number;
  };
};

// A region has about 10³ schools and the country about 4·10⁴; a national CSV of 10⁶ rows
// is the benchmark's upper bound. XLSX is capped lower because even the streaming reader
// costs ~12x CSV per row, and the inflated size is what a bomb attacks.
export const DEFAULT_LIMITS: Limits = {
  maxBytes: 256 * 1024 * 1024,
  maxRows: 2_000_000,
  maxColumns: 64,
  maxRecordChars: 64 * 1024,
  xlsx: {
    maxBytes: 20 * 1024 * 1024,
    maxEntries: 100,
    maxEntryInflated: 64 * 1024 * 1024,
    maxTotalInflated: 128 * 1024 * 1024,
    maxRatio: 200,
    maxRows: 200_000,
  },
};

export function withDefaults(l: Partial<Limits> = {}): Limits {
  return { ...DEFAULT_LIMITS, ...l, xlsx: { ...DEFAULT_LIMITS.xlsx, ...(l.xlsx ?? {}) } };
}
