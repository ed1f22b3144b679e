// Test helper: a real YDB for the gated contract runs. Active only when YDB_ENDPOINT and
// YDB_DATABASE are set (`npm run test:services` sets them for the local-ydb container of
// infra/docker-compose.yml); otherwise each suite registers a visibly skipped block that
// says why, and prints the same line, so a green run never hides an unexercised adapter.
import { afterAll, describe, test } from 'vitest';
import { closeDriver, getDriver, migrate } from '../../shared/adapters/ydb/index.ts';
import type { Driver } from '../../shared/adapters/ydb/sdk.ts';
import { YdbClient } from '../../shared/adapters/ydb/client.ts';

export const YDB_SKIP_REASON = 'set YDB_ENDPOINT and YDB_DATABASE (see infra/docker-compose.yml)';

export function ydbConfigured(): boolean {
  return Boolean(process.env.YDB_ENDPOINT && process.env.YDB_DATABASE);
}

let ready: Promise<Driver> | undefined;

/** The test database: driver started and migrations applied, once per test file. */
export function ydbTestDriver(): Promise<Driver> {
  ready ??= (async () => {
    const driver = await getDriver({ endpoint: process.env.YDB_ENDPOINT, database: process.env.YDB_DATABASE, readyTimeoutMs: 20_000 });
    await migrate(driver);
    return driver;
  })();
  return ready;
}

/**
 * Empties the given tables (each suite owns its tables, so files running in parallel do
 * not clear each other's rows). Test-only: the adapters never delete whole tables.
 */
export async function emptyTables(driver: Driver, tables: readonly string[]): Promise<void> {
  const client = new YdbClient(driver);
  for (const t of tables) {
    if (!/^[a-z_]+$/.test(t)) throw new Error(`bad table name ${t}`);
    await client.run(`DELETE FROM ${t};`, {}, { what: `emptying ${t}`, idempotent: true });
  }
}

/**
 * Runs `register` (which declares the contract suite) against YDB when configured; else a
 * skipped block whose name carries the reason.
 */
export function ydbSuite(port: string, register: () => void): void {
  if (!ydbConfigured()) {
    describe.skip(`YDB contract: skipped — ${YDB_SKIP_REASON}`, () => {
      test(`${port} against YDB`, () => undefined);
    });
    console.warn(`[ydb] ${port} contract against YDB skipped: ${YDB_SKIP_REASON}`);
    return;
  }
  afterAll(async () => {
    await closeDriver();
  });
  register();
}
