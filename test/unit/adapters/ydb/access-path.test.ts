// Every YDB statement reads a key or index prefix and sorts along it (issue 22, item 2): the
// access path of each table read is derived from the migrations' primary keys and indexes
// (access-path.ts), and a full scan, a scan of a region's whole history, a filter over a
// range of periods, a DISTINCT or a sort that does not continue the fixed prefix fails here.
// Serverless YDB bills a read by the rows and 4 KB blocks it reads, not those it returns,
// so these are costs that grow with every week of history, invisible to a test that counts
// rows returned.
import { describe, expect, test } from 'vitest';
import { loadMigrations, splitStatements } from '../../../../shared/adapters/ydb/migrate.ts';
import { MIGRATIONS_BOOTSTRAP, allQueries } from '../../../../shared/adapters/ydb/queries.ts';
import { parseSchema } from '../../../ydb-wire/yql-text.ts';
import { accessProblems, tableReads } from './access-path.ts';
import { JOINED_PERIOD_WINDOW } from '../../../support/joined-period-window.ts';

const creates = loadMigrations()
  .flatMap((m) => splitStatements(m.text))
  .filter((st) => /^CREATE\s/i.test(st));
const schema = parseSchema([MIGRATIONS_BOOTSTRAP, ...creates]);

/** Tables whose whole content is configuration-sized: a scan of them is one short read. */
const smallTables = new Set([
  'notify_channel_state', // channels disabled by an operator: a handful of rows
  'schema_migrations', // one row per migration file
]);
/** Period indexes: one short row per period of a region, so the region's prefix IS the period list. */
const listsPeriods = new Set(['region_period', 'snapshot_period', 'period_completeness']);
const rules = { smallTables, listsPeriods };

describe('access paths of the YDB statements', () => {
  const queries = allQueries();

  test.each(Object.entries(queries))('%s reads key prefixes and sorts along them', (_name, text) => {
    const problems = tableReads(text, schema).flatMap((r) => accessProblems(r, rules));
    expect(problems).toEqual([]);
  });

  test('every statement that reads a table is understood by the reader (none passes unread)', () => {
    const reading = Object.entries(queries).filter(([, text]) => /\b(FROM|JOIN)\s+(?!AS_TABLE)[a-z_]+\b(?!\s+ON\b)/i.test(text.replace(/DECLARE[^;]*;/g, '')));
    for (const [name, text] of reading) expect(tableReads(text, schema).length, name).toBeGreaterThan(0);
  });
});

describe('the reader flags what issue 22 found (held against the statements before the fix)', () => {
  const read = (text: string) => tableReads(text, schema).flatMap((r) => accessProblems(r, rules));

  test("a DISTINCT over a region's aggregates: the old AGGREGATE_PERIODS", () => {
    const problems = read(`DECLARE $region AS Utf8; DECLARE $limit AS Uint64;
SELECT DISTINCT period_start, period_end
FROM aggregate_metrics
WHERE region = $region
ORDER BY period_start, period_end
LIMIT $limit;`);
    expect(problems.join('\n')).toMatch(/DISTINCT/);
    expect(problems.join('\n')).toMatch(/region's whole history/);
  });

  test("a DISTINCT over a region's pointers: the old CURRENT_PERIODS", () => {
    expect(read(`DECLARE $region AS Utf8; DECLARE $limit AS Uint64;
SELECT DISTINCT period_start, period_end FROM current_batch WHERE region = $region ORDER BY period_start, period_end LIMIT $limit;`).join('\n')).toMatch(/DISTINCT[\s\S]*whole history/);
  });

  test('a batch filtered over a range of periods: the old DISCARD_BATCH', () => {
    const problems = read(`DECLARE $regions AS List<Utf8>; DECLARE $batch_id AS Utf8; DECLARE $period_from AS Date; DECLARE $period_to AS Date;
DELETE FROM school_snapshot
WHERE region IN $regions AND batch_id = $batch_id AND period_start >= $period_from AND period_start <= $period_to;`);
    expect(problems.join('\n')).toMatch(/filters batch_id over a range of periods/);
  });

  test('a sort that does not continue the index prefix: the old LEDGER_BY_OBJECT', () => {
    const problems = read(`DECLARE $bucket AS Utf8; DECLARE $object_key AS Utf8; DECLARE $limit AS Uint64;
SELECT upload_id FROM upload_ledger VIEW by_object WHERE bucket = $bucket AND object_key = $object_key ORDER BY ingest_sequence LIMIT $limit;`);
    expect(problems.join('\n')).toMatch(/not a continuation/);
  });

  test('a full scan', () => {
    expect(read('SELECT upload_id FROM upload_ledger WHERE status = $s;').join('\n')).toMatch(/full scan/);
  });

  test('a prefix read sorted along the key passes, and so does a bounded window of periods read backwards', () => {
    expect(read('DECLARE $r AS Utf8; SELECT level, unit FROM aggregate_metrics WHERE region = $r AND period_start = $s AND period_end = $e ORDER BY level, unit;')).toEqual([]);
    expect(read('SELECT period_start FROM aggregate_metrics WHERE region = $r AND period_start <= $s ORDER BY period_start DESC LIMIT $n;')).toEqual([]);
  });

  test("the period index joined to the aggregates: the old PERIOD_WINDOW, read as a scan of the region's history", () => {
    const problems = read(JOINED_PERIOD_WINDOW);
    expect(problems).toEqual([expect.stringMatching(/^aggregate_metrics .*: a scan of the region's whole history/)]);
  });

  test('a join to keys the request sends (AS_TABLE) reads the joined table by the prefix its ON clause fixes', () => {
    const [r] = tableReads('SELECT a.unit FROM AS_TABLE($w) AS w JOIN aggregate_metrics AS a ON a.region = w.region AND a.period_start = w.period_start AND a.period_end = w.period_end;', schema);
    expect(r).toMatchObject({ table: 'aggregate_metrics', prefix: ['region', 'period_start', 'period_end'] });
  });

  test("a range of periods closed on both sides passes; open on one side, without a LIMIT along it, is the region's history", () => {
    expect(read('SELECT * FROM aggregate_metrics WHERE region = $r AND period_start >= $from AND period_start <= $to;')).toEqual([]);
    expect(read('SELECT * FROM aggregate_metrics WHERE region = $r AND $from <= period_start AND period_start <= $to;')).toEqual([]);
    expect(read('SELECT * FROM aggregate_metrics WHERE region = $r AND period_start <= $to;').join('\n')).toMatch(/region's whole history/);
    expect(read('SELECT * FROM aggregate_metrics WHERE region = $r AND period_start >= $from AND period_start >= $to;').join('\n')).toMatch(/region's whole history/);
  });
});
