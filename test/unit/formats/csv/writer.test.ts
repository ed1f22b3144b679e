// writeCsv: quoting, formula-injection guard and the round trip through readCsv.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { readCsv } from '../../../../shared/formats/csv/reader.ts';
import { unescapeFormula, writeCsv } from '../../../../shared/formats/csv/writer.ts';
import { sniffBytes } from '../../../../shared/formats/sniff.ts';
import { allRows, chunked, utf8 } from '../../../support/xlsx-fixtures.ts';

async function parse(text: string, chunk = 64 * 1024): Promise<{ headers: string[]; rows: string[][] }> {
  const source = chunked(utf8(text), chunk);
  const sniffed = await sniffBytes(source, { file: 'out.csv', maxBytes: 1e9 });
  if (sniffed.kind !== 'csv') throw new Error('not text');
  const { table } = await readCsv(source, { file: 'out.csv', encoding: sniffed.encoding });
  return { headers: table.headers, rows: (await allRows(table)).map((r) => r.cells as string[]) };
}

describe('writeCsv', () => {
  test('quotes cells with the delimiter, quotes or newlines and doubles quotes', () => {
    const out = writeCsv([['a;b', 'x"y', 'l1\nl2', 'plain', 'a,b']], { escapeFormulas: false });
    expect(out).toBe('"a;b";"x""y";"l1\nl2";plain;"a,b"\r\n');
  });

  test('quotes any of the three delimiters, with the chosen line end and an optional BOM', () => {
    const out = writeCsv([['a,b', 'c;d', 'e\tf', 'g']], { delimiter: ',', eol: '\n', bom: true });
    expect(out).toBe('\uFEFF"a,b","c;d","e\tf",g\n');
    expect(writeCsv([['a\tb', 'c']], { delimiter: '\t' })).toBe('"a\tb"\tc\r\n');
  });

  test('formula starters are quoted and prefixed with an apostrophe', () => {
    // Prepare
    const names = ['=HYPERLINK("http://evil","x")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx', '\nx', 'a;=1', 'x"y'];
    // Act
    const out = writeCsv([names]);
    // Assess
    expect(out).toBe(
      [`"'=HYPERLINK(""http://evil"",""x"")"`, `"'+1"`, `"'-2+3"`, `"'@SUM(A1)"`, `"'\tx"`, `"'\rx"`, `"'\nx"`, '"a;=1"', '"x""y"'].join(';') + '\r\n',
    );
  });

  test('numbers are written as numbers, never prefixed; null is an empty cell', () => {
    expect(writeCsv([[-5, 0.25, null, 17218, Number.NaN]])).toBe('-5;0.25;;17218;\r\n');
  });

  test('OWASP example =1+2";=1+2 cannot start a new cell', () => {
    expect(writeCsv([['=1+2";=1+2']])).toBe(`"'=1+2"";=1+2"\r\n`);
  });

  test('with escapeFormulas off, formula starters are only quoted when they must be', () => {
    expect(writeCsv([['=1+2', '-3', '@x', '\tx']], { escapeFormulas: false })).toBe('=1+2;-3;@x;"\tx"\r\n');
  });

  // Any string, including quotes, delimiters, CR/LF and Cyrillic; a marker cell keeps the
  // record non-blank (the reader skips wholly blank rows by design).
  const text = fc.string({ unit: fc.constantFrom('"', ';', ',', '\t', '\r', '\n', ' ', "'", '=', '+', '-', '@', 'a', 'Я', 'ё', '№', '\uFEFF', '😀') });
  const table = fc.array(fc.array(text, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 });

  test('round trip: readCsv(writeCsv(t)) is t when formulas are not escaped', async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.constantFrom(';', ',', '\t'), fc.constantFrom('\r\n', '\n'), fc.integer({ min: 1, max: 9 }), async (rows, d, eol, chunk) => {
        const withMarkers = rows.map((r, i) => [`r${i}`, ...r]);
        const out = writeCsv(withMarkers, { delimiter: d, eol, escapeFormulas: false });
        const back = await parse(out, chunk);
        expect([back.headers, ...back.rows]).toEqual(withMarkers);
      }),
      { numRuns: 300 },
    );
  });

  test('round trip with the formula guard: unescapeFormula restores every cell', async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.constantFrom(';', ',', '\t'), async (rows, d) => {
        const withMarkers = [['id', 'v'], ...rows.map((r, i) => [`r${i}`, ...r])];
        const out = writeCsv(withMarkers, { delimiter: d });
        const back = await parse(out);
        expect([back.headers, ...back.rows].map((r) => r.map(unescapeFormula))).toEqual(withMarkers);
        // and no emitted cell starts a formula any more
        for (const r of back.rows) for (const c of r) expect(c).not.toMatch(/^[=+\-@\t\r\n]/);
      }),
      { numRuns: 300 },
    );
  });
});
