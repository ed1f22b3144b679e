// The gate in front of the XLSX parser: checks a ZIP archive given as bytes before any
// library touches it. Parses nothing but ZIP structures; no I/O of its own.
//
// 1. End of central directory and central directory, parsed here (no library): entry
//    count, declared sizes per entry and in total, declared ratio.
// 2. The local headers must tile the archive exactly in central-directory order. exceljs
//    reads the archive as a stream of local headers, not through the central directory;
//    an entry hidden between the listed ones would be parsed without being checked.
// 3. Every entry is inflated with a streaming inflater whose output is counted and
//    dropped, aborting the moment a cap is passed. Declared sizes are attacker-controlled
//    (both checks are needed, the counter is the real guard); an
//    entry is never inflated into memory.
// 4. Every entry is scanned for `<!DOCTYPE` / `<!ENTITY`: workbooks never need a DTD, and
//    exceljs picks parts by unanchored name patterns, so "XML part" cannot be decided by
//    name — all entries are scanned.
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { InputError, IssueCode } from '../../domain/errors.ts';
import { bytesLabel, inputError } from '../issue.ts';
import type { XlsxLimits } from '../raw-table.ts';

/**
 * Entries smaller than this are exempt from the ratio check: a tiny, highly repetitive
 * part (an empty sheet, a styles stub) can exceed 200:1 without being any threat.
 */
export const RATIO_FLOOR = 1024 * 1024;

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const DESCRIPTOR_SIG = 0x08074b50;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const STORED = 0;
const DEFLATED = 8;
const PIECE = 64 * 1024;

type Entry = {
  readonly name: string;
  readonly nameBytes: Buffer;
  readonly method: number;
  readonly flags: number;
  readonly compressed: number;
  readonly declared: number;
  readonly localOffset: number;
};

/** One checked part of the archive: its compressed bytes, inflated again on demand by the reader. */
export type ZipPart = { readonly name: string; readonly method: number; readonly data: Buffer };

export async function guardZip(bytes: Uint8Array, opts: { file: string; limits: XlsxLimits }): Promise<void> {
  await checkedParts(bytes, opts);
}

/**
 * The archive's parts once every check above has passed, in central-directory order. The
 * reader opens any part at any time from these (re-openable: the bytes are in memory), so
 * the order of parts in the zip never decides what the reader knows when.
 */
export async function checkedParts(bytes: Uint8Array, opts: { file: string; limits: XlsxLimits }): Promise<ZipPart[]> {
  const { file, limits } = opts;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length > limits.maxBytes) {
    throw inputError(file, IssueCode.TooLarge, `the workbook is larger than the limit of ${bytesLabel(limits.maxBytes)} (xlsx.maxBytes = ${limits.maxBytes})`);
  }
  const { entries, cdOffset } = centralDirectory(buf, file, limits);
  checkDeclared(entries, file, limits);
  const data = checkLayout(buf, entries, cdOffset, file);

  let total = 0;
  for (let k = 0; k < entries.length; k++) {
    total += await inflateCounted(entries[k]!, data[k]!, total, file, limits);
  }
  return entries.map((e, k) => ({ name: e.name, method: e.method, data: data[k]! }));
}

/** A checked part's bytes as they inflate, piece by piece (never the whole part at once). */
export async function* inflatePart(part: ZipPart): AsyncGenerator<Buffer> {
  if (part.method === STORED) {
    yield* pieces(part.data);
    return;
  }
  const inflater = createInflateRaw({ chunkSize: PIECE });
  const source = Readable.from(pieces(part.data));
  source.pipe(inflater);
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) yield chunk;
  } finally {
    source.unpipe(inflater);
    source.destroy();
    inflater.destroy();
  }
}

function corrupt(file: string, why: string): InputError {
  return inputError(file, IssueCode.CorruptArchive, `the workbook is not a readable XLSX (ZIP) file: ${why}`);
}

function bomb(file: string, entry: string, what: string): InputError {
  return inputError(file, IssueCode.ZipBomb, `the workbook is a decompression bomb: ${what}`, { value: entry.slice(0, 200) });
}

