// Rendering: a report table as CSV that Excel opens correctly in a Russian locale:
// `;` delimiter, UTF-8 with BOM, CRLF, cells formatted as the seed prints them (`17 218`,
// `97,01%`). Every cell is text here, so the writer's formula guard (OWASP; test/unit/formats/csv/writer.test.ts) applies
// to all of them: a municipality or school name starting with `=`, `+`, `-`, `@` cannot
// become a formula. When a row's figures are not final (a provisional or incomplete week,
// a share from part of its denominator), a last column «Полнота данных» says so, in words;
// a table whose rows are all final stays the seed's table, column for column.
import { coverageNote, formatCell, type ReportTable } from '../../domain/report.ts';
import { writeCsv } from './writer.ts';

export const COMPLETENESS_HEADER = 'Полнота данных';

/** Per row: its completeness note, then each share's coverage note with the share's header; null when there is nothing to say. */
export function rowNotes(table: ReportTable): (string | null)[] {
  return table.rows.map((r, j) => {
    const coverage = r.flatMap((c, i) => {
      const note = coverageNote(c);
      return note ? [`${table.headers[i]}: ${note}`] : [];
    });
    const parts = [table.rowNotes?.[j] ?? null, ...coverage].filter((p): p is string => p !== null);
    return parts.length ? parts.join('; ') : null;
  });
}

/** The table as a CSV string (starting with U+FEFF): the header row, then one line a row. */
export function renderCsv(table: ReportTable): string {
  const notes = rowNotes(table);
  const withNotes = notes.some((n) => n !== null);
  const rows = [
    [...table.headers, ...(withNotes ? [COMPLETENESS_HEADER] : [])],
    ...table.rows.map((r, j) => [...r.map((c) => (c.kind !== 'text' && c.value === null ? null : formatCell(c))), ...(withNotes ? [notes[j] ?? null] : [])]),
  ];
  return writeCsv(rows, { delimiter: ';', bom: true, escapeFormulas: true, eol: '\r\n' });
}

/** The same CSV as UTF-8 bytes (the BOM becomes EF BB BF), ready for an object or a response body. */
export function renderCsvBytes(table: ReportTable): Uint8Array {
  return new TextEncoder().encode(renderCsv(table));
}
