// Schema drift between the YDB adapters' statements and the migrations, checked without a YDB
// server: parameters declared and used, no literal values, only tables, indexes and columns
// the migrations create, row structs that fit their table, and the migrations equal to the
// table descriptions the adapters encode rows with. This is not a YQL syntax or type check
// (see schema-drift.ts); parameter types meet the columns on the wire, in test/ydb-wire.
import { describe, expect, test } from 'vitest';
import { loadMigrations, splitStatements } from '../../../../shared/adapters/ydb/migrate.ts';
import { ALLOWED_LITERALS, MIGRATIONS_BOOTSTRAP, allQueries } from '../../../../shared/adapters/ydb/queries.ts';
import { TABLES } from '../../../../shared/adapters/ydb/tables.ts';
import { YQL_KEYWORDS, lintQuery, parseSchema, tokenize } from './schema-drift.ts';

const migrations = loadMigrations();
/** The tables the migrations create (their ALTERs change settings, not columns; partitioning.test.ts reads those). */
const creates = migrations.flatMap((m) => splitStatements(m.text)).filter((st) => /^CREATE\s/i.test(st));
const schema = parseSchema([MIGRATIONS_BOOTSTRAP, ...creates]);
const queries = allQueries();

describe('schema drift: the YDB adapters\' statements against the migrations', () => {
  test('there is a statement for every adapter operation family', () => {
    const names = Object.keys(queries);
    expect(names.length).toBeGreaterThan(60);
    for (const prefix of ['LEDGER_', 'POINTERS', 'SCHOOLS_OF_BATCH', 'AGGREGATE_TIMESERIES.teachers_calls_share', 'ALERTS_', 'DELIVERY_', 'MIGRATION']) {
      expect(names.some((n) => n.startsWith(prefix))).toBe(true);
    }
  });

  test.each(Object.entries(queries))('%s is parameterised and names only what the migrations create', (_name, text) => {
    expect(lintQuery(text, schema, ALLOWED_LITERALS)).toEqual([]);
  });

  test('every statement DECLAREs its parameters before any other statement', () => {
    for (const [name, text] of Object.entries(queries)) {
      const toks = tokenize(text);
      const lastDeclare = toks.map((t) => t.v.toUpperCase()).lastIndexOf('DECLARE');
      const firstOther = toks.findIndex((t) => t.t === 'word' && ['SELECT', 'UPSERT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE'].includes(t.v.toUpperCase()));
      expect(lastDeclare < firstOther, name).toBe(true);
    }
  });

  test('statements stay under the 10 KB query text limit', () => {
    for (const [name, text] of Object.entries(queries)) expect(Buffer.byteLength(text), name).toBeLessThan(10 * 1024);
  });
});

describe('the schema-drift check itself', () => {
  const lint = (text: string) => lintQuery(text, schema, ALLOWED_LITERALS);

  test('an undeclared parameter is reported', () => {
    expect(lint('SELECT region FROM current_batch WHERE region = $region;')).toContain('$region is used but not DECLAREd');
  });

  test('an interpolated string or number is reported', () => {
    expect(lint(`SELECT region FROM current_batch WHERE region = '26';`)).toContain(`literal '26' is not a parameter`);
    expect(lint('DECLARE $region AS Utf8; SELECT region FROM current_batch WHERE region = $region LIMIT 1000;')).toContain(
      'literal 1000 is not a parameter',
    );
  });

  test('unknown tables, columns and indexes are reported', () => {
    expect(lint('SELECT a FROM nowhere;')).toContain('unknown table nowhere');
    expect(lint('DECLARE $region AS Utf8; SELECT colour FROM current_batch WHERE region = $region;')).toContain(
      'unknown column colour in current_batch',
    );
    expect(lint('DECLARE $s AS Utf8; SELECT state FROM notify_delivery VIEW by_nothing WHERE state = $s;')).toContain(
      'unknown index by_nothing on notify_delivery',
    );
  });

  test('is only a schema-drift check: text YDB would refuse passes it', () => {
    for (const text of [
      'DECLARE $s AS Utf8; SELECT region FROM current_batch WHERE (region = $s;',
      'DECLARE $s AS Utf8; SELECT region FROM current_batch WHERE region = $s ORDER region;',
      'DECLARE $s AS Utf8; SELECT region kind FROM current_batch WHERE region = $s;',
      'DECLARE $s AS Utf8; SELECT region FROM upload_ledger WHERE ingest_sequence = $s;',
    ]) expect(lint(text.replace('upload_ledger', 'current_batch').replace('ingest_sequence', 'source_sequence')), text).toEqual([]);
  });

  test('a parameter typed unlike its column, and an ill-fitting row struct, are reported', () => {
    expect(lint('DECLARE $region AS Int64; SELECT region FROM current_batch WHERE region = $region;')).toContain(
      '$region is declared Int64 but column region is Utf8',
    );
    expect(
      lint('DECLARE $rows AS List<Struct<region: Utf8>>; UPSERT INTO current_batch SELECT * FROM AS_TABLE($rows);').some((p) =>
        p.includes('lacks key column period_start'),
      ),
    ).toBe(true);
    expect(lint('DECLARE $x AS Utf8; SELECT 1u FROM current_batch;')).toContain('$x is declared but never used');
  });
});