function centralDirectory(buf: Buffer, file: string, limits: XlsxLimits): { entries: Entry[]; cdOffset: number } {
  const eocd = findEocd(buf);
  if (eocd < 0) throw corrupt(file, 'no end of central directory record');
  const disk = buf.readUInt16LE(eocd + 4);
  const cdDisk = buf.readUInt16LE(eocd + 6);
  const onDisk = buf.readUInt16LE(eocd + 8);
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff || (eocd >= 20 && buf.readUInt32LE(eocd - 20) === ZIP64_LOCATOR_SIG)) {
    throw inputError(file, IssueCode.UnsupportedFormat, 'not a supported XLSX file: ZIP64 archives are not accepted (an export this large should be a CSV)');
  }
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) throw corrupt(file, 'multi-volume archive');
  if (count > limits.maxEntries) {
    throw inputError(file, IssueCode.ZipBomb, `the workbook has ${count} parts; the limit is ${limits.maxEntries} (xlsx.maxEntries)`);
  }
  if (count === 0) throw corrupt(file, 'the archive is empty');
  if (cdOffset + cdSize > eocd) throw corrupt(file, 'the central directory lies outside the archive');

  const entries: Entry[] = [];
  let p = cdOffset;
  const end = cdOffset + cdSize;
  for (let k = 0; k < count; k++) {
    if (p + 46 > end || buf.readUInt32LE(p) !== CENTRAL_SIG) throw corrupt(file, 'a central directory entry is damaged');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const declared = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > end) throw corrupt(file, 'a central directory entry is damaged');
    const nameBytes = buf.subarray(p + 46, p + 46 + nameLen);
    const name = nameBytes.toString('utf8');
    if (compressed === 0xffffffff || declared === 0xffffffff || localOffset === 0xffffffff) {
      throw inputError(file, IssueCode.UnsupportedFormat, 'not a supported XLSX file: ZIP64 entries are not accepted');
    }
    if (flags & FLAG_ENCRYPTED) throw inputError(file, IssueCode.UnsupportedFormat, 'not a supported XLSX file: the workbook is encrypted or password-protected');
    if (method !== STORED && method !== DEFLATED) {
      throw inputError(file, IssueCode.UnsupportedFormat, `not a supported XLSX file: part ${name} uses compression method ${method} (only stored and deflate are read)`);
    }
    entries.push({ name, nameBytes, method, flags, compressed, declared, localOffset });
    p = next;
  }
  if (p !== end) throw corrupt(file, 'the central directory size does not match its entries');
  return { entries, cdOffset };
}

function findEocd(buf: Buffer): number {
  // The record is 22 bytes plus a comment of up to 65 535; the last consistent one wins.
  const lowest = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= lowest; i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG && i + 22 + buf.readUInt16LE(i + 20) <= buf.length) return i;
  }
  return -1;
}

function checkDeclared(entries: readonly Entry[], file: string, limits: XlsxLimits): void {
  let total = 0;
  for (const e of entries) {
    if (e.declared > limits.maxEntryInflated) {
      throw bomb(file, e.name, `part ${e.name} declares ${e.declared} inflated bytes; the limit is ${bytesLabel(limits.maxEntryInflated)} per part (xlsx.maxEntryInflated)`);
    }
    total += e.declared;
    if (total > limits.maxTotalInflated) {
      throw bomb(file, e.name, `the parts declare more than ${bytesLabel(limits.maxTotalInflated)} inflated in total (xlsx.maxTotalInflated)`);
    }
    if (e.declared > RATIO_FLOOR && e.declared > limits.maxRatio * Math.max(e.compressed, 1)) {
      throw bomb(file, e.name, `part ${e.name} declares a compression ratio above ${limits.maxRatio}:1 (xlsx.maxRatio)`);
    }
    if (e.method === STORED && e.compressed !== e.declared) throw corrupt(file, `stored part ${e.name} has inconsistent sizes`);
  }
}

/**
 * Walks the local headers in archive order and returns each entry's compressed bytes
 * (in the order of `entries`). The headers must start at byte 0, follow one another with
 * nothing in between, end where the central directory begins, and agree with it.
 */
