// CLI: a report table for a person at a terminal or for the next program in a pipe. On a
// terminal the columns are aligned by display width (a Cyrillic letter is one cell, a
// combining mark none, a CJK character two), numbers right-aligned, long headers wrapped
// over several lines, and the table cut into blocks of columns that fit the terminal's
// width, each block repeating the first column (the week, the municipality) so every line
// reads on its own; piped, it stays TSV (one header line, one line a row) so `cut`, `sort`
// and spreadsheets read it.
import { formatCell, type ReportTable } from '../shared/domain/report.ts';
import { displayWidth, isTerminal, type Paint, wrap } from './term.ts';

export { displayWidth, isTerminal, wrap };

const pad = (s: string, width: number, right: boolean) => {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
};

const GAP = 2;

/** The table as tab-separated lines (no data is an empty field). */
export function tsv(table: ReportTable): string {
  return [table.headers, ...table.rows.map((r) => r.map(formatCell))].map((r) => `${r.join('\t')}\n`).join('');
}

/**
 * The columns of each block: the first column, then as many of the others, in order, as
 * fit in `width` cells (at least one, so a very narrow terminal still shows every column).
 */
export function columnBlocks(widths: readonly number[], width: number): number[][] {
  const blocks: number[][] = [];
  let block: number[] = [];
  let used = widths[0]!;
  for (let i = 1; i < widths.length; i++) {
    if (block.length > 0 && used + GAP + widths[i]! > width) {
      blocks.push(block);
      block = [];
      used = widths[0]!;
    }
    block.push(i);
    used += GAP + widths[i]!;
  }
  if (block.length > 0 || blocks.length === 0) blocks.push(block);
  return blocks.map((b) => [0, ...b]);
}

/**
 * The table aligned for a terminal: wrapped headers, a rule, one line a row; with a
 * `width`, in blocks of columns that fit it, separated by an empty line.
 */
export function aligned(table: ReportTable, width: number | null = null, colour?: Paint): string {
  const cells = table.rows.map((r) => r.map(formatCell));
  // a header wraps at its longest word, at least at 12 cells, and never wider than the terminal allows
  const widths = table.headers.map((h, i) => {
    const data = Math.max(0, ...cells.map((r) => displayWidth(r[i] ?? '')));
    const word = Math.max(...h.split(/\s+/).map(displayWidth));
    return Math.max(data, word, Math.min(12, displayWidth(h)));
  });
  const numeric = table.headers.map((_, i) => table.rows.length > 0 && table.rows.every((r) => r[i]?.kind !== 'text'));
  const blocks = width === null ? [table.headers.map((_, i) => i)] : columnBlocks(widths, width);
  const line = (parts: string[]) => `${parts.join(' '.repeat(GAP)).trimEnd()}\n`;
  const bold = colour?.bold ?? ((s: string) => s);
  return blocks
    .map((cols) => {
      const heads = cols.map((i) => wrap(table.headers[i]!, widths[i]!));
      const depth = Math.max(...heads.map((l) => l.length));
      let out = '';
      // headers sit on the rule, as a spreadsheet's bottom-aligned header row does
      for (let k = 0; k < depth; k++) out += `${bold(line(heads.map((l, j) => pad(l[k - (depth - l.length)] ?? '', widths[cols[j]!]!, numeric[cols[j]!]!))).trimEnd())}\n`;
      out += line(cols.map((i) => '─'.repeat(widths[i]!)));
      for (const r of cells) out += line(cols.map((i) => pad(r[i] ?? '', widths[i]!, numeric[i]!)));
      return out;
    })
    .join('\n');
}

/** Aligned on a terminal (fitted to `width` when given), TSV otherwise. */
export function terminalTable(table: ReportTable, tty: boolean, width: number | null = null, colour?: Paint): string {
  return tty ? aligned(table, width, colour) : tsv(table);
}
