// guardZip: declared and counted inflate limits, hidden entries, DTDs, damaged archives.
// Limits are scaled down so every archive here stays a few KB.
import ExcelJS from 'exceljs';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { InputError, IssueCode } from '../../../../shared/domain/errors.ts';
import { DEFAULT_LIMITS, type XlsxLimits } from '../../../../shared/formats/raw-table.ts';
import { guardZip } from '../../../../shared/formats/xlsx/zip-guard.ts';
import { buildZip, crc32, SHEET_CLOSE, SHEET_OPEN, thrown, xlsxParts } from '../../../support/xlsx-fixtures.ts';

const FILE = 'uploads/26/book.xlsx';
const MiB = 1024 * 1024;
const SMALL: XlsxLimits = { ...DEFAULT_LIMITS.xlsx, maxEntryInflated: 2 * MiB, maxTotalInflated: 3 * MiB };

async function issueOf(bytes: Uint8Array, limits: XlsxLimits = SMALL) {
  const err = await thrown(() => guardZip(bytes, { file: FILE, limits }));
  expect(err).toBeInstanceOf(InputError);
  return (err as InputError).issue;
}

/** A sheet of `size` bytes that is almost all whitespace inside <sheetData>. */
function whitespaceSheet(size: number): string {
  return SHEET_OPEN + ' '.repeat(size - SHEET_OPEN.length - SHEET_CLOSE.length) + SHEET_CLOSE;
}

