// The wire server's type check over the statement shapes the adapters write: each must catch
// a parameter of the wrong type and pass the right one, or the server's green means nothing.
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkQuery } from '../../ydb-wire/check.ts';
import { loadSchema } from '../../ydb-wire/yql-text.ts';

const schema = loadSchema(resolve(import.meta.dirname, '../../../infra/ydb/migrations'));
const check = (text: string, params: Record<string, string>) => checkQuery(text, new Map(Object.entries(params)), schema);

describe('comparisons', () => {
  test.each([
    ['col = $p', 'SELECT upload_id FROM upload_ledger WHERE ingest_sequence = $p'],
    ['$p = col', 'SELECT upload_id FROM upload_ledger WHERE $p = ingest_sequence'],
    ['alias.col < $p', 'SELECT l.upload_id FROM upload_ledger AS l WHERE l.ingest_sequence < $p'],
    ['index view', 'SELECT upload_id FROM upload_ledger VIEW by_status_sequence WHERE status = "x" AND ingest_sequence >= $p'],
    ['BETWEEN', 'SELECT upload_id FROM upload_ledger WHERE ingest_sequence BETWEEN $p AND $q'],
    ['row tuple', 'SELECT upload_id FROM upload_ledger WHERE (status, ingest_sequence) > ($s, $p)'],
  ])('%s: a Utf8 parameter against a Uint64 column fails, Uint64 passes', (_shape, text) => {
    const q: Record<string, string> = text.includes('$q') ? { $q: 'Uint64' } : {};
    const s: Record<string, string> = text.includes('$s') ? { $s: 'Utf8' } : {};
    expect(check(text, { $p: 'Utf8', ...q, ...s }).join()).toContain('parameter $p is Utf8 but is compared with column upload_ledger.ingest_sequence (Uint64 NOT NULL)');
    expect(check(text, { $p: 'Uint64', ...q, ...s })).toEqual([]);
  });

  test('a parameter compared with a nullable column may be Optional or not; the base type must match', () => {
    const text = 'SELECT upload_id FROM upload_ledger WHERE lease_until_ms < $now';
    expect(check(text, { $now: 'Int64' })).toEqual([]);
    expect(check(text, { $now: 'Optional<Int64>' })).toEqual([]);
    expect(check(text, { $now: 'Uint64' })).toEqual(['parameter $now is Uint64 but is compared with column upload_ledger.lease_until_ms (Int64)']);
  });

  test('IN $list compares the list items; IN ($a, $b) each item', () => {
    expect(check('SELECT unit FROM alert_state WHERE region IN $regions', { $regions: 'List<Utf8>' })).toEqual([]);
    expect(check('SELECT unit FROM alert_state WHERE region IN $regions', { $regions: 'List<Int32>' })).toEqual([
      'parameter $regions is Int32 but is compared with column alert_state.region (Utf8 NOT NULL)',
    ]);
    expect(check('SELECT unit FROM alert_state WHERE region IN ($a, $b)', { $a: 'Utf8', $b: 'Int32' })).toEqual([
      'parameter $b is Int32 but is compared with column alert_state.region (Utf8 NOT NULL)',
    ]);
  });

  test('a Datetime compared with a Date column fails (what a JS Date becomes by default)', () => {
    expect(check('SELECT unit FROM alert_state WHERE period_start = $d', { $d: 'Datetime' })).toEqual([
      'parameter $d is Datetime but is compared with column alert_state.period_start (Date NOT NULL)',
    ]);
  });

  test('AS_TABLE fields joined with a table column are compared with it', () => {
    const text = 'SELECT c.batch_id FROM AS_TABLE($keys) AS k JOIN current_batch AS c ON c.region = k.region AND c.period_start = k.period_start';
    expect(check(text, { $keys: 'List<Struct<period_start:Date,region:Utf8>>' })).toEqual([]);
    expect(check(text, { $keys: 'List<Struct<period_start:Datetime,region:Utf8>>' })).toEqual([
      'parameter $keys field period_start is Datetime but is compared with column current_batch.period_start (Date NOT NULL)',
    ]);
  });
});

