// Child process for the first-record tests: reads a generated CSV stream with one 150 MB
// line through readCsv and prints one JSON line with the outcome, the bytes the reader
// pulled from the source and the process's peak RSS (vitest's own heap is not in it).
// `header`: the 150 MB line is the first record; `data`: it follows a header and precedes
// a good row.
import { InputError } from '../../../../shared/domain/errors.ts';
import { readCsv } from '../../../../shared/formats/csv/reader.ts';

const [shape = 'header', mbText = '150'] = process.argv.slice(2);
const MiB = 1024 * 1024;
const total = Number(mbText) * MiB;
// one chunk, reused: the source itself holds 1 MiB whatever the line's length
const filler = Buffer.alloc(MiB, 'x;');
let pulled = 0;

async function* source(): AsyncGenerator<Uint8Array> {
  const head = shape === 'data' ? Buffer.from('Период;МОУО;ИНН\n') : Buffer.alloc(0);
  if (head.length) {
    pulled += head.length;
    yield head;
  }
  for (let sent = 0; sent < total; sent += filler.length) {
    pulled += filler.length;
    yield filler;
  }
  const tail = Buffer.from('\n06.03-10.03.2023;Шпаковский МО;2623000002\n');
  pulled += tail.length;
  yield tail;
}

let outcome: Record<string, unknown>;
try {
  const { table } = await readCsv(source, { file: 'uploads/26/long.csv', encoding: 'utf-8' });
  const rows: unknown[] = [];
  for await (const r of table.rows) rows.push(r.rejected ? { row: r.row, code: r.rejected.code } : { row: r.row, cells: r.cells });
  outcome = { ok: true, headers: table.headers, rows };
} catch (err) {
  outcome = err instanceof InputError ? { ok: false, issue: err.issue } : { ok: false, raw: String(err) };
}
process.stdout.write(`${JSON.stringify({ ...outcome, pulled, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
