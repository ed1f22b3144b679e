// CLI: `sferum-pulse` — the main job on one machine and the operator's tools. This module
// dispatches commands, prints `--help` for each, and turns failures into stable exit
// codes: 0 success, 1 a file was rejected as a whole (run), 2 a usage or system error.
// Messages say what to do; stdout carries only the command's output.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryState } from '../shared/domain/store-rules/delivery.ts';
import { EXIT, quietSdkVersionWarning, ROOT, UsageError, type Io } from './common.ts';
import { fittedIo } from './term.ts';

/** Each command's own exit codes, at the end of its --help. */
const exitCodes = (...lines: string[]) => `Exit codes:\n${lines.map((l) => `  ${l}`).join('\n')}`;
const USAGE_OR_SYSTEM = '2  a usage error (the message names the option and what it takes) or a system error';

export const HELP = {
  main: `sferum-pulse — Sferum activity exports → per-period metrics, alerts and notifications, on one machine

Usage: sferum-pulse <command> [options]     (npx sferum-pulse … from a clone after npm install)

Commands:
  run [--data-dir DIR] [--json] [--samples] FILE...  upload files to a fresh local stack, wait until idle, print the result
  start [--data-dir DIR] [--port N]                  run the local stack until Ctrl-C (npm start)
  upload FILE... [--endpoint URL] [--bucket NAME]    upload to a running stack or a real bucket
  report [--format table|csv|xlsx|pptx|json] [--data-dir DIR] [--region ID] [--from DATE] [--to DATE] [--out FILE]
  deliveries [--data-dir DIR] [--state STATE] [--replay ID]   the notification outbox
  migrate                                            apply the YDB schema migrations

"sferum-pulse <command> --help" shows a command's options and exit codes;
"sferum-pulse --version" the version.

Exit codes: 0 success; 1 run: a file was rejected as a whole; 2 a usage or system error.
Each command's --help lists its own.`,
  run: `Usage: sferum-pulse run [--data-dir DIR] [--json] [--samples] [--prefix P] [--verbose] FILE...

Starts the local stack (s3rver, the local Message Queue, SQLite and the bundled functions,
wired from serverless.yml) in DIR or a temporary directory, uploads each FILE in the order
given under uploads/26/ (or P) through the S3 API, waits until ingest, aggregate and notify
are idle, and prints the upload reports, the regional table and the delivered notifications.

  --data-dir DIR  keep the data (s3/, pulse.sqlite, functions.log) in DIR
  --json          print exactly one JSON document on stdout: {uploads, periods, notifications}
  --samples       upload the bundled sample exports (events/samples, manifest order) first
  --prefix P      upload under P instead of uploads/26/ (must start with uploads/)
  --verbose       show every function log line on stderr, not only warnings and errors

Progress (rows, rows/s) and logs go to stderr.

${exitCodes('0  every file was accepted, at least in part', '1  at least one file was rejected as a whole', '2  a usage error, or a system error: a function failed or left a dead letter')}`,
  start: `Usage: sferum-pulse start [--data-dir DIR] [--port N] [--verbose]

Runs the local stack until Ctrl-C or SIGTERM, with the timers on the wall clock. S3 listens
on 127.0.0.1:N (default 9090), the API and dashboard on N+1, the Message Queue on N+2
(--port 0 picks free ports). An empty data directory (default .data) gets the bundled
samples uploaded. Any S3 client (aws cli, rclone, the AWS SDK) can upload to the printed
endpoint with the printed credentials, and the chain runs.

${exitCodes('0  stopped by Ctrl-C or SIGTERM', '2  a usage error (e.g. a port in use) or a system error')}`,
  upload: `Usage: sferum-pulse upload FILE... [--endpoint URL] [--bucket NAME] [--prefix P]

Uploads the files under uploads/26/ (or P) to a running local stack (default endpoint
http://127.0.0.1:9090, bucket sferum-pulse-exports) or, with
--endpoint https://storage.yandexcloud.net, to a real bucket with the static key in
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (region AWS_REGION, default ru-central1).

${exitCodes('0  every file was uploaded', USAGE_OR_SYSTEM.replace('a system error', 'an upload failed (the message says why)'))}`,
  report: `Usage: sferum-pulse report [--format table|csv|xlsx|pptx|json] [--data-dir DIR] [--region ID] [--from DATE] [--to DATE] [--out FILE]

The ministry's documents for the weeks whose start lies within [from, to] (YYYY-MM-DD,
both optional) of region ID (default 26), from DIR/pulse.sqlite (default .data), through
the same use case and parameter rules as the API's /v1/regions/{region}/report.* routes:

  table  (default) the table "Активность по ОО, МОУО СК в Сфере": aligned on a terminal, TSV in a pipe
  csv    the same table as CSV (UTF-8 with BOM, ";", Russian number formats: Excel or LibreOffice in a Russian locale)
  xlsx   the printable workbook: the regional table, the municipalities and «Неактивные ОО» of the last week
  pptx   the slide deck: the table, the KPI chart against the targets, the municipalities furthest from each target
  json   the table's title, headers and formatted cells

Output goes to stdout unless --out FILE is given; xlsx and pptx need --out on a terminal.
A bad flag exits 2 naming the flag and what it accepts.

${exitCodes('0  the document was written', USAGE_OR_SYSTEM)}`,
  deliveries: `Usage: sferum-pulse deliveries [--data-dir DIR] [--state ${DeliveryState.options.join('|')}] [--limit N] [--replay ID]

Lists the notification outbox's deliveries in a state (default dead), one JSON line each,
or replays a dead or disabled delivery under its original id (a running stack's notify
timer sends it).

${exitCodes('0  listed, or the delivery is pending again', '2  a usage error (a bad state, no such delivery, no data directory) or a system error')}`,
  migrate: `Usage: sferum-pulse migrate

Applies the YDB schema migrations (infra/ydb/migrations) to the database named by
YDB_ENDPOINT + YDB_DATABASE or YDB_CONNECTION_STRING, with the credentials the YDB adapter reads
from the environment (e.g. YDB_ACCESS_TOKEN_CREDENTIALS). Applying twice changes nothing.

${exitCodes('0  the schema is up to date (applied now or before)', '2  no YDB configured, a changed migration refused, or a system error')}`,
} as const;

