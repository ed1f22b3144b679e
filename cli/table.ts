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
 * The columns of each block: the first column, then the others in order, in as few blocks
 * as fit in `width` cells, the columns spread so the blocks are about as wide as each
 * other (no last block of one column); a column wider than the terminal gets a block alone.
 */
export function columnBlocks(widths: readonly number[], width: number): number[][] {
  const rest = widths.slice(1);
  const n = rest.length;
  if (n === 0) return [[0]];
  // the width of a block of rest[i..j): the first column, then each with its gap
  const span = (i: number, j: number) => widths[0]! + rest.slice(i, j).reduce((a, w) => a + GAP + w, 0);
  // best[k][j]: the least widest block when rest[0..j) is cut into k blocks that fit (a lone column always "fits")
  const fits = (i: number, j: number) => j - i === 1 || span(i, j) <= width;
  for (let k = 1; k <= n; k++) {
    const best: number[][] = Array.from({ length: k + 1 }, () => Array<number>(n + 1).fill(Infinity));
    const cut: number[][] = Array.from({ length: k + 1 }, () => Array<number>(n + 1).fill(-1));
    best[0]![0] = 0;
    for (let b = 1; b <= k; b++)
      for (let j = 1; j <= n; j++)
        for (let i = b - 1; i < j; i++) {
          if (best[b - 1]![i] === Infinity || !fits(i, j)) continue;
          const worst = Math.max(best[b - 1]![i]!, span(i, j));
          if (worst < best[b]![j]!) {
            best[b]![j] = worst;
            cut[b]![j] = i;
          }
        }
    if (best[k]![n] === Infinity) continue;
    const blocks: number[][] = [];
    for (let b = k, j = n; b > 0; j = cut[b]![j]!, b--) blocks.unshift(Array.from({ length: j - cut[b]![j]! }, (_, x) => 1 + cut[b]![j]! + x));
    return blocks.map((b) => [0, ...b]);
  }
  return rest.map((_, i) => [0, i + 1]);
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
