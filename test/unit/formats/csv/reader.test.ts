// readCsv: encodings × delimiters × line ends, chunk edges, RFC 4180 quoting,
// delimiter detection, blank rows and numbering, and every hard limit.
import { describe, expect, test } from 'vitest';
import { InputError, IssueCode } from '../../../../shared/domain/errors.ts';
import { readCsv } from '../../../../shared/formats/csv/reader.ts';
import type { Delimiter } from '../../../../shared/domain/schemas.ts';
import type { ByteSource } from '../../../../shared/formats/raw-table.ts';
import { sniffBytes } from '../../../../shared/formats/sniff.ts';
import { allRows, chunked, cp1251, thrown, utf8 } from '../../../support/xlsx-fixtures.ts';

const FILE = 'uploads/26/export.csv';

const HEADER = ['Период', 'МОУО', 'Наименование ОО', 'ИНН', 'Педагогов всего'];
const DATA = [
  ['06.03-10.03.2023', 'Будённовский муниципальный округ', 'МБОУ «СОШ № 1»', '2624000001', '17 218'],
  ['06.03-10.03.2023', 'Шпаковский МО', 'МБОУ "Лицей; № 5"', '2623000002', ''],
  ['06.03-10.03.2023', 'г. Ставрополь', 'Школа\nс переносом', '2634000003', '—'],
];

