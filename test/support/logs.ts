// Test helper: a logger that captures its JSON lines, so tests assert on parsed entries.
import { createLogger } from '../../shared/runtime/logger.ts';

export function capturedLogger() {
  const lines: string[] = [];
  const log = createLogger({ level: 'DEBUG', sink: (l) => lines.push(l) });
  return { log, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown> & { level: string; msg: string }) };
}
