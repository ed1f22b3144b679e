// The upload template as files: the schools table as a CSV (`;`, UTF-8 with BOM, CRLF, as
// Excel in a Russian locale writes and reads it) and both tables as an XLSX workbook, one
// sheet each, headers bold and frozen, columns wide enough to read the headers.
import type { TemplateTable } from '../domain/upload-template.ts';
import { writeCsv } from './csv/writer.ts';

/** The schools table of the template as CSV text. */
export function templateCsv(tables: readonly TemplateTable[]): string {
  const schools = tables.find((t) => t.kind === 'schools');
  if (!schools) throw new RangeError('the template has no schools table');
  return writeCsv([schools.headers, schools.example], { delimiter: ';', bom: true, escapeFormulas: true, eol: '\r\n' });
}

/** Every table of the template as one workbook, a sheet per table. */
export async function templateXlsx(tables: readonly TemplateTable[]): Promise<Uint8Array> {
  const { default: excel } = await import('exceljs');
  const wb = new excel.Workbook();
  for (const t of tables) {
    const ws = wb.addWorksheet(t.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow([...t.headers]).font = { bold: true };
    ws.addRow([...t.example]);
    // INN and KPP are identifiers, not numbers: text cells keep them as written
    t.fields.forEach((f, i) => {
      const column = ws.getColumn(i + 1);
      column.width = Math.min(48, Math.max(10, t.headers[i]!.length + 2));
      if (f === 'school_inn' || f === 'school_kpp') column.numFmt = '@';
    });
  }
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}
