// Rendering: report tables as an XLSX workbook, one sheet a table. Counts and shares are
// numeric cells with display formats (`#,##0`, `0.00%`, `0.000%`) that Excel shows as
// `17 218` and `97,01%` in a Russian locale, so the ministry can compute with them; no
// data is an empty cell. Text is written as string cells, never as formulas, so a name
// beginning with `=` stays text (T15).
import type ExcelJS from 'exceljs';
import type { ReportCell, ReportTable } from '../domain/report.ts';

/** Display formats per cell kind. `#,##0` uses the reader's locale separator (a space in ru-RU). */
export const NUM_FMT = { count: '#,##0', share2: '0.00%', share3: '0.000%' } as const;

// Sheet names: at most 31 characters, none of : \ / ? * [ ].
function sheetName(title: string, used: Set<string>): string {
  const base = title.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31).trim() || 'Лист';
  let name = base;
  for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base.slice(0, 28)} ${i}`;
  used.add(name.toLowerCase());
  return name;
}

function fill(cell: ExcelJS.Cell, c: ReportCell): void {
  if (c.kind === 'text') {
    // A plain string value is written as a shared string (t="s"), never as a formula.
    cell.value = c.value;
    return;
  }
  if (c.value === null) return;
  cell.value = c.value;
  cell.numFmt = c.kind === 'count' ? NUM_FMT.count : c.decimals === 2 ? NUM_FMT.share2 : NUM_FMT.share3;
}

/** The tables as an XLSX file. */
export async function renderXlsx(tables: ReportTable | readonly ReportTable[]): Promise<Uint8Array> {
  // loaded on use: most invocations of the functions that can render XLSX never do
  const { default: excel } = await import('exceljs');
  const wb = new excel.Workbook();
  wb.creator = 'sferum-pulse';
  const used = new Set<string>();
  for (const table of Array.isArray(tables) ? (tables as readonly ReportTable[]) : [tables as ReportTable]) {
    const ws = wb.addWorksheet(sheetName(table.title, used));
    const header = ws.addRow([...table.headers]);
    header.font = { bold: true };
    header.alignment = { wrapText: true, vertical: 'top' };
    for (const r of table.rows) {
      const row = ws.addRow([]);
      r.forEach((c, i) => fill(row.getCell(i + 1), c));
    }
    table.headers.forEach((h, i) => {
      ws.getColumn(i + 1).width = Math.min(40, Math.max(10, h.length * 0.6));
    });
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  }
  const buf = await wb.xlsx.writeBuffer();
  return new Uint8Array(buf as ArrayBuffer);
}