describe('guardZip', () => {
  test('a workbook written by exceljs passes', async () => {
    // Prepare
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Лист1').addRows([
      ['ИНН', 'Наименование'],
      ['2624000001', 'МБОУ СОШ № 1'],
    ]);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    // Act + Assess
    await expect(guardZip(bytes, { file: FILE, limits: DEFAULT_LIMITS.xlsx })).resolves.toBeUndefined();
  });

  test('a hand-built minimal workbook with stored and deflated parts passes', async () => {
    const parts = xlsxParts({ data: SHEET_OPEN + SHEET_CLOSE, method: 0 });
    await expect(guardZip(buildZip(parts), { file: FILE, limits: SMALL })).resolves.toBeUndefined();
  });

  test('a part declaring more than maxEntryInflated is a bomb naming the limit', async () => {
    const issue = await issueOf(buildZip(xlsxParts({ data: whitespaceSheet(2 * MiB + 1) })));
    expect(issue).toMatchObject({ code: IssueCode.ZipBomb, file: FILE });
    expect(issue.message).toContain('xlsx.maxEntryInflated');
    expect(issue.message).toContain('2 MiB');
  });

  test('parts declaring more than maxTotalInflated together are a bomb naming the limit', async () => {
    const parts = [...xlsxParts({ data: whitespaceSheet(MiB) }), { name: 'xl/a.xml', data: whitespaceSheet(MiB) }, { name: 'xl/b.xml', data: whitespaceSheet(MiB) }];
    const issue = await issueOf(buildZip(parts), { ...SMALL, maxRatio: 100_000 });
    expect(issue.code).toBe(IssueCode.ZipBomb);
    expect(issue.message).toContain('xlsx.maxTotalInflated');
  });

  test('a declared ratio above maxRatio is a bomb naming the limit', async () => {
    const issue = await issueOf(buildZip(xlsxParts({ data: whitespaceSheet(MiB + 10) })));
    expect(issue.code).toBe(IssueCode.ZipBomb);
    expect(issue.message).toContain('xlsx.maxRatio');
  });

  test('small parts are exempt from the ratio check', async () => {
    await expect(guardZip(buildZip(xlsxParts({ data: whitespaceSheet(512 * 1024) })), { file: FILE, limits: SMALL })).resolves.toBeUndefined();
  });

  test('an under-declared part is stopped by the inflate counter at the cap', async () => {
    // Prepare: 8 MiB of whitespace that the central directory calls 1 KiB
    const parts = xlsxParts({ data: whitespaceSheet(8 * MiB), declaredSize: 1024 });
    // Act
    const issue = await issueOf(buildZip(parts), { ...SMALL, maxRatio: 100_000 });
    // Assess
    expect(issue.code).toBe(IssueCode.ZipBomb);
    expect(issue.message).toContain('inflates past 2 MiB (xlsx.maxEntryInflated)');
  });

  test('an under-declared part is stopped by the ratio counter when that cap is lower', async () => {
    const issue = await issueOf(buildZip(xlsxParts({ data: whitespaceSheet(8 * MiB), declaredSize: 1024 })), { ...SMALL, maxEntryInflated: 64 * MiB, maxTotalInflated: 128 * MiB });
    expect(issue.code).toBe(IssueCode.ZipBomb);
    expect(issue.message).toContain('xlsx.maxRatio');
  });

  test('an under-declared part within every cap is a damaged archive', async () => {
    const issue = await issueOf(buildZip(xlsxParts({ data: whitespaceSheet(64 * 1024), declaredSize: 1024 })));
    expect(issue.code).toBe(IssueCode.CorruptArchive);
    expect(issue.message).toContain('declares 1024 bytes');
  });

  test('more entries than maxEntries is a bomb naming the limit', async () => {
    const parts = Array.from({ length: 6 }, (_, i) => ({ name: `xl/p${i}.xml`, data: '<a/>' }));
    const issue = await issueOf(buildZip(parts), { ...SMALL, maxEntries: 5 });
    expect(issue.code).toBe(IssueCode.ZipBomb);
    expect(issue.message).toContain('xlsx.maxEntries');
  });

  test('a DOCTYPE in a sheet is an XML entity error', async () => {
    const sheet = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><worksheet><sheetData/></worksheet>';
    const issue = await issueOf(buildZip(xlsxParts({ data: sheet })));
    expect(issue).toMatchObject({ code: IssueCode.XmlEntity, file: FILE, value: 'xl/worksheets/sheet1.xml' });
  });

  test('a DOCTYPE cut by an inflate chunk edge is still found', async () => {
    // 64 KiB is the inflater's chunk size: the declaration straddles the first edge.
    const sheet = ' '.repeat(64 * 1024 - 4) + '<!DOCTYPE x>' + SHEET_OPEN + SHEET_CLOSE;
    expect((await issueOf(buildZip(xlsxParts({ data: sheet })))).code).toBe(IssueCode.XmlEntity);
  });

  test('an ENTITY in a stored part with a non-XML name is found (lower case too)', async () => {
    const parts = [...xlsxParts({ data: SHEET_OPEN + SHEET_CLOSE }), { name: 'xl/worksheets/sheet2.xml.bin', data: '<!entity x "y">', method: 0 as const }];
    expect((await issueOf(buildZip(parts))).code).toBe(IssueCode.XmlEntity);
  });

  test('data hidden between entries is a damaged archive (a streaming reader would parse it)', async () => {
    const hidden = buildZip([{ name: 'xl/worksheets/sheet9.xml', data: '<x/>' }]).subarray(0, 60);
    const issue = await issueOf(buildZip(xlsxParts({ data: SHEET_OPEN + SHEET_CLOSE }), { junkBetween: hidden }));
    expect(issue.code).toBe(IssueCode.CorruptArchive);
  });

  test('a central directory that disagrees with the local header is a damaged archive', async () => {
    const issue = await issueOf(buildZip(xlsxParts({ data: SHEET_OPEN + SHEET_CLOSE, cdDeclaredSize: 10 })));
    expect(issue.code).toBe(IssueCode.CorruptArchive);
  });

  test('a truncated archive and random bytes are damaged archives', async () => {
    const whole = buildZip(xlsxParts({ data: SHEET_OPEN + SHEET_CLOSE }));
    expect((await issueOf(whole.subarray(0, whole.length - 30))).code).toBe(IssueCode.CorruptArchive);
    expect((await issueOf(new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]))).code).toBe(IssueCode.CorruptArchive);
  });

  test('deflate data that does not inflate is a damaged archive', async () => {
    const garbage = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x00, 0x12]);
    const parts = xlsxParts({ compressed: { bytes: garbage, size: 10, crc: 0 } });
    expect((await issueOf(buildZip(parts))).code).toBe(IssueCode.CorruptArchive);
  });

  test('bytes after a deflate stream inside an entry are a damaged archive', async () => {
    const raw = Buffer.from(SHEET_OPEN + SHEET_CLOSE);
    const bytes = Buffer.concat([deflateRawSync(raw), Buffer.from('PK\x03\x04 sneaky')]);
    const parts = xlsxParts({ compressed: { bytes, size: raw.length, crc: crc32(raw) } });
    expect((await issueOf(buildZip(parts))).code).toBe(IssueCode.CorruptArchive);
  });

  test('an unsupported compression method is UnsupportedFormat', async () => {
    const zip = Buffer.from(buildZip(xlsxParts({ data: SHEET_OPEN + SHEET_CLOSE, method: 0 })));
    // patch the sheet's method (last entry) to 12 (bzip2) in both headers
    const cd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const local = zip.readUInt32LE(cd + 42);
    zip.writeUInt16LE(12, cd + 10);
    zip.writeUInt16LE(12, local + 8);
    expect((await issueOf(new Uint8Array(zip))).code).toBe(IssueCode.UnsupportedFormat);
  });

  test('an archive over xlsx.maxBytes is TooLarge naming the limit', async () => {
    const issue = await issueOf(buildZip(xlsxParts({ data: SHEET_OPEN + SHEET_CLOSE })), { ...SMALL, maxBytes: 100 });
    expect(issue.code).toBe(IssueCode.TooLarge);
    expect(issue.message).toContain('xlsx.maxBytes = 100');
  });
});
