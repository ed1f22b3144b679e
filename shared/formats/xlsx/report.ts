// Rendering: the ministry's workbook, a document to print as it is. Sheet 1 is the seed's
// regional table under a title and a subtitle (region, weeks, when it was made), sheet 2
// the municipalities of the range's last week, sheet 3 that week's inactive schools. Each
// sheet prints landscape on A4, one page wide, the header row repeated on every page and
// frozen on screen; headers wrap inside widths that fit the data, with row heights that
// fit the wrapped lines (LibreOffice and Excel do not grow a row for wrapped text they did
// not lay out themselves).
//
// Counts and shares are numeric cells with display formats (`#,##0`, `0.00%`, `0.000%`)
// that a Russian locale shows as the seed prints them (`17 218`, `97,01%`, `21,292%`), so
// the ministry can compute with them; no data is an empty cell. Text is written as string
// cells, never as formulas, so a name beginning with `=` stays text
// (test/unit/formats/xlsx/report.test.ts).
import type ExcelJS from 'exceljs';
import type { EvaluationStatus } from '../../domain/evaluate.ts';
import { coverageNote, formatCell, inactiveSchoolsTable, type ReportCell, type ReportDocument, type ReportTable } from '../../domain/report.ts';

/** Display formats per cell kind. `#,##0` uses the reader's locale separator (a space in ru-RU). */
export const NUM_FMT = { count: '#,##0', share2: '0.00%', share3: '0.000%' } as const;

/** Short sheet names (Excel allows 31 characters): what each sheet is, not the document's title. */
export const SHEET_NAMES = { regional: 'Активность в Сфере', municipal: 'МОУО за неделю', inactive: 'Неактивные ОО' } as const;

/** A font every office machine has (LibreOffice maps it to the metric-compatible Liberation Sans). */
export const FONT = 'Arial';

/** The rows above the data: title, subtitle, header. */
export const HEADER_ROW = 3;

const FONT_SIZE = 10;
/** Points a line of 10 pt text takes in a row, with its leading. */
const LINE_PT = 13;
/** Column widths are in widths of "0"; Cyrillic capitals and bold text run wider. */
const CHAR = { plain: 1.0, bold: 1.2 };
const MAX_WIDTH = 48;
const MAX_HEADER_LINES = 5;
const THIN: Partial<ExcelJS.Borders> = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };

/** How many lines `text` wraps to in a column `width` characters wide (greedy by words, as a spreadsheet wraps). */
export function wrappedLines(text: string, width: number): number {
  let lines = 1;
  let used = 0;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const w = word.length;
    if (used === 0) used = w;
    else if (used + 1 + w <= width) used += 1 + w;
    else {
      lines++;
      used = w;
    }
    while (used > width) {
      lines++;
      used -= width;
    }
  }
  return lines;
}

/**
 * A column's width: the widest data cell as displayed, at least the longest header word,
 * and wide enough that a long header wraps into at most MAX_HEADER_LINES lines.
 */
function columnWidth(header: string, cells: readonly string[], maxHeaderLines = MAX_HEADER_LINES): number {
  const data = Math.max(0, ...cells.map((c) => c.length)) * CHAR.plain + 2;
  const word = Math.max(...header.split(/\s+/).map((w) => w.length)) * CHAR.bold + 2;
  const lines = (header.length * CHAR.bold) / maxHeaderLines + 2;
  return Math.min(MAX_WIDTH, Math.ceil(Math.max(8, data, word, lines)));
}

/**
 * A target status's fill, the dashboard's colours (README): green met, blue on track, amber
 * at risk, red breach, grey no data or not final — printed, so the statuses read at a glance.
 */
export const STATUS_FILL: Readonly<Partial<Record<EvaluationStatus | 'needs_review', string>>> = {
  met: 'FFD3EFD9',
  pending: 'FFDDEBFA',
  at_risk: 'FFFFEDC2',
  needs_review: 'FFFFEDC2',
  breach: 'FFF9D0CC',
  no_data: 'FFE6E8EB',
  provisional: 'FFE6E8EB',
};

/** A row whose week is not final: italic on a pale amber ground, with a note on its first cell. */
const NOT_FINAL_FILL = 'FFFFF6DD';

function fill(cell: ExcelJS.Cell, c: ReportCell): void {
  cell.font = { name: FONT, size: FONT_SIZE };
  cell.border = THIN;
  if (c.kind === 'text') {
    // A plain string value is written as a shared string (t="s"), never as a formula.
    cell.value = c.value;
    cell.alignment = { vertical: 'top', wrapText: true };
    const status = c.status ? STATUS_FILL[c.status] : undefined;
    if (status) cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: status } };
    return;
  }
  cell.alignment = { vertical: 'top', horizontal: 'right' };
  if (c.value === null) return;
  cell.value = c.value;
  const format = c.kind === 'count' ? NUM_FMT.count : c.decimals === 2 ? NUM_FMT.share2 : NUM_FMT.share3;
  // the coverage beside the share, in the cell's display format: the value stays a number
  const note = coverageNote(c);
  cell.numFmt = note ? `${format}" (${note})"` : format;
}

type SheetInput = {
  readonly name: string;
  readonly title: string;
  readonly subtitle: string;
  readonly table: ReportTable;
  readonly footnote?: string;
  /** lines above the footnote: the weeks that are not final, and why */
  readonly notes?: readonly string[];
  readonly freezeColumns: number;
  /** the body that issues the document, at the head of every printed page */
  readonly organisation: string | null;
  /**
   * Pages across (default 1). A wide sheet printed one page wide shrinks its text below
   * reading size (the МОУО sheet came out at ~5 pt); two pages wide, the first column
   * repeated on each, keeps it at 8 pt or more.
   */
  readonly pagesWide?: 1 | 2;
};

