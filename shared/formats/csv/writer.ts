// The CSV writer for everything we emit (rejection reports echo uploaded values, API
// `text/csv`, reproduced tables). Pure string building; no I/O.
//
// School names come from uploads and are attacker-controlled, so by default a text cell
// that a spreadsheet would read as a formula (OWASP CSV Injection: starts with = + - @
// TAB CR LF) is quoted and prefixed with `'`. A cell that itself starts with `'` is
// prefixed too, so `unescapeFormula` can strip exactly one `'` and the round trip
// `unescapeFormula(parse(write(s))) === s` holds for every string. Numbers are our own
// validated values and are written as numbers, never prefixed.

export type CsvCell = string | number | null;

export type CsvWriteOptions = {
  readonly delimiter?: ';' | ',' | '\t';
  /** a UTF-8 BOM, so Excel opens Cyrillic UTF-8 correctly */
  readonly bom?: boolean;
  /** default true */
  readonly escapeFormulas?: boolean;
  readonly eol?: '\r\n' | '\n';
};

const FORMULA_START = /^[=+\-@\t\r\n']/u;

export function writeCsv(rows: readonly (readonly CsvCell[])[], opts: CsvWriteOptions = {}): string {
  const delimiter = opts.delimiter ?? ';';
  const eol = opts.eol ?? '\r\n';
  const escapeFormulas = opts.escapeFormulas ?? true;
  // Any of the three delimiters is quoted, not only the chosen one: a reader that detects
  // the delimiter (ours, Excel's by locale) then counts only real separators.
  const special = /["\r\n;,\t]/u;
  const cell = (v: CsvCell): string => {
    if (v === null) return '';
    // NaN and Infinity are not numbers a spreadsheet can read back; an empty cell is honest.
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
    if (escapeFormulas && FORMULA_START.test(v)) return `"'${v.replace(/"/gu, '""')}"`;
    // A leading U+FEFF unquoted at the start of a file would be taken for a BOM and dropped.
    return special.test(v) || v.charCodeAt(0) === 0xfeff ? `"${v.replace(/"/gu, '""')}"` : v;
  };
  const lines = rows.map((r) => r.map(cell).join(delimiter));
  return (opts.bom ? '\uFEFF' : '') + lines.map((l) => l + eol).join('');
}

/** Inverse of the formula guard: removes the one `'` that `writeCsv` put in front. */
export function unescapeFormula(s: string): string {
  return s.startsWith("'") ? s.slice(1) : s;
}
