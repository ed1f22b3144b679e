// The migrations' partitioning settings, read from the files `migrate` applies: every
// table whose key leads with the region, and every large hash-keyed table, splits by load
// and by size (YDB splits only by size unless told, so a region's writes would stay in one
// partition), and each ALTER names a table the migrations create.
import { describe, expect, test } from 'vitest';
import { loadMigrations, splitStatements } from '../../../../shared/adapters/ydb/migrate.ts';
import { TABLES } from '../../../../shared/adapters/ydb/tables.ts';

const statements = loadMigrations().flatMap((m) => splitStatements(m.text));

/** table → setting → value, from CREATE … WITH (…) and ALTER TABLE … SET (…), later ones winning. */
function settings(): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const st of statements) {
    const m = /^(?:CREATE TABLE(?: IF NOT EXISTS)?|ALTER TABLE)\s+(\w+)[\s\S]*?(?:\bWITH|\bSET)\s*\(([^)]*)\)\s*;$/i.exec(st);
    const name = /^(?:CREATE TABLE(?: IF NOT EXISTS)?|ALTER TABLE)\s+(\w+)/i.exec(st)?.[1];
    if (!name) continue;
    const table = out.get(name) ?? new Map<string, string>();
    out.set(name, table);
    if (!m) continue;
    for (const pair of m[2]!.split(',')) {
      const [k, v] = pair.split('=').map((x) => x.trim());
      if (k && v) table.set(k.toUpperCase(), v.toUpperCase());
    }
  }
  return out;
}

const LARGE_HASH_KEYED = ['upload_ledger', 'snapshot_batch_unit', 'notify_delivery', 'notify_delivery_item'];

describe('partitioning settings of the migrations', () => {
  const s = settings();
  const regionFirst = TABLES.filter((t) => t.primaryKey[0] === 'region').map((t) => t.name);

  test('the region-first tables are the snapshot, pointer, aggregate, completeness, alert and read-model tables', () => {
    expect(regionFirst.sort()).toEqual(['aggregate_metrics', 'alert_state', 'current_batch', 'municipality_snapshot', 'period_completeness', 'read_version', 'region_period', 'school_snapshot', 'school_source', 'snapshot_period', 'snapshot_unit_summary']);
  });

  test.each([...regionFirst, ...LARGE_HASH_KEYED])('%s splits by load and by size, within bounds', (name) => {
    const t = s.get(name);
    expect(t, `${name} is created by a migration`).toBeDefined();
    expect(t!.get('AUTO_PARTITIONING_BY_LOAD')).toBe('ENABLED');
    expect(t!.get('AUTO_PARTITIONING_BY_SIZE')).toBe('ENABLED');
    expect(Number(t!.get('AUTO_PARTITIONING_PARTITION_SIZE_MB'))).toBeLessThanOrEqual(2048);
    expect(Number(t!.get('AUTO_PARTITIONING_MIN_PARTITIONS_COUNT'))).toBeGreaterThanOrEqual(1);
    expect(Number(t!.get('AUTO_PARTITIONING_MAX_PARTITIONS_COUNT'))).toBeGreaterThan(Number(t!.get('AUTO_PARTITIONING_MIN_PARTITIONS_COUNT')));
  });

  test('every ALTER names a table a migration creates', () => {
    const created = new Set(statements.filter((st) => /^CREATE TABLE/i.test(st)).map((st) => /(\w+)\s*\(/.exec(st)![1]));
    for (const st of statements.filter((x) => /^ALTER TABLE/i.test(x))) expect(created.has(/^ALTER TABLE\s+(\w+)/i.exec(st)![1]), st.slice(0, 60)).toBe(true);
  });
});
