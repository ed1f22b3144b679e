// Contract suite: what every ReadModel adapter promises the API (SQLite always, YDB when
// YDB_ENDPOINT is set). The writers are the same adapters' stores on their own
// connections or sessions, as the ingest and aggregate functions write while the API reads.
// The view reads across a region and the upload list across the store, so each test takes a
// store of its own from the factory, and `await using` disposes of it.
import { describe, expect, test } from 'vitest';
import { MetricId } from '../../shared/domain/schemas.ts';
import type { AggregateStore } from '../../shared/ports/aggregate-store.ts';
import type { AlertStore } from '../../shared/ports/alert-store.ts';
import type { ReadModel } from '../../shared/ports/read-model.ts';
import type { SnapshotStore } from '../../shared/ports/snapshot-store.ts';
import type { UploadLedger } from '../../shared/ports/upload-ledger.ts';
import { alertState, batchCommit, commitUnit, filledAggregateRow, P1, P2, schoolRow, uploadReport } from '../support/builders.ts';

/** The region the state-token tests write and read. */
const REGION_FOR_VERSION = '26';

export type ReadModelFixture = {
  readonly read: ReadModel;
  readonly aggregates: AggregateStore;
  readonly alerts: AlertStore;
  readonly ledger: UploadLedger;
  readonly snapshots: SnapshotStore;
} & AsyncDisposable;

/** Completes one upload in the ledger and returns its id and sequence. */
async function completeUpload(ledger: UploadLedger, n: number) {
  const acquired = await ledger.acquire({ bucket: 'b', key: `uploads/26/${n}.csv`, sha256: n.toString(16).padStart(64, '0') }, Date.UTC(2023, 2, 13) + n, 30_000);
  if (acquired.kind !== 'acquired') throw new Error(`upload ${n} was not acquired: ${acquired.kind}`);
  await ledger.complete(acquired.uploadId, uploadReport({ upload_id: acquired.uploadId, key: `uploads/26/${n}.csv` }));
  return { uploadId: acquired.uploadId, sequence: acquired.sequence };
}

