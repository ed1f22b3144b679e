// Unit: the terminal table — display width (Cyrillic one cell, a combining mark none, CJK
// two), columns aligned by it under wrapped headers and a rule, numbers right-aligned; TSV
// when the output is not a terminal.
import { describe, expect, test } from 'vitest';
import { displayWidth, terminalTable, wrap } from '../../../cli/table.ts';
import { regionalTable, type ReportTable } from '../../../shared/domain/report.ts';
import { seedTable, seedValues } from '../../support/seed-document.ts';

/** The cells of an aligned line, cut at the rule's column starts, counting display cells. */
function cut(line: string, rule: string): string[] {
  const starts = [...rule.matchAll(/─+/g)].map((m) => [m.index!, m.index! + m[0].length] as const);
  const cells: string[] = [];
  let col = 0;
  let cell = '';
  let k = 0;
  for (const ch of line) {
    // a combining mark belongs to the character before it
    while (displayWidth(ch) > 0 && k < starts.length && col >= starts[k]![1]) {
      cells.push(cell.trim());
      cell = '';
      k++;
    }
    cell += ch;
    col += displayWidth(ch);
  }
  cells.push(cell.trim());
  while (cells.length < starts.length) cells.push('');
  return cells;
}

describe('displayWidth', () => {
  test('counts terminal cells: Cyrillic 1, a combining mark 0, CJK 2, controls 0', () => {
    expect(displayWidth('Будённовский')).toBe(12);
    expect(displayWidth('Буденновскии\u0306')).toBe(12);
    expect(displayWidth('学校')).toBe(4);
    expect(displayWidth('a\tb')).toBe(2);
  });

  test('wrap keeps words whole within the width', () => {
    expect(wrap('Школ не активно в Сфере', 10)).toEqual(['Школ не', 'активно в', 'Сфере']);
    expect(wrap('', 5)).toEqual(['']);
  });
});

describe('terminalTable', () => {
  const seed = regionalTable(seedValues());

  test('piped, it is TSV: the header line and one line a row', () => {
    expect(terminalTable(seed, false).trimEnd().split('\n').map((l) => l.split('\t'))).toEqual(seedTable());
  });

  test('on a terminal, every row\'s cells sit in the rule\'s columns; numbers are right-aligned', () => {
    const lines = terminalTable(seed, true).trimEnd().split('\n');
    const ruleAt = lines.findIndex((l) => l.startsWith('─'));
    const rule = lines[ruleAt]!;
    const rows = lines.slice(ruleAt + 1);
    expect(rows.map((l) => cut(l, rule))).toEqual(seedTable().slice(1));
    // right-aligned: a count ends where its column's rule ends
    const end = [...rule.matchAll(/─+/g)][1]!;
    expect(rows[0]!.slice(end.index!, end.index! + end[0].length)).toBe(' '.repeat(end[0].length - 3) + '636');
    // the headers, wrapped, read back whole column by column
    const heads = lines.slice(0, ruleAt).map((l) => cut(l, rule));
    expect(seed.headers.map((_, i) => heads.map((h) => h[i]).filter(Boolean).join(' '))).toEqual(seed.headers);
  });

  test('alignment counts display cells, not code units', () => {
    const t: ReportTable = {
      title: 't',
      headers: ['МОУО', 'Всего ОО'],
      rows: [
        [{ kind: 'text', value: 'Буденновскии\u0306' }, { kind: 'count', value: 1234 }],
        [{ kind: 'text', value: '学校' }, { kind: 'count', value: 5 }],
        [{ kind: 'text', value: 'Курский' }, { kind: 'count', value: null }],
      ],
    };
    const lines = terminalTable(t, true).trimEnd().split('\n');
    expect(lines.slice(2).map((l) => cut(l, lines[1]!))).toEqual([['Буденновскии\u0306', '1 234'], ['学校', '5'], ['Курский', '']]);
    // written out: 学校 takes 4 of the 12 cells, the combined й one
    expect(lines).toEqual(['МОУО          Всего ОО', '────────────  ────────', 'Буденновскии\u0306     1 234', `学校${' '.repeat(8)}  ${' '.repeat(7)}5`, 'Курский']);
  });
});