function checkLayout(buf: Buffer, entries: readonly Entry[], cdOffset: number, file: string): Buffer[] {
  const order = entries.map((e, k) => k).sort((a, b) => entries[a]!.localOffset - entries[b]!.localOffset);
  const data: Buffer[] = new Array<Buffer>(entries.length);
  let expected = 0;
  for (const k of order) {
    const e = entries[k]!;
    if (e.localOffset !== expected) throw corrupt(file, `unlisted data before part ${e.name}`);
    const p = e.localOffset;
    if (p + 30 > cdOffset || buf.readUInt32LE(p) !== LOCAL_SIG) throw corrupt(file, `the local header of part ${e.name} is damaged`);
    const flags = buf.readUInt16LE(p + 6);
    const method = buf.readUInt16LE(p + 8);
    const nameLen = buf.readUInt16LE(p + 26);
    const extraLen = buf.readUInt16LE(p + 28);
    const start = p + 30 + nameLen + extraLen;
    if (start > cdOffset || !buf.subarray(p + 30, p + 30 + nameLen).equals(e.nameBytes)) {
      throw corrupt(file, `the local header of part ${e.name} disagrees with the central directory`);
    }
    if (method !== e.method || (flags & FLAG_DESCRIPTOR) !== (e.flags & FLAG_DESCRIPTOR)) {
      throw corrupt(file, `the local header of part ${e.name} disagrees with the central directory`);
    }
    // Without a data descriptor the streaming parser trusts the local sizes, so they must
    // be the sizes that were checked.
    if (!(flags & FLAG_DESCRIPTOR) && (buf.readUInt32LE(p + 18) !== e.compressed || buf.readUInt32LE(p + 22) !== e.declared)) {
      throw corrupt(file, `the local header of part ${e.name} disagrees with the central directory`);
    }
    const dataEnd = start + e.compressed;
    if (dataEnd > cdOffset) throw corrupt(file, `part ${e.name} is truncated`);
    data[k] = buf.subarray(start, dataEnd);
    expected = dataEnd;
    if (flags & FLAG_DESCRIPTOR) {
      const withSig = dataEnd + 4 <= cdOffset && buf.readUInt32LE(dataEnd) === DESCRIPTOR_SIG;
      expected += withSig ? 16 : 12;
      if (expected > cdOffset) throw corrupt(file, `part ${e.name} is truncated`);
    }
  }
  if (expected !== cdOffset) throw corrupt(file, 'unlisted data before the central directory');
  return data;
}

const DTD = /<!(?:DOCTYPE|ENTITY)/iu;

/** Inflates one entry, counting and dropping the output; returns its inflated size. */
async function inflateCounted(e: Entry, data: Buffer, before: number, file: string, limits: XlsxLimits): Promise<number> {
  // The lowest cap wins; each names its own limit.
  const caps: [number, string][] = [
    [limits.maxEntryInflated, `part ${e.name} inflates past ${bytesLabel(limits.maxEntryInflated)} (xlsx.maxEntryInflated)`],
    [limits.maxTotalInflated - before, `the parts inflate past ${bytesLabel(limits.maxTotalInflated)} in total (xlsx.maxTotalInflated)`],
    [Math.max(RATIO_FLOOR, limits.maxRatio * e.compressed), `part ${e.name} inflates beyond a ratio of ${limits.maxRatio}:1 (xlsx.maxRatio)`],
  ];
  const [cap, capMessage] = caps.reduce((a, b) => (b[0] < a[0] ? b : a));
  let tail = '';
  const scan = (chunk: Buffer) => {
    // latin1 maps bytes 1:1, so the pattern is found whatever the part's encoding; the
    // tail carries a declaration cut by the chunk edge.
    const text = tail + chunk.toString('latin1');
    if (DTD.test(text)) {
      throw inputError(file, IssueCode.XmlEntity, `part ${e.name} contains a DOCTYPE or ENTITY declaration; workbooks never need one (XML entity attacks)`, { value: e.name.slice(0, 200) });
    }
    tail = text.slice(-9);
  };

  if (e.method === STORED) {
    if (data.length > cap) throw bomb(file, e.name, capMessage);
    for (let i = 0; i < data.length; i += PIECE) scan(data.subarray(i, Math.min(data.length, i + PIECE)));
    return data.length;
  }

  const inflater = createInflateRaw({ chunkSize: PIECE });
  const source = Readable.from(pieces(data));
  source.pipe(inflater);
  let n = 0;
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (n > cap) throw bomb(file, e.name, capMessage);
      scan(chunk);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw corrupt(file, `part ${e.name} does not inflate (${err instanceof Error ? err.message : 'unknown error'})`);
  } finally {
    source.unpipe(inflater);
    source.destroy();
    inflater.destroy();
  }
  // A deflate stream that ends early leaves bytes the streaming parser would misread as
  // the next header; a size that disagrees with the declaration is a damaged archive.
  if (inflater.bytesWritten !== data.length) throw corrupt(file, `part ${e.name} has data after its end`);
  if (n !== e.declared) throw corrupt(file, `part ${e.name} declares ${e.declared} bytes but inflates to ${n}`);
  return n;
}

function* pieces(data: Buffer): Generator<Buffer> {
  for (let i = 0; i < data.length; i += PIECE) yield data.subarray(i, Math.min(data.length, i + PIECE));
}