describe('writes', () => {
  test('UPDATE ... SET: Optional into NOT NULL fails, into a nullable column passes; the WHERE part compares', () => {
    const text = 'UPDATE upload_ledger SET status = $s, lease_until_ms = $l WHERE upload_id = $id';
    expect(check(text, { $s: 'Utf8', $l: 'Optional<Int64>', $id: 'Utf8' })).toEqual([]);
    expect(check(text, { $s: 'Optional<Utf8>', $l: 'Int64', $id: 'Optional<Utf8>' })).toEqual([
      'parameter $s is Optional<Utf8> but is written to column upload_ledger.status (Utf8 NOT NULL)',
    ]);
  });

  test('UPSERT ... VALUES maps parameters to the listed columns by position', () => {
    const text = 'UPSERT INTO sequence_counter (counter_name, last_value) VALUES ($name, $value)';
    expect(check(text, { $name: 'Utf8', $value: 'Uint64' })).toEqual([]);
    expect(check(text, { $name: 'Utf8', $value: 'Int64' })).toEqual([
      'parameter $value is Int64 but is written to column sequence_counter.last_value (Uint64 NOT NULL)',
    ]);
  });

  test('UPSERT ... SELECT * FROM AS_TABLE($rows): every field against its column, unknown fields reported', () => {
    const text = 'UPSERT INTO notify_channel_state SELECT * FROM AS_TABLE($rows)';
    expect(check(text, { $rows: 'List<Struct<channel_id:Utf8,disabled_at_ms:Int64,reason:Utf8>>' })).toEqual([]);
    expect(check(text, { $rows: 'List<Struct<channel_id:Utf8,disabled_at_ms:Uint64,colour:Utf8>>' })).toEqual([
      'parameter $rows field disabled_at_ms is Uint64 but is written to column notify_channel_state.disabled_at_ms (Int64 NOT NULL)',
      'parameter $rows field colour (Utf8) is written to notify_channel_state.colour, which the migrations do not create',
    ]);
  });

  test('UPSERT ... SELECT with a select list: fields, aliased fields and parameters go to the named columns', () => {
    const text = 'UPSERT INTO notify_channel_state SELECT r.channel_id, r.at AS disabled_at_ms, $reason AS reason FROM AS_TABLE($rows) AS r';
    expect(check(text, { $rows: 'List<Struct<at:Int64,channel_id:Utf8>>', $reason: 'Utf8' })).toEqual([]);
    expect(check(text, { $rows: 'List<Struct<at:Int32,channel_id:Utf8>>', $reason: 'Json' })).toEqual([
      'parameter $rows field at is Int32 but is written to column notify_channel_state.disabled_at_ms (Int64 NOT NULL)',
      'parameter $reason is Json but is written to column notify_channel_state.reason (Utf8 NOT NULL)',
    ]);
  });

  test('DELETE ... ON SELECT * FROM AS_TABLE($keys) checks the key fields', () => {
    const text = 'DELETE FROM current_batch ON SELECT * FROM AS_TABLE($keys)';
    expect(check(text, { $keys: 'List<Struct<region:Utf8,period_start:Date>>' })).toEqual([]);
    expect(check(text, { $keys: 'List<Struct<region:Utf8,period_start:Utf8>>' })).toEqual([
      'parameter $keys field period_start is Utf8 but is written to column current_batch.period_start (Date NOT NULL)',
    ]);
  });
});

describe('parameters and tables', () => {
  test('a DECLARE that differs from the sent type and a missing parameter are reported; an unknown table is the engine\'s to refuse', () => {
    expect(check('DECLARE $p AS Uint64; SELECT upload_id FROM upload_ledger WHERE ingest_sequence = $p', { $p: 'Utf8' })).toContain(
      '$p is DECLAREd as Uint64 but sent as Utf8',
    );
    expect(check('SELECT upload_id FROM upload_ledger WHERE upload_id = $id', {})).toEqual(['$id is used but no value was sent']);
    expect(check('SELECT a FROM nowhere WHERE a = $a', { $a: 'Utf8' })).toEqual([]);
  });

  test('named expressions are not parameters; DDL is not checked', () => {
    expect(check('$rows = SELECT upload_id FROM upload_ledger WHERE upload_id = $id; SELECT * FROM $rows', { $id: 'Utf8' })).toEqual([]);
    expect(check('CREATE TABLE t (a Utf8, PRIMARY KEY (a))', {})).toEqual([]);
  });
});
