// `migrate` through the wire server: schema statements go outside any transaction (YDB runs
// DDL only there), and a migration's backfill (0007 fills the period indexes from the tables
// a database already holds) runs as data, in a serializable transaction committed with it.
import { expect, test } from 'vitest';
import { DATA_STATEMENT, loadMigrations, migrate } from '../../../../../shared/adapters/ydb/migrate.ts';
import { MIGRATIONS_BOOTSTRAP } from '../../../../../shared/adapters/ydb/queries.ts';
import { useAdapterWire } from './harness.ts';

// the bookkeeping table migrate creates first
const h = useAdapterWire(undefined, { extraDdl: [MIGRATIONS_BOOTSTRAP] });

test('DDL is sent without a transaction and each backfill in a transaction of its own, committed with it', async () => {
  const { Driver } = await import('@ydbjs/core');
  const driver = new Driver(h.wire.connectionString, { 'ydb.sdk.enable_discovery': false });
  await driver.ready();
  try {
    const out = await migrate(driver, { migrations: loadMigrations(), nowMs: () => 1 });
    expect(out.applied).toContain('0007_read_model');
  } finally {
    driver.close();
  }
  const queries = h.wire.queries();
  const backfills = queries.filter((q) => DATA_STATEMENT.test(q.text) && /GROUP BY/.test(q.text));
  expect(backfills.map((q) => /INTO (\w+)/.exec(q.text)![1])).toEqual(['region_period', 'snapshot_period']);
  for (const q of backfills) expect(q.tx).toEqual({ begin: 'serializableReadWrite', commit: true, txId: null });
  const ddl = queries.filter((q) => /^(CREATE|ALTER) /.test(q.text));
  expect(ddl.length).toBeGreaterThan(10);
  for (const q of ddl) expect(q.tx).toEqual({ begin: null, commit: false, txId: null });
});