type Command = Exclude<keyof typeof HELP, 'main'>;
const COMMANDS = Object.keys(HELP).filter((c): c is Command => c !== 'main');

/** The version in package.json. */
export function version(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Edit distance (insert, delete, substitute, swap two neighbours). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/** The known word nearest to `word` (a prefix of it, or within 2 edits), if any. */
export function nearest(word: string, known: readonly string[]): string | null {
  const prefix = known.filter((k) => k.startsWith(word) || word.startsWith(k));
  if (prefix.length === 1) return prefix[0]!;
  const scored = known.map((k) => ({ k, d: distance(word, k) })).filter((x) => x.d <= Math.max(1, Math.min(2, Math.floor(word.length / 3))));
  scored.sort((x, y) => x.d - y.d);
  return scored.length > 0 && (scored.length === 1 || scored[0]!.d < scored[1]!.d) ? scored[0]!.k : null;
}

/** The options a command's --help documents: the one list the suggestions come from. */
export function optionsOf(command: Command): string[] {
  return [...new Set([...HELP[command].matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]))].filter((o) => o !== '--help');
}

/** Node's parseArgs errors, said as the CLI says a usage error: the option, and what was meant. */
function usageOfParseError(command: Command, e: Error & { code?: string }): UsageError {
  const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? '';
  const option = quoted.split(' ')[0]!;
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const near = nearest(option, optionsOf(command));
      return new UsageError(`unknown option ${option}${near ? `; did you mean ${near}?` : `; the options are ${optionsOf(command).join(', ') || 'none'}`}`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(/does not take an argument/.test(e.message) ? `${option} takes no value` : `${option} needs a value (${option} VALUE)`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument "${quoted}": ${command} takes options only`);
    default:
      return new UsageError(e.message);
  }
}

export async function main(argv: readonly string[], stdio: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  quietSdkVersionWarning();
  const fitted = fittedIo(stdio);
  try {
    return await dispatch(argv, fitted.io);
  } finally {
    fitted.flush();
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      io.err.write(`${HELP.main}\n`);
      return EXIT.error;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      io.out.write(`${HELP.main}\n`);
      return EXIT.ok;
    }
    if (command === '--version' || command === '-v' || command === 'version') {
      io.out.write(`sferum-pulse ${version()} (Node.js ${process.versions.node})\n`);
      return EXIT.ok;
    }
    if (!(COMMANDS as string[]).includes(command)) {
      const near = nearest(command, [...COMMANDS, '--help', '--version']);
      throw new UsageError(`unknown command "${command}"${near ? ` (did you mean "${near}"?)` : ''}; run "sferum-pulse --help" for the commands`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out.write(`${HELP[command as Command]}\n`);
      return EXIT.ok;
    }
    try {
      return await run(command as Command, rest, io);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw usageOfParseError(command as Command, e as Error & { code: string });
      throw e;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`sferum-pulse ${command}: ${e.message}\n`);
      if (COMMANDS.includes(command as Command) && /^(unknown option|unexpected argument|--\S+ (takes no value|needs a value))/.test(e.message)) io.err.write(`run "sferum-pulse ${command} --help" for the options\n`);
      return EXIT.error;
    }
    io.err.write(`sferum-pulse ${command}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    return EXIT.error;
  }
}

async function run(command: Command, rest: string[], io: Io): Promise<number> {
  switch (command) {
    case 'run':
      return await (await import('./run.ts')).run(rest, io);
    case 'start':
      return await (await import('./run.ts')).start(rest, io);
    case 'upload':
      return await (await import('./tools.ts')).upload(rest, io);
    case 'report':
      return await (await import('./report.ts')).report(rest, io);
    case 'deliveries':
      return await (await import('./tools.ts')).deliveries(rest, io);
    case 'migrate':
      return await (await import('./tools.ts')).migrate(rest, io);
  }
}
