// CLI: what the terminal the output goes to can show. On a terminal: its width (every line
// the CLI writes is fitted to it, long ones wrapped under a hanging indent) and colours,
// unless NO_COLOR is set (no-color.org: present and not empty) or TERM is dumb. In a pipe
// or a file: no colours, no wrapping, so the next program reads the lines as written.
import type { Io } from './common.ts';

/** What one output stream can show. `width` is null when lines are not to be fitted (a pipe, a file). */
export type Term = { readonly tty: boolean; readonly width: number | null; readonly color: boolean };

/** Whether a stream is a terminal (a pipe, a file or a test's buffer is not). */
export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

export function termOf(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): Term {
  const tty = isTerminal(stream);
  if (!tty) return { tty, width: null, color: false };
  const columns = (stream as { columns?: number }).columns;
  const fromEnv = Number(env['COLUMNS']);
  const width = columns && columns > 0 ? columns : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
  return { tty, width, color: !env['NO_COLOR'] && env['TERM'] !== 'dumb' };
}

// SGR sequences, and the OSC/CSI forms a terminal does not print
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export const stripAnsi = (s: string): string => s.replace(ANSI, '');

const COMBINING = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
// East Asian Wide and Fullwidth ranges (Hangul, CJK, fullwidth forms, emoji)
const WIDE = /^[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]$/u;

/** Terminal cells a string takes: a Cyrillic letter one, a combining mark none, a CJK character two, colour codes none. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of stripAnsi(s)) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || COMBINING.test(ch)) continue;
    w += WIDE.test(ch) ? 2 : 1;
  }
  return w;
}

/** Cuts `s` (no colour codes) at `width` cells. */
function cut(s: string, width: number): [string, string] {
  let w = 0;
  let i = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > width) break;
    w += cw;
    i += ch.length;
  }
  return [s.slice(0, Math.max(i, 1)), s.slice(Math.max(i, 1))];
}

/** Words of `text` in lines of at most `width` cells; a longer word is split. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    if (line && displayWidth(line) + 1 + displayWidth(word) > width) {
      lines.push(line);
      line = '';
    }
    while (displayWidth(line ? `${line} ${word}` : word) > width) {
      const [head, rest] = cut(word, width - (line ? displayWidth(line) + 1 : 0));
      lines.push(line ? `${line} ${head}` : head);
      line = '';
      word = rest;
    }
    line = line ? `${line} ${word}` : word;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * One line fitted to `width`: as it is when it fits, else wrapped by words with the
 * continuation lines indented two cells deeper than the line's own indent. A coloured line
 * that does not fit loses its colours (a wrapped colour code would bleed into the next line).
 */
export function fitLine(line: string, width: number): string[] {
  if (displayWidth(line) <= width) return [line];
  const plain = stripAnsi(line).trimEnd();
  const indent = /^ */.exec(plain)![0].length;
  const hang = ' '.repeat(Math.min(indent + 2, Math.floor(width / 3)));
  const out: string[] = [];
  let rest = plain;
  let room = width;
  // break at the last space that fits, keeping the line's own spacing (aligned columns stay aligned)
  while (displayWidth(rest) > room) {
    const [head] = cut(rest, room + 1);
    const at = head.lastIndexOf(' ', head.length - 1);
    const breakAt = at > (out.length === 0 ? indent : hang.length) ? at : cut(rest, room)[0].length;
    out.push(rest.slice(0, breakAt).trimEnd());
    rest = hang + rest.slice(breakAt).trimStart();
    room = width;
  }
  out.push(rest);
  return out;
}

/**
 * A stream that writes complete lines fitted to the terminal's width; it keeps `isTTY`
 * and `columns`, so whatever asks the stream what it is gets the terminal's answer.
 */
export function fittedStream(stream: NodeJS.WritableStream, width: number): NodeJS.WritableStream & { flush(): void } {
  let rest = '';
  const emit = (lines: string[]) => {
    if (lines.length) stream.write(lines.flatMap((l) => fitLine(l, width)).map((l) => `${l}\n`).join(''));
  };
  const target = {
    isTTY: true,
    columns: width,
    write(chunk: string | Uint8Array, ...args: unknown[]): boolean {
      const text = rest + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      emit(lines.map((l) => l.replace(/\r$/, '')));
      const cb = args.find((a): a is () => void => typeof a === 'function');
      cb?.();
      return true;
    },
    flush() {
      if (rest) emit([rest]);
      rest = '';
    },
    on: () => target,
    once: () => target,
    emit: () => false,
    end: () => target,
  };
  return target as unknown as NodeJS.WritableStream & { flush(): void };
}

/** The Io a command writes to: on a terminal, each stream fitted to its width. */
export function fittedIo(io: Io): { io: Io; flush(): void } {
  const out = termOf(io.out);
  const err = termOf(io.err);
  const o = out.width ? fittedStream(io.out, out.width) : null;
  const e = err.width ? fittedStream(io.err, err.width) : null;
  return {
    io: { out: o ?? io.out, err: e ?? io.err, raw: io.out },
    flush() {
      o?.flush();
      e?.flush();
    },
  };
}

/** Colours when the terminal shows them; plain text otherwise. */
export function paint(term: Pick<Term, 'color'>) {
  const sgr = (open: number, close: number) => (s: string) => (term.color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), blue: sgr(34, 39), cyan: sgr(36, 39) };
}
export type Paint = ReturnType<typeof paint>;
