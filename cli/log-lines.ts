// CLI: a function's JSON log line as a person at a terminal reads it — one short line
// `10:31:02 WARN  ingest  ingest.row_rejected  key=… row=35 column=МОУО` — while
// functions.log keeps the JSON. Long values are cut, nested ones shown compactly; a line
// that is not JSON is passed through as it is.

const MAX_VALUE = 80;
const MAX_LINE = 240;
const SKIP = new Set(['level', 'msg', 'ts', 'fn']);

function value(v: unknown): string {
  const s = typeof v === 'string' ? (/[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v) : JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

/** The short form of one log line. */
export function humanLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const ts = typeof entry['ts'] === 'string' ? entry['ts'].slice(11, 19) : '';
  const head = [ts, String(entry['level'] ?? '').padEnd(5), entry['fn'] ? String(entry['fn']) : '', String(entry['msg'] ?? '')].filter(Boolean).join(' ');
  const rest = Object.entries(entry)
    .filter(([k, v]) => !SKIP.has(k) && v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  const text = rest ? `${head}  ${rest}` : head;
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 1)}…` : text;
}