export function readModelContract(name: string, make: () => Promise<ReadModelFixture>) {
  describe(`ReadModel contract: ${name}`, () => {
    test('an empty store reads as empty, not as an error', async () => {
      await using s = await make();
      const out = await s.read.snapshot(async (v) => ({
        periods: await v.periods('26'),
        rows: await v.readPeriod('26', P1),
        series: await v.timeseries('26', 'teachers_total', { level: 'region', id: '26' }),
        schools: await v.schools('26', P1),
        alerts: await v.alerts('26'),
        report: await v.report('up_missing'),
        reports: await v.reports({ limit: 10 }),
      }));
      expect(out).toEqual({ periods: [], rows: [], series: [], schools: [], alerts: [], report: null, reports: [] });
    });

    test('the view reads what the stores wrote, in the documented orders', async () => {
      await using s = await make();
      const p1 = [filledAggregateRow({ id: 'kursky', base: 2 }), filledAggregateRow({ level: 'region' }), filledAggregateRow({ id: 'budennovsky' })];
      await s.aggregates.replacePeriod('26', P2, [filledAggregateRow({ period: P2, base: 3 })]);
      await s.aggregates.replacePeriod('26', P1, p1);
      const b = alertState({ alert_id: 'a_first' });
      await s.alerts.save([alertState(), b]);
      const uploads: { uploadId: string; sequence: number }[] = [];
      for (let n = 1; n <= 3; n++) uploads.push(await completeUpload(s.ledger, n));
      const out = await s.read.snapshot(async (v) => ({
        periods: await v.periods('26'),
        rows: await v.readPeriod('26', P1),
        series: await v.timeseries('26', 'teachers_total', { level: 'municipality', id: 'budennovsky' }),
        alerts: await v.alerts('26'),
        report: await v.report(uploads[1]!.uploadId),
        newest: await v.reports({ limit: 2 }),
        older: await v.reports({ limit: 10, before: uploads[1]!.sequence }),
      }));
      const i = MetricId.options.indexOf('teachers_total');
      expect(out.periods).toEqual([P1, P2]);
      expect(out.rows).toEqual([p1[1], p1[2], p1[0]]);
      expect(out.series).toEqual([
        { period: P1, value: i, delta: -3 },
        { period: P2, value: 3 * i, delta: -3 },
      ]);
      expect(out.alerts).toEqual([b, alertState()]);
      expect(out.report?.upload_id).toBe(uploads[1]!.uploadId);
      expect(out.newest.map((r) => [r.sequence, r.report.upload_id])).toEqual([
        [uploads[2]!.sequence, uploads[2]!.uploadId],
        [uploads[1]!.sequence, uploads[1]!.uploadId],
      ]);
      expect(out.older.map((r) => r.report.key)).toEqual(['uploads/26/1.csv']);
    });

    test('the schools of a period are the current ones through the pointers, by municipality then school key', async () => {
      await using s = await make();
      const a = schoolRow({ municipality_id: 'kursky', school_inn: '2634000002', school_key: 'b' });
      const b = schoolRow({ municipality_id: 'budennovsky', school_inn: '2634000001', school_key: 'z', admin_active: false });
      const c = schoolRow({ municipality_id: 'budennovsky', school_inn: '2634000003', school_key: 'a', in_sferum: false });
      await s.snapshots.stageSchoolRows('full', [a, b, c]);
      await s.snapshots.commitBatch(batchCommit({ batchId: 'full', source: { lastModifiedMs: 1000, sequence: 1 }, units: [commitUnit('kursky'), commitUnit('budennovsky')] }));
      const fixed = { ...a, admin_active: false };
      await s.snapshots.stageSchoolRows('fix', [fixed]);
      // staged, not committed: invisible
      expect(await s.read.snapshot((v) => v.schools('26', P1))).toEqual([c, b, a]);
      await s.snapshots.commitBatch(batchCommit({ batchId: 'fix', uploadId: 'u2', source: { lastModifiedMs: 2000, sequence: 2 }, units: [commitUnit('kursky')] }));
      expect(await s.read.snapshot((v) => v.schools('26', P1))).toEqual([c, b, fixed]);
      expect(await s.read.snapshot((v) => v.schools('26', P2))).toEqual([]);
    });

    test('a period of more than 1 000 rows is read whole (never a silently truncated page)', async () => {
      await using s = await make();
      const ids = Array.from({ length: 1_050 }, (_, n) => `m_${String(n).padStart(4, '0')}`);
      await s.aggregates.replacePeriod('26', P1, [filledAggregateRow({ level: 'region' }), ...ids.map((id) => filledAggregateRow({ id }))]);
      const rows = await s.read.snapshot((v) => v.readPeriod('26', P1));
      expect(rows).toHaveLength(1_051);
      expect(rows[0]!.scope.level).toBe('region');
      expect(rows.slice(1).map((r) => r.scope.id)).toEqual(ids);
    });

    test('a snapshot keeps one state while a writer commits a new one', async () => {
      await using s = await make();
      await s.aggregates.replacePeriod('26', P1, [filledAggregateRow({ level: 'region', base: 1 }), filledAggregateRow({ base: 1 })]);
      const { before, during } = await s.read.snapshot(async (v) => {
        const before = await v.readPeriod('26', P1);
        // the writer commits between two reads of one snapshot
        await s.aggregates.replacePeriod('26', P1, [filledAggregateRow({ level: 'region', base: 5 }), filledAggregateRow({ base: 5 }), filledAggregateRow({ id: 'kursky', base: 5 })]);
        await s.alerts.save([alertState()]);
        return { before, during: { rows: await v.readPeriod('26', P1), alerts: await v.alerts('26'), periods: await v.periods('26') } };
      });
      expect(during.rows).toEqual(before);
      expect(during.alerts).toEqual([]);
      expect(during.periods).toEqual([P1]);
      const after = await s.read.snapshot((v) => v.readPeriod('26', P1));
      expect(after).toHaveLength(3);
      expect(after[0]!.values.teachers_total).toBe(5 * MetricId.options.indexOf('teachers_total'));
    });

    test('the state token stays while nothing commits and changes when a writer commits (or is always null)', async () => {
      await using s = await make();
      await s.aggregates.replacePeriod('26', P1, [filledAggregateRow({ level: 'region' })]);
      const v1 = await s.read.snapshot((v) => v.version(REGION_FOR_VERSION));
      expect(await s.read.snapshot((v) => v.version(REGION_FOR_VERSION))).toBe(v1);
      const inside = await s.read.snapshot(async (v) => {
        const before = await v.version(REGION_FOR_VERSION);
        await s.alerts.save([alertState()]);
        return { before, after: await v.version(REGION_FOR_VERSION) };
      });
      expect(inside.after).toBe(inside.before);
      const v2 = await s.read.snapshot((v) => v.version(REGION_FOR_VERSION));
      if (v1 === null) expect(v2).toBeNull();
      else expect(v2).not.toBe(v1);
    });

    test('a period window holds the period and at most `earlier` periods before it, as readPeriod reads them, with their completeness', async () => {
      await using s = await make();
      const P0 = { start: '2023-02-27', end: '2023-03-03' };
      const judged = (n: number) => ({ complete: true, state: 'complete' as const, label: null, schools: { expected: n, reported: n, missing: [] }, municipalities: { expected: 1, reported: 1, missing: [] } });
      // P1 stored without completeness: the window returns what is stored, nothing invented
      for (const [i, p] of [P0, P1, P2].entries()) {
        await s.aggregates.replacePeriod('26', p, [filledAggregateRow({ level: 'region', period: p }), filledAggregateRow({ id: 'm_b', period: p }), filledAggregateRow({ id: 'm_a', period: p })], i === 1 ? undefined : judged(i + 1));
      }
      const out = await s.read.snapshot(async (v) => ({
        one: await v.periodWindow('26', P2, 1),
        all: await v.periodWindow('26', P2, 7),
        first: await v.periodWindow('26', P0, 7),
        none: await v.periodWindow('26', { start: '2023-03-20', end: '2023-03-24' }, 7),
        p2: await v.readPeriod('26', P2),
        p1: await v.readPeriod('26', P1),
        p0: await v.readPeriod('26', P0),
      }));
      expect(out.one).toEqual({ rows: out.p2, history: [{ period: P1, rows: out.p1 }], completeness: [{ period: P2, completeness: judged(3) }] });
      expect(out.all).toEqual({
        rows: out.p2,
        history: [{ period: P0, rows: out.p0 }, { period: P1, rows: out.p1 }],
        completeness: [{ period: P0, completeness: judged(1) }, { period: P2, completeness: judged(3) }],
      });
      expect(out.first).toEqual({ rows: out.p0, history: [], completeness: [{ period: P0, completeness: judged(1) }] });
      expect(out.none).toEqual({ rows: [], history: [], completeness: [] });
      // a period replaced by no rows leaves the period list and every window
      await s.aggregates.replacePeriod('26', P1, []);
      const after = await s.read.snapshot(async (v) => ({ periods: await v.periods('26'), window: await v.periodWindow('26', P2, 7) }));
      expect(after.periods).toEqual([P0, P2]);
      expect(after.window.history.map((h) => h.period)).toEqual([P0]);
      expect(out.p2.map((r) => r.scope.id)).toEqual(['26', 'm_a', 'm_b']);
    });

    test('periods and completeness narrowed to a range of starts hold those periods alone, both ends included', async () => {
      await using s = await make();
      const P0 = { start: '2023-02-27', end: '2023-03-03' };
      const judged = { complete: true, state: 'complete' as const, label: null, schools: { expected: 1, reported: 1, missing: [] }, municipalities: { expected: 1, reported: 1, missing: [] } };
      for (const p of [P0, P1, P2]) await s.aggregates.replacePeriod('26', p, [filledAggregateRow({ level: 'region', period: p })], judged);
      const out = await s.read.snapshot(async (v) => ({
        periods: await v.periods('26', { from: P1.start, to: P2.start }),
        one: await v.periods('26', { from: P1.start, to: P1.start }),
        none: await v.periods('26', { from: '2023-03-07', to: '2023-03-12' }),
        completeness: await v.completeness('26', { from: P0.start, to: P1.start }),
      }));
      expect(out).toEqual({
        periods: [P1, P2],
        one: [P1],
        none: [],
        completeness: [{ period: P0, completeness: judged }, { period: P1, completeness: judged }],
      });
    });

    test('the state token changes when a pointer flip commits (or is always null)', async () => {
      await using s = await make();
      const v1 = await s.read.snapshot((v) => v.version(REGION_FOR_VERSION));
      await s.snapshots.stageSchoolRows('b1', [schoolRow()]);
      await s.snapshots.commitBatch(batchCommit({ batchId: 'b1', units: [commitUnit(schoolRow().municipality_id)] }));
      const v2 = await s.read.snapshot((v) => v.version(REGION_FOR_VERSION));
      if (v1 === null) expect(v2).toBeNull();
      else expect(v2).not.toBe(v1);
    });

    test('an error inside a snapshot reaches the caller, and the next snapshot works', async () => {
      await using s = await make();
      await s.aggregates.replacePeriod('26', P1, [filledAggregateRow({ level: 'region' })]);
      await expect(
        s.read.snapshot(async (v) => {
          await v.periods('26');
          throw new Error('view failed');
        }),
      ).rejects.toThrow('view failed');
      expect(await s.read.snapshot((v) => v.periods('26'))).toEqual([P1]);
    });
  });
}