/** Serialises with RFC 4180 quoting, independently of the writer under test. */
function serialise(rows: string[][], d: Delimiter, eol: string): string {
  const q = (c: string) => (/[";,\t\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  return rows.map((r) => r.map(q).join(d)).join(eol) + eol;
}

async function read(source: ByteSource, opts: Partial<Parameters<typeof readCsv>[1]> = {}) {
  const sniffed = await sniffBytes(source, { file: FILE, maxBytes: 1e9 });
  if (sniffed.kind !== 'csv') throw new Error('fixture is not text');
  const { delimiter, table } = await readCsv(source, { file: FILE, encoding: sniffed.encoding, ...opts });
  return { delimiter, table, rows: await allRows(table), encoding: sniffed.encoding };
}

describe('readCsv', () => {
  // Padding puts the first non-ASCII byte of the CP1251 file after 100 KB.
  const padding = Array.from({ length: 2_000 }, (_, i) => ['06.03-10.03.2023', 'Pad', `padding school number ${String(i).padStart(30, '0')}`, '2600000000', '1']);
  // An ASCII header (as some exporters write it) keeps every byte before the padding's end ASCII.
  const asciiHeader = ['period', 'mouo', 'school', 'inn', 'teachers_total'];
  const table = [asciiHeader, ...padding, ...DATA];
  const encodings = {
    'utf-8': (s: string) => utf8(s),
    'utf-8-bom': (s: string) => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(s)]),
    'windows-1251': (s: string) => cp1251(s),
    // Excel's «Текст в Юникоде»: UTF-16 with a BOM; odd chunk sizes cut code units apart
    'utf-16le': (s: string) => new Uint8Array([0xff, 0xfe, ...Buffer.from(s, 'utf16le')]),
    'utf-16be': (s: string) => new Uint8Array([0xfe, 0xff, ...Buffer.from(s, 'utf16le').swap16()]),
  } as const;

  for (const [encoding, encode] of Object.entries(encodings)) {
    for (const d of [';', ',', '\t'] as const) {
      for (const eol of ['\r\n', '\n']) {
        test(`${encoding}, delimiter ${JSON.stringify(d)}, ${JSON.stringify(eol)} gives the same rows`, async () => {
          // Prepare
          const text = serialise(table, d, eol);
          const bytes = encode(text);
          if (encoding === 'windows-1251') expect(bytes.findIndex((b) => b >= 0x80)).toBeGreaterThan(100_000);
          // Act
          const r = await read(chunked(bytes, 4096 + 3));
          // Assess
          expect(r.encoding).toBe(encoding);
          expect(r.delimiter).toBe(d);
          expect(r.table.headers).toEqual(asciiHeader);
          expect(r.table.headers.some((h) => h.includes('\uFEFF'))).toBe(false);
          expect(r.rows.map((x) => x.cells)).toEqual([...padding, ...DATA]);
          expect(r.rows.at(-1)?.row).toBe(table.length);
        });
      }
    }
  }

  test('1-byte chunks split multi-byte characters and quoted fields without damage', async () => {
    // Prepare
    const text = serialise([HEADER, ...DATA], ';', '\r\n');
    // Act
    const r = await read(chunked(utf8(text), 1));
    // Assess
    expect(r.table.headers).toEqual(HEADER);
    expect(r.rows.map((x) => x.cells)).toEqual(DATA);
  });

  test('quoted fields keep embedded delimiters, doubled quotes and newlines; numbering follows records', async () => {
    const text = 'a;b;c\r\n"x;y";"he said ""hi""";"line1\r\nline2\nline3"\r\nlast;"";z\r\n';
    const r = await read(chunked(utf8(text), 5));
    expect(r.rows).toEqual([
      { row: 2, cells: ['x;y', 'he said "hi"', 'line1\r\nline2\nline3'] },
      { row: 3, cells: ['last', '', 'z'] },
    ]);
  });

  test('blank lines and rows of empty cells are skipped but keep their numbers', async () => {
    const text = '\r\n;;\r\nИНН;Имя\r\n1;a\r\n\r\n ; \r\n2;b';
    const r = await read(chunked(utf8(text)));
    expect(r.table.headerRow).toBe(3);
    expect(r.rows).toEqual([
      { row: 4, cells: ['1', 'a'] },
      { row: 7, cells: ['2', 'b'] },
    ]);
  });

  test('a lone CR at the very end and a missing final newline both end the last record', async () => {
    const a = await read(chunked(utf8('h1;h2\n1;2\r')));
    const b = await read(chunked(utf8('h1;h2\n"1";"2"\r')));
    const c = await read(chunked(utf8('h1;h2\n1;2')));
    expect(a.rows.map((x) => x.cells)).toEqual([['1', '2']]);
    expect(b.rows.map((x) => x.cells)).toEqual([['1', '2']]);
    expect(c.rows.map((x) => x.cells)).toEqual([['1', '2']]);
  });

  test('a trailing delimiter is an empty last cell; text after a closing quote is kept', async () => {
    const r = await read(chunked(utf8('a;b;c\n1;2;\n"x"y;2;3\n')));
    expect(r.rows.map((x) => x.cells)).toEqual([
      ['1', '2', ''],
      ['xy', '2', '3'],
    ]);
  });

  test('the most frequent delimiter outside quotes wins; ties prefer ;', async () => {
    expect((await read(chunked(utf8('"a;b;c",x,y\n1,2,3\n')))).delimiter).toBe(',');
    expect((await read(chunked(utf8('a;b,c\n')))).delimiter).toBe(';');
    expect((await read(chunked(utf8('a\tb\tc;d\n')))).delimiter).toBe('\t');
    expect((await read(chunked(utf8('single\n1\n')))).delimiter).toBe(';');
  });

  test('a header-only file is a table without rows, not an error', async () => {
    const r = await read(chunked(utf8('Период;МОУО\r\n\r\n')));
    expect(r.table.headers).toEqual(['Период', 'МОУО']);
    expect(r.rows).toEqual([]);
  });

  test('hostile headers are plain strings and Object.prototype is untouched', async () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const r = await read(chunked(utf8('__proto__;constructor;prototype;ФИО\npolluted;ctor;p;Иванова\n')));
    expect(r.table.headers).toEqual(['__proto__', 'constructor', 'prototype', 'ФИО']);
    expect(r.rows[0]?.cells).toEqual(['polluted', 'ctor', 'p', 'Иванова']);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('more data rows than maxRows is TooManyRows naming file, row and limit', async () => {
    const text = 'a;b\n' + '1;2\n'.repeat(6);
    const err = await thrown(() => read(chunked(utf8(text)), { limits: { maxRows: 5 } }));
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.TooManyRows, file: FILE, row: 7 });
    expect((err as InputError).issue.message).toContain('maxRows = 5');
  });

  test('exactly maxRows data rows pass', async () => {
    const r = await read(chunked(utf8('a;b\n' + '1;2\n'.repeat(5))), { limits: { maxRows: 5 } });
    expect(r.rows).toHaveLength(5);
  });

  /** Each row as [row, cells or the rejection's code]: what an admin would be told per record. */
  const outline = (rows: Awaited<ReturnType<typeof read>>['rows']) => rows.map((r) => [r.row, r.rejected ? r.rejected.code : r.cells]);

  test('a header with more than maxColumns cells rejects the file, naming file, row and limit', async () => {
    const wide = Array.from({ length: 65 }, (_, i) => `c${i}`).join(';');
    const header = await thrown(() => read(chunked(utf8(`${wide}\n1\n`))));
    expect((header as InputError).issue).toMatchObject({ code: IssueCode.TooManyColumns, file: FILE, row: 1 });
    expect((header as InputError).issue.message).toContain('maxColumns = 64');
  });

  test('a data record with more than maxColumns cells is rejected alone, quoted or not', async () => {
    const wide = Array.from({ length: 65 }, (_, i) => `c${i}`).join(';');
    const r = await read(chunked(utf8(`a;b\n1;2\n"1";${wide}\n${wide}\n3;4\n`), 7));
    expect(outline(r.rows)).toEqual([
      [2, ['1', '2']],
      [3, IssueCode.RowTooManyColumns],
      [4, IssueCode.RowTooManyColumns],
      [5, ['3', '4']],
    ]);
    expect(r.rows[1]?.rejected).toMatchObject({ file: FILE, row: 3 });
    expect(r.rows[1]?.rejected?.message).toContain('maxColumns = 64');
  });

  test('a record longer than maxRecordBytes is rejected alone, naming its row and the limit', async () => {
    const text = `a;b\n1;2\n3;${'x'.repeat(2000)}\n5;6\n`;
    const r = await read(chunked(utf8(text), 100), { limits: { maxRecordBytes: 1024 } });
    expect(outline(r.rows)).toEqual([
      [2, ['1', '2']],
      [3, IssueCode.RowTooLong],
      [4, ['5', '6']],
    ]);
    expect(r.rows[1]?.rejected?.message).toContain('1 KiB');
    expect(r.rows[1]?.rejected?.message).toContain('maxRecordBytes = 1024');
  });

  test('an over-long header still rejects the file', async () => {
    const err = await thrown(() => read(chunked(utf8(`a;${'b'.repeat(2000)}\n1;2\n`), 100), { limits: { maxRecordBytes: 1024 } }));
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.RecordTooLong, file: FILE, row: 1 });
  });

  test('the record limit counts UTF-8 bytes, not characters', async () => {
    const cyrillic = 'я'.repeat(600); // 600 characters, 1 200 bytes
    const bad = await read(chunked(utf8(`a;b\n1;${cyrillic}\n`)), { limits: { maxRecordBytes: 1024 } });
    const ok = await read(chunked(cp1251(`a;b\n1;${cyrillic}\n`)), { limits: { maxRecordBytes: 1024 } });
    expect(outline(bad.rows)).toEqual([[2, IssueCode.RowTooLong]]);
    expect(ok.rows[0]?.cells[1]).toBe(cyrillic);
  });

  test('a runaway quote is rejected at the record limit, and the lines after it are read', async () => {
    const text = 'a;b\n"never closed;' + '1;2\n'.repeat(100_000);
    const r = await read(chunked(utf8(text)), { limits: { maxRecordBytes: 4096 } });
    expect(r.rows[0]).toMatchObject({ row: 2, rejected: { code: IssueCode.RowTooLong } });
    expect(r.rows[0]?.rejected?.message).toContain('unclosed quote');
    expect(r.rows).toHaveLength(100_000);
    expect(r.rows.at(-1)).toEqual({ row: 100_001, cells: ['1', '2'] });
  });

  test('a line with no end longer than the limit is skipped without buffering it', async () => {
    const text = `a;b\n1;2\n${'x'.repeat(50_000)}\n3;4\n`;
    const r = await read(chunked(utf8(text), 1000), { limits: { maxRecordBytes: 4096 } });
    expect(outline(r.rows)).toEqual([
      [2, ['1', '2']],
      [3, IssueCode.RowTooLong],
      [4, ['3', '4']],
    ]);
  });

  test('an unclosed quote at the end of the file rejects that record with its row, the rows before stay', async () => {
    const r = await read(chunked(utf8('a;b\n1;2\n3;"open\n5;6\n'), 2));
    expect(outline(r.rows)).toEqual([
      [2, ['1', '2']],
      [3, IssueCode.RowUnclosedQuote],
      [4, ['5', '6']],
    ]);
    expect(r.rows[1]?.rejected).toMatchObject({ file: FILE, row: 3 });
  });

  test('a NUL byte inside a record rejects that record alone, quoted or not', async () => {
    const bytes = new Uint8Array([...utf8('a;b\n'.repeat(1000)), ...utf8('1;x'), 0, ...utf8('y\n"2";"q'), 0, ...utf8('"\n3;4\n')]);
    const r = await read(chunked(bytes, 5));
    expect(outline(r.rows.slice(-3))).toEqual([
      [1001, IssueCode.RowNulByte],
      [1002, IssueCode.RowNulByte],
      [1003, ['3', '4']],
    ]);
  });

  test('more bytes than maxBytes is TooLarge even without the sniff', async () => {
    const err = await thrown(async () => {
      const { table } = await readCsv(chunked(utf8('a;b\n' + '1;2\n'.repeat(1000)), 256), { file: FILE, encoding: 'utf-8', limits: { maxBytes: 1000 } });
      await allRows(table);
    });
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.TooLarge, file: FILE });
  });

  test('rows flow out before the source is exhausted', async () => {
    // Prepare: a source that records how far it has been read
    let pulled = 0;
    const source: ByteSource = async function* () {
      yield utf8('a;b\n1;2\n');
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield utf8('3;4\n'.repeat(100));
      }
    };
    // Act
    const { table } = await readCsv(source, { file: FILE, encoding: 'utf-8' });
    const first = await table.rows[Symbol.asyncIterator]().next();
    // Assess
    expect(first.value).toEqual({ row: 2, cells: ['1', '2'] });
    expect(pulled).toBeLessThan(10);
  });

  test('only blank lines is EmptyFile', async () => {
    const err = await thrown(() => read(chunked(utf8('\r\n;;\r\n\r\n'))));
    expect((err as InputError).issue).toMatchObject({ code: IssueCode.EmptyFile, file: FILE });
  });
});
