// Test helper: reading the documents back as a reader sees them — a workbook cell through
// its display format in a Russian locale, a slide's native table as its cells' text.
import type ExcelJS from 'exceljs';
import { formatCount, formatShare } from '../../shared/domain/report.ts';
import { NUM_FMT } from '../../shared/formats/xlsx/report.ts';

/** A cell as a spreadsheet in a Russian locale shows it: numbers through their display format. */
export function shown(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v !== 'number') throw new Error(`unexpected cell ${cell.address}: ${JSON.stringify(v)}`);
  if (cell.numFmt === NUM_FMT.count) return formatCount(v);
  if (cell.numFmt === NUM_FMT.share2) return formatShare(v, 2);
  if (cell.numFmt === NUM_FMT.share3) return formatShare(v, 3);
  throw new Error(`cell ${cell.address} has no seed format: ${cell.numFmt}`);
}

export const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
export const all = (re: RegExp, s: string) => [...s.matchAll(re)].map((m) => m[1]!);

/** A native table's cells: per <a:tr>, per <a:tc>, its runs' text (paragraphs joined by \n). */
export function tableCells(slide: string): string[][] {
  return all(/<a:tr [^>]*>([\s\S]*?)<\/a:tr>/g, slide).map((tr) =>
    all(/<a:tc>([\s\S]*?)<\/a:tc>/g, tr).map((tc) => all(/<a:p>([\s\S]*?)<\/a:p>/g, tc).map((p) => unescape(all(/<a:t>([^<]*)<\/a:t>/g, p).join(''))).join('\n')),
  );
}
