// Test helper: a workbook's parts as text or bytes, edited and zipped again — to put what
// exceljs never writes into a real exceljs workbook: cell-less spacer rows, printer
// settings, another part order. Reads through the project's own zip guard (the parts are
// checked as any upload's would be) and writes with buildZip.
import { inflateRawSync } from 'node:zlib';
import { DEFAULT_LIMITS } from '../../shared/formats/raw-table.ts';
import { checkedParts } from '../../shared/formats/xlsx/zip-guard.ts';
import { buildZip, type ZipPart } from './xlsx-fixtures.ts';

export type Part = { name: string; data: Uint8Array | string };

/** The parts of a workbook in archive order, XML as text, anything else as bytes. */
export async function unzipParts(bytes: Uint8Array): Promise<Part[]> {
  const parts = await checkedParts(bytes, { file: 'fixture.xlsx', limits: { ...DEFAULT_LIMITS.xlsx, maxEntries: 10_000 } });
  return parts.map((p) => {
    const raw = p.method === 0 ? p.data : inflateRawSync(p.data);
    return { name: p.name, data: /\.(xml|rels)$/u.test(p.name) ? raw.toString('utf8') : new Uint8Array(raw) };
  });
}

export function zipParts(parts: readonly Part[]): Uint8Array {
  return buildZip(parts.map((p): ZipPart => ({ name: p.name, data: p.data })));
}

/**
 * The sheet's XML with a cell-less spacer row (`<row r="N" ht="6" customHeight="1"/>`, as
 * Excel writes them) at each of `rows`, which must be numbers the sheet has no row for.
 */
export function withSpacerRows(sheetXml: string, rows: readonly number[]): string {
  let out = sheetXml;
  for (const n of [...rows].sort((a, b) => b - a)) {
    const spacer = `<row r="${n}" ht="6" customHeight="1"/>`;
    const next = [...out.matchAll(/<row r="(\d+)"/gu)].find((m) => Number(m[1]) > n);
    out = next ? out.slice(0, next.index) + spacer + out.slice(next.index) : out.replace('</sheetData>', `${spacer}</sheetData>`);
  }
  return out;
}