describe('YDB migrations', () => {
  test('are numbered, unique and split into CREATE TABLE IF NOT EXISTS, ALTER TABLE … SET or backfill (UPSERT INTO … SELECT) statements', () => {
    const ids = migrations.map((m) => m.id);
    expect(ids).toEqual(['0001_snapshots_and_ledger', '0002_aggregates_and_alerts', '0003_notification_outbox', '0004_partitioning', '0005_provenance_and_completeness', '0007_read_model', '0009_unit_summary']);
    for (const m of migrations) for (const s of splitStatements(m.text)) expect(s).toMatch(/^(CREATE TABLE IF NOT EXISTS |ALTER TABLE \w+ SET \(|UPSERT INTO \w+\s+SELECT )/);
  });

  test('create exactly the tables the adapters describe, column for column', () => {
    expect([...schema.keys()].sort()).toEqual(TABLES.map((t) => t.name).sort());
    for (const t of TABLES) {
      const def = schema.get(t.name)!;
      const expected = Object.fromEntries(Object.entries(t.columns).map(([n, c]) => [n, { type: c.kind, notNull: !c.optional }]));
      expect(Object.fromEntries(def.columns), t.name).toEqual(expected);
      expect(def.primaryKey, t.name).toEqual(t.primaryKey);
      expect(Object.fromEntries(def.indexes), t.name).toEqual(Object.fromEntries(t.indexes.map((i) => [i.name, i.columns])));
    }
  });

  test('name no table or column after a YQL keyword', () => {
    for (const [table, def] of schema) {
      expect(YQL_KEYWORDS.has(table.toUpperCase()), table).toBe(false);
      for (const c of def.columns.keys()) expect(YQL_KEYWORDS.has(c.toUpperCase()), `${table}.${c}`).toBe(false);
    }
  });

  test('start every key with something other than a monotonically increasing column', () => {
    for (const [table, def] of schema) {
      const first = def.primaryKey[0]!;
      expect(first.endsWith('_ms') || first.endsWith('sequence') || first === 'version', `${table} key starts with ${first}`).toBe(false);
    }
  });

  test('put region and period first in the keys of the per-period tables', () => {
    for (const name of ['school_snapshot', 'municipality_snapshot', 'current_batch', 'aggregate_metrics']) {
      expect(schema.get(name)!.primaryKey.slice(0, 3), name).toEqual(['region', 'period_start', 'period_end']);
    }
  });

  test('keep the aggregate table flat: one column per metric and delta, typed for DataLens', () => {
    const agg = schema.get('aggregate_metrics')!;
    expect(agg.columns.get('teachers_in_sferum_share')).toEqual({ type: 'Double', notNull: false });
    expect(agg.columns.get('teachers_total_delta')).toEqual({ type: 'Int64', notNull: false });
    expect(agg.columns.get('period_start')).toEqual({ type: 'Date', notNull: true });
    expect([...agg.columns.values()].filter((c) => c.type === 'Json')).toHaveLength(2);
  });
});
