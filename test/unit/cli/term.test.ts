// Unit: fitting the CLI's output to a terminal — lines wrapped at the width with a hanging
// indent and their own spacing kept, colour codes taking no cells, colours only when the
// terminal shows them, and the table cut into blocks of columns about as wide as each other.
import { describe, expect, test } from 'vitest';
import { columnBlocks, terminalTable } from '../../../cli/table.ts';
import { displayWidth, fitLine, paint, stripAnsi, termOf } from '../../../cli/term.ts';
import { regionalTable } from '../../../shared/domain/report.ts';
import { seedValues } from '../../support/seed-document.ts';

describe('fitLine', () => {
  test('a line that fits is kept as it is; a longer one breaks at spaces under a hanging indent', () => {
    expect(fitLine('  accepted  a.csv — 10 rows', 80)).toEqual(['  accepted  a.csv — 10 rows']);
    const lines = fitLine(`  partial   04a_schools.csv — ${'слово '.repeat(30)}`, 40);
    expect(lines[0]).toBe('  partial   04a_schools.csv — слово');
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(40);
    for (const l of lines.slice(1)) expect(l.startsWith('    слово')).toBe(true);
  });

  test('a word longer than the line is cut; colour codes take no cells', () => {
    for (const l of fitLine('x'.repeat(200), 80)) expect(displayWidth(l)).toBeLessThanOrEqual(80);
    expect(displayWidth('\u001b[32maccepted\u001b[39m')).toBe(8);
    expect(stripAnsi('\u001b[1mМОУО\u001b[22m')).toBe('МОУО');
  });
});

describe('colours', () => {
  const tty = (columns?: number) => Object.assign({ isTTY: true, columns }, {} as NodeJS.WritableStream);
  test('on a terminal unless NO_COLOR is set or TERM is dumb; never in a pipe', () => {
    expect(termOf(tty(100), {})).toEqual({ tty: true, width: 100, color: true });
    expect(termOf(tty(100), { NO_COLOR: '1' }).color).toBe(false);
    expect(termOf(tty(100), { NO_COLOR: '' }).color).toBe(true);
    expect(termOf(tty(100), { TERM: 'dumb' }).color).toBe(false);
    expect(termOf(tty(undefined), { COLUMNS: '90' }).width).toBe(90);
    expect(termOf({} as NodeJS.WritableStream, {})).toEqual({ tty: false, width: null, color: false });
    expect(paint({ color: false }).red('x')).toBe('x');
    expect(paint({ color: true }).red('x')).toBe('\u001b[31mx\u001b[39m');
  });
});

describe('the table on a narrow terminal', () => {
  test('blocks are about as wide as each other, each led by the first column', () => {
    const widths = [16, 8, 10, 12, 12, 12, 7, 12, 7, 9, 10, 12, 12, 12, 12, 12];
    const blocks = columnBlocks(widths, 80);
    expect(blocks.flatMap((b) => b.slice(1))).toEqual(widths.slice(1).map((_, i) => i + 1));
    for (const b of blocks) expect(b[0]).toBe(0);
    expect(Math.min(...blocks.map((b) => b.length - 1))).toBeGreaterThan(1);
  });

  test('at 80 and 120 cells no line of the seed\'s table is wider', () => {
    const table = regionalTable(seedValues());
    for (const w of [80, 120]) for (const l of terminalTable(table, true, w).split('\n')) expect(displayWidth(l)).toBeLessThanOrEqual(w);
  });
});
