// Byte sniffing: ONE streaming pass over the object computing its size, SHA-256 (the
// upload's identity), its kind (ZIP signature → XLSX, else text) and, for text, its
// encoding. Parses nothing and keeps no more than a few bytes; no I/O of its own.
//
// Encoding rule: a UTF-8 BOM wins; a UTF-16 BOM (LE or BE) is
// UTF-16 text — Excel's «Текст в Юникоде» (tab-separated, CRLF), unambiguous and common;
// otherwise strict UTF-8 validation across chunk boundaries, and only if that fails,
// Windows-1251. UTF-16 without a BOM stays a binary file (NUL bytes throughout). Never the other way round: CP1251 decoding accepts every byte, so trying
// it first would turn every UTF-8 file into mojibake.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { IssueCode } from '../domain/errors.ts';
import { bytesLabel, inputError } from './issue.ts';
import type { ByteSource } from './raw-table.ts';
import type { FileFormat, TextEncodingName } from '../domain/schemas.ts';

export type Sniffed =
  | { readonly kind: 'csv'; readonly size: number; readonly sha256: string; readonly encoding: TextEncodingName }
  | { readonly kind: 'xlsx'; readonly size: number; readonly sha256: string; readonly encoding: null };

const ZIP_LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];
// The old binary .xls (OLE2 compound file) is a common mistake; naming it helps the admin.
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0];

// Binaries (and BOM-less UTF-16) have NUL bytes from the start and throughout; a text
// export with a stray NUL in one record is still text (that record alone is rejected).
const BINARY_HEAD = 1024;
const BINARY_NUL_SHARE = 1 / 1000;

export async function sniffBytes(open: ByteSource, opts: { file: string; maxBytes: number }): Promise<Sniffed> {
  const { file, maxBytes } = opts;
  const hash = createHash('sha256');
  const head = new Uint8Array(4);
  let size = 0;
  let kind: FileFormat | null = null;
  let bom = false;
  let utf16: 'utf-16le' | 'utf-16be' | null = null;
  let utf8 = true;
  let nuls = 0;
  // bytes of a multi-byte sequence cut by the chunk end, validated with the next chunk
  let carry: Uint8Array = new Uint8Array(0);

  for await (const chunk of open()) {
    if (chunk.length === 0) continue;
    if (size + chunk.length > maxBytes) {
      throw inputError(file, IssueCode.TooLarge, `the file is larger than the limit of ${bytesLabel(maxBytes)} (maxBytes = ${maxBytes})`);
    }
    hash.update(chunk);
    const start = size;
    size += chunk.length;
    if (kind === null) {
      head.set(chunk.subarray(0, Math.min(chunk.length, 4 - start)), start);
      if (size < 4) continue; // decide on the first four bytes, however the source chunks them
      kind = decideKind(head, file);
      bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
      utf16 = utf16Bom(head);
      // The bytes seen so far were only buffered in `head`: check them now.
      const seen = Buffer.concat([head, chunk.subarray(4 - start)]);
      if (kind === 'csv' && utf16 === null) {
        nuls += countNuls(seen, 0, file);
        ({ utf8, carry } = checkText(seen, carry, utf8));
      }
      continue;
    }
    if (kind === 'csv' && utf16 === null) {
      nuls += countNuls(chunk, start, file);
      ({ utf8, carry } = checkText(chunk, carry, utf8));
    }
  }

  if (size === 0) throw inputError(file, IssueCode.EmptyFile, 'the file is empty');
  if (kind === null) {
    // fewer than four bytes in all: too short for a ZIP, so text (or garbage)
    kind = decideKind(head.subarray(0, size), file);
    bom = false;
    utf16 = utf16Bom(head.subarray(0, size));
    if (utf16 && kind === 'csv') return { kind, size, sha256: hash.digest('hex'), encoding: utf16 };
    nuls += countNuls(head.subarray(0, size), 0, file);
    ({ utf8, carry } = checkText(head.subarray(0, size), carry, utf8));
  }
  if (nuls > size * BINARY_NUL_SHARE) throw binary(file);
  const sha256 = hash.digest('hex');
  if (kind === 'xlsx') return { kind, size, sha256, encoding: null };
  // UTF-16 is validated as it is decoded (the reader's decoder is fatal).
  if (utf16) return { kind, size, sha256, encoding: utf16 };
  // A file that ends inside a multi-byte sequence is not valid UTF-8.
  if (utf8 && carry.length > 0) utf8 = false;
  if (bom && !utf8) {
    // Decoding it either way would corrupt text silently; the admin can fix the export.
    throw inputError(file, IssueCode.UnsupportedEncoding, 'the file starts with a UTF-8 byte order mark but is not valid UTF-8; save it again as UTF-8 or Windows-1251', { value: 'UTF-8 BOM' });
  }
  return { kind, size, sha256, encoding: bom ? 'utf-8-bom' : utf8 ? 'utf-8' : 'windows-1251' };
}

function decideKind(head: Uint8Array, file: string): FileFormat {
  if (startsWith(head, ZIP_LOCAL_HEADER)) return 'xlsx';
  if (startsWith(head, OLE2)) {
    throw inputError(file, IssueCode.UnsupportedFormat, 'not a CSV or XLSX file: this is an old binary .xls workbook; save it as .xlsx or CSV');
  }
  return 'csv';
}

function utf16Bom(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (startsWith(head, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(head, [0xfe, 0xff])) return 'utf-16be';
  return null;
}

function binary(file: string) {
  return inputError(file, IssueCode.UnsupportedFormat, 'not a CSV or XLSX file: it contains binary data (NUL bytes)');
}

/** NUL bytes in a chunk that starts at byte `offset`; any in the file's first KiB make it binary. */
function countNuls(chunk: Uint8Array, offset: number, file: string): number {
  const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let n = 0;
  for (let i = b.indexOf(0); i !== -1; i = b.indexOf(0, i + 1)) {
    if (offset + i < BINARY_HEAD) throw binary(file);
    n++;
  }
  return n;
}

/** Strict UTF-8 validation of one chunk, carrying a cut sequence over. */
function checkText(chunk: Uint8Array, carry: Uint8Array, utf8: boolean): { utf8: boolean; carry: Uint8Array } {
  if (!utf8) return { utf8, carry };
  const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
  const cut = incompleteTail(bytes);
  if (!isUtf8(bytes.subarray(0, cut))) return { utf8: false, carry: new Uint8Array(0) };
  // copy: the source may reuse its chunk buffer
  return { utf8: true, carry: Uint8Array.from(bytes.subarray(cut)) };
}

/**
 * Index where a multi-byte sequence starts that the chunk cuts short, or `b.length` if the
 * chunk ends on a boundary. Only a lead byte with fewer continuations than it announces
 * is carried; anything malformed is left for `isUtf8` to reject.
 */
export function incompleteTail(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= Math.min(3, n); k++) {
    const byte = b[n - k]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > k ? n - k : n;
  }
  return n;
}

function startsWith(b: Uint8Array, sig: readonly number[]): boolean {
  return b.length >= sig.length && sig.every((x, i) => b[i] === x);
}
