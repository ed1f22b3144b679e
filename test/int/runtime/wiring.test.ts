// Integration: the api function's dependencies from an environment, on a SQLite file: the
// targets it serves come from TARGETS_FILE or the bundle, and their warnings reach the log;
// ingest's settings come from the environment.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, test, vi } from 'vitest';
import { loadConfig } from '../../../shared/runtime/config.ts';
import { apiDeps, ingestDeps } from '../../../shared/runtime/wiring.ts';
import targetsJson from '../../../shared/domain/data/targets.json' with { type: 'json' };

const dir = mkdtempSync(join(tmpdir(), 'wiring-'));
afterEach(() => vi.restoreAllMocks());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function loggedTargetWarnings(env: Record<string, string>) {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  const deps = await apiDeps(loadConfig({ SQLITE_PATH: join(dir, 'pulse.sqlite'), ...env }));
  vi.restoreAllMocks();
  return { deps, warnings: lines.flatMap((l) => l.split('\n')).filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e['msg'] === 'targets.warning') };
}

test('the bundled targets: their one inconsistent pair is logged once', async () => {
  const { warnings } = await loggedTargetWarnings({});
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!['message']).toContain('teachers_msg10');
});

test('TARGETS_FILE is read and checked: its thresholds are the ones served, its warnings logged once', async () => {
  const file = join(dir, 'targets.json');
  const raw = structuredClone(targetsJson);
  raw.defaults[0]!.threshold = 0.42;
  writeFileSync(file, JSON.stringify(raw));
  const { deps, warnings } = await loggedTargetWarnings({ TARGETS_FILE: file });
  expect(deps.targets.defaults[0]!.threshold).toBe(0.42);
  expect(warnings).toHaveLength(1);
});

test('INGEST_STAGE_BATCH_ROWS sets how many rows ingest stages per write; a non-positive value fails naming it', async () => {
  const deps = await ingestDeps(loadConfig({ SQLITE_PATH: join(dir, 'pulse.sqlite'), PERIOD_CHANGED_QUEUE_URL: 'http://127.0.0.1:1/queue', INGEST_STAGE_BATCH_ROWS: '250' }));
  expect(deps.settings.stageBatchRows).toBe(250);
  const sqlite = { SQLITE_PATH: join(dir, 'pulse.sqlite') };
  expect(loadConfig(sqlite).INGEST_STAGE_BATCH_ROWS).toBe(1000);
  expect(() => loadConfig({ ...sqlite, INGEST_STAGE_BATCH_ROWS: '0' })).toThrow(/INGEST_STAGE_BATCH_ROWS/);
});
