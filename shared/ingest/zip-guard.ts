// Checks an XLSX (ZIP) archive before any parser touches it: the central directory's
// declared sizes, entry count and ratios, then a real inflate of every entry with a byte
// counter that aborts at the cap — declared sizes are attacker-controlled, the counter is
// the real guard — and a scan of XML parts for DOCTYPE/ENTITY declarations. A bomb is a
// file-level error, never an out-of-memory: inflated bytes are counted and dropped.
import { createInflateRaw } from 'node:zlib';
import { IssueCode } from '../domain/errors.ts';
import { fileError } from './issue.ts';
import type { Limits } from './raw-table.ts';

type Entry = { name: string; method: number; compressed: number; declared: number; localOffset: number };

export async function guardZip(bytes: Uint8Array, opts: { file: string; limits: Limits['xlsx'] }): Promise<void> {
  const { file, limits } = opts;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length > limits.maxBytes) throw fileError(file, IssueCode.TooLarge, `the workbook is larger than the limit of ${limits.maxBytes} bytes`);
  const entries = centralDirectory(buf, file, limits);
  let declaredTotal = 0;
  for (const e of entries) {
    declaredTotal += e.declared;
    if (e.declared > limits.maxEntryInflated || declaredTotal > limits.maxTotalInflated) {
      throw fileError(file, IssueCode.ZipBomb, `the workbook declares ${e.declared} bytes for ${e.name}; the limits are ${limits.maxEntryInflated} per part and ${limits.maxTotalInflated} in total`);
    }
    if (e.compressed > 0 && e.declared / e.compressed > limits.maxRatio) {
      throw fileError(file, IssueCode.ZipBomb, `${e.name} declares a compression ratio above ${limits.maxRatio}:1`);
    }
  }
  let total = 0;
  for (const e of entries) total += await inflateCounting(buf, e, file, limits, total);
}

function centralDirectory(buf: Buffer, file: string, limits: Limits['xlsx']): Entry[] {
  const corrupt = (why: string) => fileError(file, IssueCode.CorruptArchive, `the workbook is not a readable XLSX (ZIP) file: ${why}`);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt('no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw fileError(file, IssueCode.UnsupportedFormat, 'ZIP64 workbooks are not supported; an export of this size should be a CSV');
  if (count > limits.maxEntries) throw fileError(file, IssueCode.ZipBomb, `the workbook has ${count} parts; the limit is ${limits.maxEntries}`);
  if (cdOffset + cdSize > buf.length) throw corrupt('central directory out of range');
  const entries: Entry[] = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw corrupt('bad central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const declared = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (method !== 0 && method !== 8) throw fileError(file, IssueCode.UnsupportedFormat, `${name} uses an unsupported compression method (${method})`);
    entries.push({ name, method, compressed, declared, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function dataOf(buf: Buffer, e: Entry, file: string): Buffer {
  const p = e.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== 0x04034b50) {
    throw fileError(file, IssueCode.CorruptArchive, `the workbook is not a readable XLSX (ZIP) file: bad local header for ${e.name}`);
  }
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  if (start + e.compressed > buf.length) throw fileError(file, IssueCode.CorruptArchive, `the workbook is truncated inside ${e.name}`);
  return buf.subarray(start, start + e.compressed);
}

const DTD = /<!(DOCTYPE|ENTITY)/iu;

/** Inflates one entry, counting bytes; returns the inflated size. Nothing is kept but a short tail for the DTD scan. */
function inflateCounting(buf: Buffer, e: Entry, file: string, limits: Limits['xlsx'], before: number): Promise<number> {
  const data = dataOf(buf, e, file);
  const xml = /\.(xml|rels|vml)$/iu.test(e.name);
  const bomb = (why: string) => fileError(file, IssueCode.ZipBomb, `${e.name} ${why}; the limits are ${limits.maxEntryInflated} bytes per part and ${limits.maxTotalInflated} in total`);
  const entity = () => fileError(file, IssueCode.XmlEntity, `${e.name} contains a DOCTYPE or ENTITY declaration, which workbooks never need`);
  if (e.method === 0) {
    if (xml && DTD.test(data.toString('latin1'))) return Promise.reject(entity());
    return Promise.resolve(data.length);
  }
  return new Promise((resolve, reject) => {
    const inflate = createInflateRaw({ chunkSize: 64 * 1024 });
    let n = 0;
    let tail = '';
    let failed = false;
    const stop = (err: Error) => {
      if (failed) return;
      failed = true;
      inflate.destroy();
      reject(err);
    };
    inflate.on('data', (chunk: Buffer) => {
      n += chunk.length;
      if (n > limits.maxEntryInflated || before + n > limits.maxTotalInflated) return stop(bomb(`inflates past the limit`));
      if (n > e.declared) return stop(bomb(`inflates beyond its declared ${e.declared} bytes`));
      if (xml) {
        const text = tail + chunk.toString('latin1');
        if (DTD.test(text)) return stop(entity());
        tail = text.slice(-16);
      }
    });
    inflate.on('error', () => stop(fileError(file, IssueCode.CorruptArchive, `the workbook is not a readable XLSX (ZIP) file: ${e.name} does not inflate`)));
    inflate.on('end', () => {
      if (!failed) resolve(n);
    });
    inflate.end(data);
  });
}
