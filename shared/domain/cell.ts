// Pure: a cell as the readers deliver it and the normalisers take it — the one contract
// between shared/formats and the domain. CSV gives strings; XLSX may give numbers, booleans
// or dates; an empty cell is null. With it, how a cell is named and shown in an issue.
export type CellValue = string | number | boolean | Date | null;

/** `A`, `Z`, `AA`: a spreadsheet's column letters for a 0-based index. */
export function columnLetters(index: number): string {
  let out = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

/** `C5`: the cell an admin finds a value by, for a 0-based column and the sheet's row number. */
export function cellRef(index: number, row: number): string {
  return `${columnLetters(index)}${row}`;
}

/** A cell as text for messages and name fields: numbers without exponent, dates as ISO days. */
export function cellText(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  return String(v);
}
