// CLI: a report table for a person at a terminal or for the next program in a pipe. On a
// terminal the columns are aligned by display width (a Cyrillic letter is one cell, a
// combining mark none, a CJK character two), numbers right-aligned, long headers wrapped
// over several lines; piped, it stays TSV (one header line, one line a row) so `cut`,
// `sort` and spreadsheets read it.
import { formatCell, type ReportTable } from '../shared/domain/report.ts';

const COMBINING = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
// East Asian Wide and Fullwidth ranges (Hangul, CJK, fullwidth forms, emoji)
const WIDE = /^[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]$/u;

/** Terminal cells a string takes. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || COMBINING.test(ch)) continue;
    w += WIDE.test(ch) ? 2 : 1;
  }
  return w;
}

/** Words of `text` in lines of at most `width` cells (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && displayWidth(line) + 1 + displayWidth(word) > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

const pad = (s: string, width: number, right: boolean) => {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
};

/** The table as tab-separated lines (no data is an empty field). */
export function tsv(table: ReportTable): string {
  return [table.headers, ...table.rows.map((r) => r.map(formatCell))].map((r) => `${r.join('\t')}\n`).join('');
}

/** The table aligned for a terminal: wrapped headers, a rule, one line a row. */
export function aligned(table: ReportTable): string {
  const cells = table.rows.map((r) => r.map(formatCell));
  const widths = table.headers.map((h, i) => {
    const data = Math.max(0, ...cells.map((r) => displayWidth(r[i] ?? '')));
    const word = Math.max(...h.split(/\s+/).map(displayWidth));
    return Math.max(data, word, Math.min(12, displayWidth(h)));
  });
  const numeric = table.headers.map((_, i) => table.rows.length > 0 && table.rows.every((r) => r[i]?.kind !== 'text'));
  const heads = table.headers.map((h, i) => wrap(h, widths[i]!));
  const depth = Math.max(...heads.map((l) => l.length));
  const line = (parts: string[]) => `${parts.join('  ').trimEnd()}\n`;
  let out = '';
  // headers sit on the rule, as a spreadsheet's bottom-aligned header row does
  for (let k = 0; k < depth; k++) out += line(heads.map((l, i) => pad(l[k - (depth - l.length)] ?? '', widths[i]!, numeric[i]!)));
  out += line(widths.map((w) => '─'.repeat(w)));
  for (const r of cells) out += line(r.map((c, i) => pad(c, widths[i]!, numeric[i]!)));
  return out;
}

/** Aligned on a terminal, TSV otherwise. */
export function terminalTable(table: ReportTable, tty: boolean): string {
  return tty ? aligned(table) : tsv(table);
}

/** Whether a stream is a terminal (a pipe, a file or a test's buffer is not). */
export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}
