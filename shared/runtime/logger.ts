// Runtime: the JSON-lines logger Yandex Cloud Logging reads as structured entries
// (`level`, `msg`, other fields into json-payload). JSON.stringify escapes CR/LF, which
// closes the log-injection vector of values that carry line breaks.
import type { LogFields, Logger } from '../ports/logger.ts';

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const ORDER: Record<Level, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export type LogSink = (line: string) => void;

// Cloud Functions collect stdout and stderr alike; the local CLI keeps stdout for its own
// output (`run --json` prints one document), so its runtime sends function logs to stderr.
const stream = process.env['LOG_DESTINATION'] === 'stderr' ? process.stderr : process.stdout;

export function createLogger(opts: { level?: Level; sink?: LogSink; base?: LogFields } = {}): Logger {
  const min = ORDER[opts.level ?? 'INFO'];
  const sink = opts.sink ?? ((line: string) => stream.write(`${line}\n`));
  const base = opts.base ?? {};
  const emit = (level: Level, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    sink(JSON.stringify({ level, msg, ts: new Date().toISOString(), ...base, ...(fields ? sanitize(fields) : {}) }));
  };
  return {
    debug: (m, f) => emit('DEBUG', m, f),
    info: (m, f) => emit('INFO', m, f),
    warn: (m, f) => emit('WARN', m, f),
    error: (m, f) => emit('ERROR', m, f),
    child: (fields) => createLogger({ ...opts, base: { ...base, ...fields } }),
  };
}

/** Errors become their class, code and message; a `cause` chain is kept by name only. */
function sanitize(fields: LogFields): LogFields {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? errorFields(v) : v;
  }
  return out;
}

export function errorFields(e: Error): Record<string, unknown> {
  const code = (e as { code?: unknown }).code;
  return {
    class: e.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: e.message,
    ...(e.cause instanceof Error ? { cause: e.cause.name } : {}),
  };
}