function addTableSheet(wb: ExcelJS.Workbook, s: SheetInput): void {
  const n = s.table.headers.length;
  const ws = wb.addWorksheet(s.name, {
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: s.pagesWide ?? 1,
      // 0: as many pages down as the rows need
      fitToHeight: 0,
      printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}`,
      ...(s.pagesWide === 2 ? { printTitlesColumn: 'A:A' } : {}),
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: {
      ...(s.organisation ? { oddHeader: `&C&"${FONT},Bold"&9${s.organisation.replace(/&/g, '&&')}` } : {}),
      oddFooter: `&L&"${FONT}"&8${s.title.replace(/&/g, '&&')}&R&"${FONT}"&8Страница &P из &N`,
    },
    views: [{ state: 'frozen', xSplit: s.freezeColumns, ySplit: HEADER_ROW, topLeftCell: `${colName(s.freezeColumns + 1)}${HEADER_ROW + 1}` }],
  });
  const text = s.table.rows.map((r) => r.map(formatCell));
  // a sheet printed two pages wide lets its long headers (the targets' titles) take more lines, for narrower columns and larger print
  const widths = s.table.headers.map((h, i) => columnWidth(h, text.map((r) => r[i] ?? ''), s.pagesWide === 2 ? 2 * MAX_HEADER_LINES : MAX_HEADER_LINES));
  widths.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  const total = widths.reduce((a, b) => a + b, 0);

  const banner = (row: number, value: string, font: Partial<ExcelJS.Font>) => {
    ws.mergeCells(row, 1, row, n);
    const cell = ws.getCell(row, 1);
    cell.value = value;
    cell.font = { name: FONT, ...font };
    cell.alignment = { vertical: 'middle', wrapText: true };
    ws.getRow(row).height = Math.max(1, wrappedLines(value, total / ((font.size ?? FONT_SIZE) / FONT_SIZE) / (font.bold ? CHAR.bold : CHAR.plain))) * (((font.size ?? FONT_SIZE) / FONT_SIZE) * LINE_PT) + 4;
  };
  banner(1, s.title, { size: 14, bold: true });
  banner(2, s.subtitle, { size: FONT_SIZE, italic: true, color: { argb: 'FF555555' } });

  const header = ws.getRow(HEADER_ROW);
  s.table.headers.forEach((h, i) => {
    const cell = header.getCell(i + 1);
    cell.value = h;
    cell.font = { name: FONT, size: FONT_SIZE, bold: true };
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    cell.border = THIN;
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDE5F0' } };
  });
  header.height = Math.max(...s.table.headers.map((h, i) => wrappedLines(h, Math.floor(widths[i]! / CHAR.bold) - 1))) * LINE_PT + 6;

  s.table.rows.forEach((r, j) => {
    const row = ws.getRow(HEADER_ROW + 1 + j);
    r.forEach((c, i) => fill(row.getCell(i + 1), c));
    const note = s.table.rowNotes?.[j];
    if (note) {
      r.forEach((_, i) => {
        const cell = row.getCell(i + 1);
        cell.font = { ...cell.font, italic: true, color: { argb: 'FF6B4E00' } };
        if (!cell.fill || cell.fill.type !== 'pattern') cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: NOT_FINAL_FILL } };
      });
      row.getCell(1).note = note;
    }
    const lines = Math.max(1, ...text[j]!.map((t, i) => (r[i]!.kind === 'text' ? wrappedLines(t, widths[i]! - 1) : 1)));
    if (lines > 1) row.height = lines * LINE_PT + 3;
  });
  if (s.table.rows.length > 0) ws.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: HEADER_ROW + s.table.rows.length, column: n } };
  let below = HEADER_ROW + s.table.rows.length + 2;
  for (const n of s.notes ?? []) banner(below++, `* ${n}`, { size: 9, bold: true, color: { argb: 'FF6B4E00' } });
  if (s.footnote) banner(below, s.footnote, { size: 9, italic: true });
}

function colName(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** The ministry's workbook for a report document. */
export async function renderReportXlsx(doc: ReportDocument): Promise<Uint8Array> {
  // loaded on use: most invocations of the functions that can render XLSX never do
  const { default: excel } = await import('exceljs');
  const wb = new excel.Workbook();
  wb.creator = 'sferum-pulse';
  wb.title = doc.title;
  const { organisation } = doc;
  addTableSheet(wb, { name: SHEET_NAMES.regional, title: doc.title, subtitle: doc.subtitle, table: doc.regional, footnote: doc.footnote, notes: doc.notes, freezeColumns: 1, organisation });
  if (doc.last) {
    addTableSheet(wb, { name: SHEET_NAMES.municipal, title: doc.last.municipal.title, subtitle: doc.subtitle, table: doc.last.municipal, freezeColumns: 1, organisation, pagesWide: 2 });
    const inactive = inactiveSchoolsTable(doc.last.inactive, { printed: true });
    addTableSheet(wb, { name: SHEET_NAMES.inactive, title: inactive.title, subtitle: doc.subtitle, table: inactive, footnote: doc.footnote, freezeColumns: 2, organisation });
  }
  const buf = await wb.xlsx.writeBuffer();
  return new Uint8Array(buf as ArrayBuffer);
}
