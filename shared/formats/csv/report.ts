// Rendering: a report table as CSV that Excel opens correctly in a Russian locale:
// `;` delimiter, UTF-8 with BOM, CRLF, cells formatted as the seed prints them (`17 218`,
// `97,01%`). Every cell is text here, so the writer's formula guard (OWASP; test/unit/formats/csv/writer.test.ts) applies
// to all of them: a municipality or school name starting with `=`, `+`, `-`, `@` cannot
// become a formula.
import { formatCell, type ReportTable } from '../../domain/report.ts';
import { writeCsv } from './writer.ts';

/** The table as a CSV string (starting with U+FEFF): the header row, then one line a row. */
export function renderCsv(table: ReportTable): string {
  const rows = [table.headers, ...table.rows.map((r) => r.map((c) => (c.kind !== 'text' && c.value === null ? null : formatCell(c))))];
  return writeCsv(rows, { delimiter: ';', bom: true, escapeFormulas: true, eol: '\r\n' });
}

/** The same CSV as UTF-8 bytes (the BOM becomes EF BB BF), ready for an object or a response body. */
export function renderCsvBytes(table: ReportTable): Uint8Array {
  return new TextEncoder().encode(renderCsv(table));
}
