// CLI: a function's JSON log line as a person reads it — one line
// `10:31:02 WARN  aggregate  defaults: target … (targets.inconsistent_pair)` when the entry
// carries a `message`, else `10:31:02 WARN  ingest  ingest.row_rejected  key=… row=35` —
// on stderr, in a pipe too (stderr is for people; functions.log keeps the JSON). Long
// values are cut, nested ones shown compactly; a line that is not JSON is passed through.
import type { Paint } from './term.ts';

const MAX_VALUE = 80;
const MAX_LINE = 400;
const SKIP = new Set(['level', 'msg', 'ts', 'fn', 'message', 'code']);

function value(v: unknown): string {
  const s = typeof v === 'string' ? (/[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v) : JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

/** The short form of one log line; `colour` marks the level (WARN yellow, ERROR red). */
export function humanLine(line: string, colour?: Paint): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const ts = typeof entry['ts'] === 'string' ? entry['ts'].slice(11, 19) : '';
  const levelText = String(entry['level'] ?? '').padEnd(5);
  const level = colour ? (/^(ERROR|FATAL)/.test(levelText) ? colour.red(levelText) : /^WARN/.test(levelText) ? colour.yellow(levelText) : levelText) : levelText;
  const fn = entry['fn'] ? String(entry['fn']) : '';
  const message = typeof entry['message'] === 'string' ? entry['message'] : null;
  const code = typeof entry['code'] === 'string' ? entry['code'] : null;
  // a sentence for people when the entry has one, the event's name otherwise
  const what = message ? `${message} (${code ?? String(entry['msg'] ?? '')})` : [String(entry['msg'] ?? ''), code].filter(Boolean).join(' ');
  const rest = Object.entries(entry)
    .filter(([k, v]) => !SKIP.has(k) && v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  const head = [ts, level, fn].filter(Boolean).join(' ');
  const text = `${head}  ${what}${rest ? `  ${rest}` : ''}`;
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 1)}…` : text;
}
