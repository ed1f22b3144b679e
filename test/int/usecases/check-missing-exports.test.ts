// Integration: the missing-export check against a real SQLite store holding uploaded
// snapshots. One event per municipality without an export; the same ids on a second run.
import { describe, expect, test } from 'vitest';
import type { NotificationEvent } from '../../../shared/domain/events.ts';
import { buildReference } from '../../../shared/runtime/reference.ts';
import { checkMissingExports } from '../../../shared/usecases/check-missing-exports.ts';
import { batchCommit, commitUnit, schoolRow } from '../../support/builders.ts';
import { startIngestEnv } from '../../support/ingest-env.ts';

const ref = buildReference();

describe('checkMissingExports', () => {
  test('every municipality without school rows for the week gets one export_missing, and a rerun repeats the same ids', async () => {
    await using env = await startIngestEnv();
    await env.snapshots.stageSchoolRows('b1', [schoolRow({ municipality_id: 'kursky', school_key: 'a' }), schoolRow({ municipality_id: 'stavropol', school_key: 'b' })]);
    await env.snapshots.commitBatch(batchCommit({ units: [commitUnit('kursky'), commitUnit('stavropol')] }));
    const published: NotificationEvent[] = [];
    env.clock.set(Date.parse('2023-03-13T07:00:00Z'));
    const deps = { snapshots: env.snapshots, sink: { publish: async (e: readonly NotificationEvent[]) => void published.push(...e) }, clock: env.clock, log: env.logs.log, references: ref.municipalities };

    const first = await checkMissingExports(deps, '26', 'previous');
    const second = await checkMissingExports(deps, '26', 'previous');

    expect(first).toHaveLength(31);
    expect(first.map((e) => e.scope.id)).not.toContain('kursky');
    expect(first.map((e) => e.scope.id)).not.toContain('stavropol');
    expect(first[0]).toMatchObject({ type: 'export_missing', region: '26', target: null, period: { start: '2023-03-06', end: '2023-03-10', label: '06.03-10.03.2023' } });
    expect(new Set(first.map((e) => e.id)).size).toBe(31);
    expect(second.map((e) => e.id)).toEqual(first.map((e) => e.id));
    expect(published).toHaveLength(62);
  });

  test('a region without a reference list is not checked', async () => {
    await using env = await startIngestEnv();
    const deps = { snapshots: env.snapshots, sink: { publish: async () => undefined }, clock: env.clock, log: env.logs.log, references: ref.municipalities };
    expect(await checkMissingExports(deps, '07', 'previous')).toEqual([]);
  });
});
