// CLI: starting the local stack for `run` and `start`. The functions' JSON log lines are
// kept in <data-dir>/functions.log; stderr gets their warnings and errors (all of them with
// --verbose) as one readable line each, on a terminal and in a pipe alike (the JSON stays
// in the file), and the progress of each upload, read from ingest's completion line.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLocalStack, type LocalStack } from '../infra/local/runtime.ts';
import { quietSdkVersionWarning, ROOT, type Io } from './common.ts';
import { humanLine } from './log-lines.ts';
import { paint, termOf } from './term.ts';

export type IngestDone = { key: string; status: string; accepted: number; rejected: number; ms: number | null };

/** Writes a JSON log line to stderr as one readable line, coloured by level on a terminal. */
function lineShower(io: Io): (line: string) => void {
  const colour = paint(termOf(io.err));
  return (line) => io.err.write(`${humanLine(line, colour)}\n`);
}

/** A stream of JSON lines: every line to the file, some to stderr, ingest completions to `onIngest`. */
function functionLogs(file: string, io: Io, verbose: boolean, onIngest: (d: IngestDone) => void): Writable & { done(): Promise<void> } {
  const sink = createWriteStream(file, { flags: 'a' });
  const show = lineShower(io);
  let rest = '';
  const handle = (line: string) => {
    if (!line.trim()) return;
    sink.write(`${line}\n`);
    let entry: Record<string, unknown> | null = null;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // a plain line (a runtime warning of Node or the SDK): not ours to judge
    }
    if (entry?.['msg'] === 'ingest.completed') {
      onIngest({ key: String(entry['key']), status: String(entry['status']), accepted: Number(entry['accepted'] ?? 0), rejected: Number(entry['rejected'] ?? 0), ms: typeof entry['ms'] === 'number' ? entry['ms'] : null });
    }
    const level = entry?.['level'];
    if (verbose || level === 'WARN' || level === 'ERROR' || level === 'FATAL') show(line);
  };
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) handle(l);
      cb();
    },
  });
  return Object.assign(w, {
    done: () =>
      new Promise<void>((resolve) => {
        handle(rest);
        rest = '';
        sink.end(() => resolve());
      }),
  });
}

export async function startStack(
  io: Io,
  opts: { dataDir: string; ports?: { s3?: number; queue?: number; api?: number }; env?: Record<string, string>; oneShot: boolean; verbose: boolean; onIngest: (d: IngestDone) => void },
): Promise<{ stack: LocalStack; close(): Promise<void> }> {
  const logs = functionLogs(join(opts.dataDir, 'functions.log'), io, opts.verbose, opts.onIngest);
  const show = lineShower(io);
  let stack: LocalStack;
  try {
    stack = await createLocalStack({
      root: ROOT,
      dataDir: opts.dataDir,
      ...(opts.ports ? { ports: opts.ports } : {}),
      // a one-shot run delivers at once; a running stack groups within the configured window
      env: { ...quietSdkVersionWarning(), ...(opts.oneShot ? { NOTIFY_CONFIG: JSON.stringify({ grouping: { windowMs: 0 } }) } : {}), ...opts.env },
      wallClock: !opts.oneShot,
      functionLogs: logs,
      log: (level, msg, fields) => {
        // the one INFO the runtime logs: say what is happening, in words
        if (msg === 'local.build' && !opts.verbose) io.err.write(`building the function bundles (${(fields?.['stale'] as string[] | undefined)?.join(', ') ?? 'all'}): their sources changed since the last build…\n`);
        else if (level === 'WARN' || level === 'ERROR' || opts.verbose) show(JSON.stringify({ level, msg, ...fields }));
      },
    });
  } catch (err) {
    await logs.done();
    throw err;
  }
  return {
    stack,
    close: async () => {
      await stack.close();
      await logs.done();
    },
  };
}
