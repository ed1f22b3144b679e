// sniffBytes: one pass for size, hash, kind and encoding; hostile and unusual bytes.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { InputError, IssueCode } from '../../../shared/domain/errors.ts';
import { incompleteTail, sniffBytes } from '../../../shared/formats/sniff.ts';
import { chunked, cp1251, thrown, utf8 } from '../../support/xlsx-fixtures.ts';

const FILE = 'uploads/26/export.csv';
const MAX = 10 * 1024 * 1024;

describe('sniffBytes', () => {
  test('reports size and the SHA-256 of the whole object', async () => {
    // Prepare
    const bytes = utf8('Период;МОУО\r\n06.03-10.03.2023;Буденновский МО\r\n');
    // Act
    const s = await sniffBytes(chunked(bytes, 7), { file: FILE, maxBytes: MAX });
    // Assess
    expect(s.size).toBe(bytes.length);
    expect(s.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  test('plain UTF-8 Cyrillic fed one byte at a time is utf-8', async () => {
    const s = await sniffBytes(chunked(utf8('Буденновский муниципальный округ;Да\n'), 1), { file: FILE, maxBytes: MAX });
    expect(s).toMatchObject({ kind: 'csv', encoding: 'utf-8' });
  });

  test('a UTF-8 BOM is utf-8-bom', async () => {
    const s = await sniffBytes(chunked(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('ИНН;КПП\n')]), 2), { file: FILE, maxBytes: MAX });
    expect(s).toMatchObject({ kind: 'csv', encoding: 'utf-8-bom' });
  });

  test('CP1251 whose first Cyrillic byte comes after 100 KB of ASCII is windows-1251', async () => {
    const bytes = new Uint8Array([...utf8('a;b\n'.repeat(25_600)), ...cp1251('Педагогов всего;Будённовский\n')]);
    const s = await sniffBytes(chunked(bytes), { file: FILE, maxBytes: MAX });
    expect(s).toMatchObject({ kind: 'csv', encoding: 'windows-1251' });
  });

  test('text ending inside a multi-byte sequence is not UTF-8', async () => {
    const s = await sniffBytes(chunked(new Uint8Array([...utf8('abc;'), 0xd0])), { file: FILE, maxBytes: MAX });
    expect(s.encoding).toBe('windows-1251');
  });

  test('a ZIP signature is xlsx, without an encoding', async () => {
    const s = await sniffBytes(chunked(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0xff, 0x10]), 1), { file: 'a.xlsx', maxBytes: MAX });
    expect(s).toMatchObject({ kind: 'xlsx', encoding: null, size: 8 });
  });

  test('UTF-16LE with a BOM (Excel «Текст в Юникоде») is utf-16le text', async () => {
    const body = Buffer.from('Период\tМОУО\r\n', 'utf16le');
    const s = await sniffBytes(chunked(new Uint8Array([0xff, 0xfe, ...body]), 3), { file: FILE, maxBytes: MAX });
    expect(s).toMatchObject({ kind: 'csv', encoding: 'utf-16le', size: body.length + 2 });
  });

  test('UTF-16BE with a BOM is utf-16be text, its NUL bytes no sign of a binary', async () => {
    const body = Buffer.from('Период\tМОУО\r\n'.repeat(50), 'utf16le').swap16();
    const s = await sniffBytes(chunked(new Uint8Array([0xfe, 0xff, ...body])), { file: FILE, maxBytes: MAX });
    expect(s).toMatchObject({ kind: 'csv', encoding: 'utf-16be' });
  });

  test('UTF-16 without a BOM is still a binary file (NULs throughout)', async () => {
    const err = await thrown(() => sniffBytes(chunked(new Uint8Array(Buffer.from('Period\tMOUO\r\n'.repeat(20), 'utf16le'))), { file: FILE, maxBytes: MAX }));
    expect((err as InputError).issue.code).toBe(IssueCode.UnsupportedFormat);
  });

  test('a binary file named .csv is not a CSV or XLSX file', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const err = await thrown(() => sniffBytes(chunked(png, 3), { file: 'uploads/26/photo.csv', maxBytes: MAX }));
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.UnsupportedFormat, file: 'uploads/26/photo.csv' });
    expect((err as InputError).issue.message).toContain('not a CSV or XLSX file');
  });

  test('one NUL byte deep inside plain text keeps it text (the reader rejects that record)', async () => {
    const bytes = new Uint8Array([...utf8('a;b\n'.repeat(50_000)), 0, ...utf8('c\n')]);
    expect(await sniffBytes(chunked(bytes), { file: FILE, maxBytes: MAX })).toMatchObject({ kind: 'csv', encoding: 'utf-8' });
  });

  test('a NUL byte in the first KiB, or NULs throughout, make a file binary', async () => {
    const early = new Uint8Array([...utf8('a;b\n'.repeat(100)), 0, ...utf8('c\n')]);
    const many = new Uint8Array(Array.from({ length: 40_000 }, (_, i) => (i % 500 === 499 ? 0 : 0x61)));
    for (const bytes of [early, many]) {
      const err = await thrown(() => sniffBytes(chunked(bytes, 333), { file: FILE, maxBytes: MAX }));
      expect((err as InputError).issue.code).toBe(IssueCode.UnsupportedFormat);
    }
  });

  test('an old binary .xls is named as such', async () => {
    const err = await thrown(() => sniffBytes(chunked(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])), { file: 'a.xls', maxBytes: MAX }));
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.UnsupportedFormat });
    expect((err as InputError).issue.message).toContain('.xls');
  });

  test('an empty object is EmptyFile', async () => {
    const err = await thrown(() => sniffBytes(chunked(new Uint8Array(0)), { file: FILE, maxBytes: MAX }));
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.EmptyFile, file: FILE });
  });

  test('a file over maxBytes is TooLarge naming the limit', async () => {
    const err = await thrown(() => sniffBytes(chunked(utf8('x'.repeat(2048)), 100), { file: FILE, maxBytes: 1024 }));
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.TooLarge, file: FILE });
    expect((err as InputError).issue.message).toContain('1 KiB');
    expect((err as InputError).issue.message).toContain('1024');
  });

  test('a UTF-8 BOM before invalid UTF-8 is an encoding error, not silent mojibake', async () => {
    const err = await thrown(() => sniffBytes(chunked(new Uint8Array([0xef, 0xbb, 0xbf, ...cp1251('Школа\n')])), { file: FILE, maxBytes: MAX }));
    expect((err as InputError).issue.code).toBe(IssueCode.UnsupportedEncoding);
  });

  test('fewer than four bytes of text are still sniffed', async () => {
    const s = await sniffBytes(chunked(utf8('a;b')), { file: FILE, maxBytes: MAX });
    expect(s).toMatchObject({ kind: 'csv', encoding: 'utf-8', size: 3 });
  });
});

describe('incompleteTail', () => {
  test('carries exactly the bytes of a sequence cut by the chunk end', () => {
    const ya = utf8('я'); // D1 8F
    const emoji = utf8('😀'); // F0 9F 98 80
    expect(incompleteTail(new Uint8Array([0x61, ya[0]!]))).toBe(1);
    expect(incompleteTail(new Uint8Array([0x61, ...ya]))).toBe(3);
    expect(incompleteTail(new Uint8Array([0x61, ...emoji.slice(0, 3)]))).toBe(1);
    expect(incompleteTail(new Uint8Array([0x61, ...emoji]))).toBe(5);
  });
});
