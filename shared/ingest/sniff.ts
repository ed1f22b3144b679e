// Reads the bytes once: size, SHA-256 (the upload's identity), format (ZIP signature →
// XLSX, else text) and, for text, the encoding. Strict UTF-8 is tried first and
// Windows-1251 second — never the other way round, because CP1251 decoding never fails.
import { createHash } from 'node:crypto';
import { IssueCode } from '../domain/errors.ts';
import { fileError } from './issue.ts';
import type { ByteSource } from './raw-table.ts';

export type Sniffed = {
  readonly size: number;
  readonly sha256: string;
  readonly kind: 'csv' | 'xlsx';
  readonly encoding: 'utf-8' | 'utf-8-bom' | 'windows-1251' | null;
};

export async function sniffBytes(open: ByteSource, opts: { file: string; maxBytes: number }): Promise<Sniffed> {
  const hash = createHash('sha256');
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let size = 0;
  let head: Uint8Array | null = null;
  let validUtf8 = true;
  let nul = false;
  let zip = false;
  for await (const chunk of open()) {
    if (size === 0 && chunk.length > 0) {
      head = chunk.subarray(0, 4);
      zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
      if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
        throw fileError(opts.file, IssueCode.UnsupportedEncoding, 'the file is UTF-16 (Excel\'s "Unicode text"); save it as CSV UTF-8 or CSV Windows-1251');
      }
    }
    size += chunk.length;
    if (size > opts.maxBytes) throw fileError(opts.file, IssueCode.TooLarge, `the file is larger than the limit of ${opts.maxBytes} bytes`);
    hash.update(chunk);
    if (!zip) {
      if (!nul && chunk.includes(0)) nul = true;
      if (validUtf8) {
        try {
          utf8.decode(chunk, { stream: true });
        } catch {
          validUtf8 = false;
        }
      }
    }
  }
  if (size === 0) throw fileError(opts.file, IssueCode.EmptyFile, 'the file is empty');
  const sha256 = hash.digest('hex');
  if (zip) return { size, sha256, kind: 'xlsx', encoding: null };
  if (nul) throw fileError(opts.file, IssueCode.UnsupportedFormat, 'not a CSV or XLSX file (binary content)');
  if (validUtf8) {
    try {
      utf8.decode();
    } catch {
      validUtf8 = false; // the file ends inside a multi-byte sequence
    }
  }
  const bom = head !== null && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  return { size, sha256, kind: 'csv', encoding: validUtf8 ? (bom ? 'utf-8-bom' : 'utf-8') : 'windows-1251' };
}
