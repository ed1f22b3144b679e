// CLI: `sferum-pulse` — the main job on one machine and the operator's tools. This module
// dispatches commands, prints `--help` for each, and turns failures into stable exit
// codes: 0 success, 1 a file was rejected as a whole (run), 2 a usage or system error.
// Messages say what to do; stdout carries only the command's output.
import { DeliveryState } from '../shared/domain/store-rules/delivery.ts';
import { EXIT, UsageError, type Io } from './common.ts';

const EXIT_CODES = `Exit codes:
  0  success (run: every file was at least partly accepted)
  1  run: at least one file was rejected as a whole
  2  usage error or system error (the message says what to do)`;

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

"sferum-pulse <command> --help" shows a command's options.

${EXIT_CODES}`,
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

${EXIT_CODES}`,
  start: `Usage: sferum-pulse start [--data-dir DIR] [--port N] [--verbose]

Runs the local stack until Ctrl-C or SIGTERM, with the timers on the wall clock. S3 listens
on 127.0.0.1:N (default 9090), the API and dashboard on N+1, the Message Queue on N+2
(--port 0 picks free ports). An empty data directory (default .data) gets the bundled
samples uploaded. Any S3 client (aws cli, rclone, the AWS SDK) can upload to the printed
endpoint with the printed credentials, and the chain runs.

${EXIT_CODES}`,
  upload: `Usage: sferum-pulse upload FILE... [--endpoint URL] [--bucket NAME] [--prefix P]

Uploads the files under uploads/26/ (or P) to a running local stack (default endpoint
http://127.0.0.1:9090, bucket sferum-pulse-exports) or, with
--endpoint https://storage.yandexcloud.net, to a real bucket with the static key in
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (region AWS_REGION, default ru-central1).

${EXIT_CODES}`,
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

${EXIT_CODES}`,
  deliveries: `Usage: sferum-pulse deliveries [--data-dir DIR] [--state ${DeliveryState.options.join('|')}] [--limit N] [--replay ID]

Lists the notification outbox's deliveries in a state (default dead), one JSON line each,
or replays a dead or disabled delivery under its original id (a running stack's notify
timer sends it).

${EXIT_CODES}`,
  migrate: `Usage: sferum-pulse migrate

Applies the YDB schema migrations (infra/ydb/migrations) to the database named by
YDB_ENDPOINT + YDB_DATABASE or YDB_CONNECTION_STRING, with the credentials the YDB adapter reads
from the environment (e.g. YDB_ACCESS_TOKEN_CREDENTIALS). Applying twice changes nothing.

${EXIT_CODES}`,
} as const;

type Command = Exclude<keyof typeof HELP, 'main'>;

export async function main(argv: readonly string[], io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
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
    if (command === 'main' || !(command in HELP)) throw new UsageError(`unknown command "${command}"; run "sferum-pulse --help" for the commands`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out.write(`${HELP[command as Command]}\n`);
      return EXIT.ok;
    }
    switch (command as Command) {
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
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (e instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.err.write(`sferum-pulse ${command}: ${(e as Error).message}\n`);
      if (!(e instanceof UsageError)) io.err.write(`run "sferum-pulse ${command} --help" for the options\n`);
      return EXIT.error;
    }
    io.err.write(`sferum-pulse ${command}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    return EXIT.error;
  }
  return EXIT.error;
}
