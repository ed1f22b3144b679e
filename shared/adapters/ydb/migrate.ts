// Adapter support: applies the YQL migrations in infra/ydb/migrations to a YDB database,
// idempotently. `sferum-pulse migrate` calls `migrate(driver)`.
//
// Each migration runs once and is recorded in `schema_migrations` with a checksum of its
// text; a recorded migration whose file has since changed is refused (fix forward with a
// new file). DDL cannot run inside a transaction, so a migration that fails half-way may
// leave some tables created: every statement is `IF NOT EXISTS`, and the migration is
// recorded only after all its statements succeeded, so running `migrate` again finishes it.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../domain/errors.ts';
import { YdbClient, paginate } from './client.ts';
import { MIGRATION_COLUMNS, MIGRATION_RECORD, MIGRATIONS_APPLIED, MIGRATIONS_BOOTSTRAP } from './queries.ts';
import { listParam } from './codec.ts';
import type { Driver } from './sdk.ts';

export type Migration = { readonly id: string; readonly text: string; readonly checksum: string };

const FILE = /^(\d{4})_[a-z0-9_]+\.yql$/;

/**
 * Every NNNN_name.yql file, in order; numbers must be unique. The directory is
 * YDB_MIGRATIONS_DIR, else infra/ydb/migrations under the working directory (the CLI runs
 * from a checkout; the function bundles never migrate, and `import.meta` is empty in their
 * CommonJS output).
 */
export function loadMigrations(dir = process.env.YDB_MIGRATIONS_DIR ?? join(process.cwd(), 'infra', 'ydb', 'migrations')): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yql')).sort();
  const seen = new Set<string>();
  return files.map((f) => {
    const m = FILE.exec(f);
    if (!m) throw new ConfigError(`migration file ${f} is not named NNNN_name.yql`);
    if (seen.has(m[1]!)) throw new ConfigError(`two migrations are numbered ${m[1]}`);
    seen.add(m[1]!);
    const text = readFileSync(join(dir, f), 'utf8');
    return { id: f.replace(/\.yql$/, ''), text, checksum: createHash('sha256').update(text).digest('hex') };
  });
}

/** Strips `--` and block comments (our DDL has no string literals) and splits on `;`. */
export function splitStatements(text: string): string[] {
  const stripped = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
  return stripped
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => `${s};`);
}

/** Migration statements that write rows rather than change the schema. */
export const DATA_STATEMENT = /^(UPSERT|REPLACE)\s+INTO\s/i;

export type MigrateResult = { readonly applied: readonly string[]; readonly alreadyApplied: readonly string[] };

export async function migrate(
  driver: Driver,
  opts: { migrations?: readonly Migration[]; nowMs?: () => number; log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  const migrations = opts.migrations ?? loadMigrations();
  const client = new YdbClient(driver);
  try {
    await client.ddl(MIGRATIONS_BOOTSTRAP, 'creating schema_migrations');
    const recorded = await paginate(client.reader, MIGRATIONS_APPLIED, {}, MIGRATION_COLUMNS, MIGRATION_COLUMNS, 'reading applied migrations');
    const done = new Map(recorded.map((r) => [r.migration_id, r.checksum]));
    const applied: string[] = [];
    const alreadyApplied: string[] = [];
    for (const m of migrations) {
      const checksum = done.get(m.id);
      if (checksum !== undefined) {
        if (checksum !== m.checksum) {
          throw new ConfigError(`migration ${m.id} was applied with different contents; add a new migration instead of editing it`);
        }
        alreadyApplied.push(m.id);
        continue;
      }
      for (const statement of splitStatements(m.text)) {
        // a backfill (UPSERT … SELECT, idempotent) is data: its own serializable transaction;
        // everything else is DDL, outside any transaction (YdbClient.ddl)
        if (DATA_STATEMENT.test(statement)) await client.run(statement, {}, { what: `migration ${m.id}`, idempotent: true });
        else await client.ddl(statement, `migration ${m.id}`);
      }
      const row = { migration_id: m.id, checksum: m.checksum, applied_at_ms: (opts.nowMs ?? Date.now)() };
      await client.run(MIGRATION_RECORD, { $rows: listParam(MIGRATION_COLUMNS, [row]) }, { what: `recording migration ${m.id}`, idempotent: true });
      opts.log?.(`applied ${m.id}`);
      applied.push(m.id);
    }
    return { applied, alreadyApplied };
  } finally {
    await client.close();
  }
}
