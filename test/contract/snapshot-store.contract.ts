// Contract suite: what every SnapshotStore adapter promises the ingest, the aggregate stage and
// the API (SQLite, and YDB through the executing wire double; a real YDB when YDB_ENDPOINT is
// set). keyv-style: each test writes region 26 in weeks of its own and names its own batch and
// upload ids (`keys()`); a pointer is keyed by (region, period, kind, municipality), so its
// pointers, rows and unit contents are its alone, and a read across the region (`periods`) is
// narrowed to its own weeks. `await using` disposes of the store the factory gave, so the suite
// holds in a fresh database and in a shared one alike, with nothing emptied by hand.
import { randomInt, randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { summariseUnits } from '../../shared/domain/replacement.ts';
import type { MunicipalityRow, Period, SchoolRow } from '../../shared/domain/schemas.ts';
import type { BatchCommit, SnapshotStore } from '../../shared/ports/snapshot-store.ts';
import { batchCommit, commitUnit, municipalityRow, schoolRow } from '../support/builders.ts';

/** A store per call (fresh or shared); disposing it closes what the factory opened. */
export type SnapshotStoreFactory = () => Promise<{ readonly snapshots: SnapshotStore } & AsyncDisposable>;

/** What a batch of school rows holds, as the ingest folds it while staging. */
const contents = (rows: readonly SchoolRow[], receivedAtMs: number) => ({ receivedAtMs, units: [...summariseUnits({ schools: rows, municipalities: [] }).values()] });

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** Monday to Friday of the week starting `monday`, as the export's periods run. */
const week = (monday: number): Period => ({ start: isoDay(monday), end: isoDay(monday + 4 * DAY_MS) });
// Weeks are handed out two at a time from a random Monday after 2000-01-03: no two tests of
// one process share one, and another process (a real YDB is shared between runs) is unlikely
// to. The range stays within this century: YDB's Date ends at 2105-12-31.
let nextWeek = randomInt(0, 5_000);

/** Two consecutive weeks of this test's own, ids under its own prefix, and rows and commits in its first week by default. */
function keys() {
  const ns = randomUUID().slice(0, 8);
  const monday = Date.UTC(2000, 0, 3) + nextWeek * 7 * DAY_MS;
  nextWeek += 2;
  const [p1, p2] = [week(monday), week(monday + 7 * DAY_MS)];
  const id = (name: string) => `${ns}-${name}`;
  const unit = (municipalityId: string, period = p1, kind: 'schools' | 'municipalities' = 'schools') => commitUnit(municipalityId, period, kind);
  return {
    p1,
    p2,
    /** a batch or upload id of this test's own */
    id,
    unit,
    school: (over: Partial<SchoolRow> = {}) => schoolRow({ period: p1, ...over }),
    municipality: (over: Partial<MunicipalityRow> = {}) => municipalityRow({ period: p1, ...over }),
    /** batch b1 of upload u1 (both this test's), replacing budennovsky's schools in the first week */
    commit: (over: Partial<BatchCommit> = {}) => batchCommit({ batchId: id('b1'), uploadId: id('u1'), units: [unit('budennovsky')], ...over }),
    /** the weeks among `periods` that are this test's */
    own: (periods: readonly Period[]) => periods.filter((p) => [p1, p2].some((q) => q.start === p.start && q.end === p.end)),
  };
}

export function snapshotStoreContract(name: string, make: SnapshotStoreFactory) {
  describe(`SnapshotStore contract: ${name}`, () => {
    test('staged rows stay invisible until the batch is committed', async () => {
      await using s = await make();
      const k = keys();
      await s.snapshots.stageSchoolRows(k.id('b1'), [k.school()]);
      expect(await s.snapshots.currentSchools('26', k.p1)).toEqual([]);
      const r = await s.snapshots.commitBatch(k.commit({ source: { lastModifiedMs: 1000, sequence: 1 } }));
      expect(r).toEqual({ applied: 1, superseded: 0, periods: [k.p1], replaced: [], unchanged: null });
      expect(await s.snapshots.currentSchools('26', k.p1)).toEqual([k.school()]);
    });

    test('a batch replaces only the municipalities it contains', async () => {
      await using s = await make();
      const k = keys();
      const a = k.school({ municipality_id: 'budennovsky', school_inn: '2634000001', school_key: 'a' });
      const b = k.school({ municipality_id: 'kursky', school_inn: '2634000002', school_key: 'b' });
      await s.snapshots.stageSchoolRows(k.id('full'), [a, b]);
      await s.snapshots.commitBatch(k.commit({ batchId: k.id('full'), source: { lastModifiedMs: 1000, sequence: 1 }, units: [k.unit('budennovsky'), k.unit('kursky')] }));
      const corrected = { ...b, teachers_total: 99 };
      await s.snapshots.stageSchoolRows(k.id('fix'), [corrected]);
      await s.snapshots.commitBatch(k.commit({ batchId: k.id('fix'), uploadId: k.id('u2'), source: { lastModifiedMs: 2000, sequence: 2 }, units: [k.unit('kursky')] }));
      const rows = await s.snapshots.currentSchools('26', k.p1);
      expect(rows).toHaveLength(2);
      expect(rows.find((r) => r.municipality_id === 'kursky')?.teachers_total).toBe(99);
      expect(rows.find((r) => r.municipality_id === 'budennovsky')).toEqual(a);
    });

    test('an older upload committed after a newer one is superseded', async () => {
      await using s = await make();
      const k = keys();
      await s.snapshots.stageSchoolRows(k.id('new'), [k.school({ teachers_total: 50 })]);
      await s.snapshots.commitBatch(k.commit({ batchId: k.id('new'), uploadId: k.id('u2'), source: { lastModifiedMs: 2000, sequence: 1 } }));
      await s.snapshots.stageSchoolRows(k.id('old'), [k.school({ teachers_total: 10 })]);
      const r = await s.snapshots.commitBatch(k.commit({ batchId: k.id('old'), source: { lastModifiedMs: 1000, sequence: 2 } }));
      expect(r).toEqual({ applied: 0, superseded: 1, periods: [], replaced: [], unchanged: null });
      expect((await s.snapshots.currentSchools('26', k.p1))[0]?.teachers_total).toBe(50);
    });

    test('the same LastModified second is decided by ingest sequence', async () => {
      await using s = await make();
      const k = keys();
      await s.snapshots.stageSchoolRows(k.id('first'), [k.school({ teachers_total: 1 })]);
      await s.snapshots.commitBatch(k.commit({ batchId: k.id('first'), source: { lastModifiedMs: 1000, sequence: 1 } }));
      await s.snapshots.stageSchoolRows(k.id('second'), [k.school({ teachers_total: 2 })]);
      const r = await s.snapshots.commitBatch(k.commit({ batchId: k.id('second'), uploadId: k.id('u2'), source: { lastModifiedMs: 1000, sequence: 2 } }));
      expect(r.applied).toBe(1);
      expect((await s.snapshots.currentSchools('26', k.p1))[0]?.teachers_total).toBe(2);
    });

    test('in the same LastModified second an earlier ingest sequence is superseded', async () => {
      await using s = await make();
      const k = keys();
      await s.snapshots.stageSchoolRows(k.id('later'), [k.school({ teachers_total: 2 })]);
      await s.snapshots.commitBatch(k.commit({ batchId: k.id('later'), uploadId: k.id('u2'), source: { lastModifiedMs: 1000, sequence: 2 } }));
      await s.snapshots.stageSchoolRows(k.id('earlier'), [k.school({ teachers_total: 1 })]);
      const r = await s.snapshots.commitBatch(k.commit({ batchId: k.id('earlier'), source: { lastModifiedMs: 1000, sequence: 1 } }));
      expect(r).toEqual({ applied: 0, superseded: 1, periods: [], replaced: [], unchanged: null });
      expect((await s.snapshots.currentSchools('26', k.p1))[0]?.teachers_total).toBe(2);
    });

    test('committing the same batch twice leaves the state of one commit', async () => {
      await using s = await make();
      const k = keys();
      await s.snapshots.stageSchoolRows(k.id('b1'), [k.school()]);
      const c = k.commit({ source: { lastModifiedMs: 1000, sequence: 1 } });
      const first = await s.snapshots.commitBatch(c);
      const again = await s.snapshots.commitBatch(c);
      expect(again).toEqual(first);
      expect(await s.snapshots.currentSchools('26', k.p1)).toEqual([k.school()]);
    });

    test('dropped staged schools never become visible', async () => {
      await using s = await make();
      const k = keys();
      const keep = k.school({ school_key: 'keep', school_inn: '2634000001' });
      const drop = k.school({ school_key: 'drop', school_inn: '2634000002' });
      await s.snapshots.stageSchoolRows(k.id('b1'), [keep, drop]);
      await s.snapshots.dropStagedSchools(k.id('b1'), [{ period: k.p1, schoolKey: 'drop' }]);
      await s.snapshots.commitBatch(k.commit());
      expect((await s.snapshots.currentSchools('26', k.p1)).map((r) => r.school_key)).toEqual(['keep']);
    });

    test('discarding a referenced batch keeps it; an unreferenced one is deleted', async () => {
      await using s = await make();
      const k = keys();
      await s.snapshots.stageSchoolRows(k.id('live'), [k.school()]);
      await s.snapshots.commitBatch(k.commit({ batchId: k.id('live') }));
      await s.snapshots.discardBatch(k.id('live'));
      expect(await s.snapshots.currentSchools('26', k.p1)).toHaveLength(1);
      await s.snapshots.stageSchoolRows(k.id('orphan'), [k.school({ teachers_total: 7 })]);
      await s.snapshots.discardBatch(k.id('orphan'));
      await s.snapshots.commitBatch(k.commit({ batchId: k.id('orphan'), uploadId: k.id('u2'), source: { lastModifiedMs: 2, sequence: 2 } }));
      expect(await s.snapshots.currentSchools('26', k.p1)).toEqual([]);
    });

    test('municipality rows and periods go through their own pointers', async () => {
      await using s = await make();
      const k = keys();
      await s.snapshots.stageMunicipalityRows(k.id('m2'), [k.municipality({ period: k.p2 })]);
      await s.snapshots.stageMunicipalityRows(k.id('m1'), [k.municipality(), k.municipality({ municipality_id: 'kursky', in_sferum: false })]);
      await s.snapshots.commitBatch(k.commit({ batchId: k.id('m2'), uploadId: k.id('u2'), source: { lastModifiedMs: 2, sequence: 2 }, units: [k.unit('budennovsky', k.p2, 'municipalities')] }));
      await s.snapshots.commitBatch(k.commit({ batchId: k.id('m1'), units: [k.unit('budennovsky', k.p1, 'municipalities'), k.unit('kursky', k.p1, 'municipalities')] }));
      expect(await s.snapshots.currentMunicipalities('26', k.p1)).toEqual([k.municipality(), k.municipality({ municipality_id: 'kursky', in_sferum: false })]);
      expect(await s.snapshots.currentSchools('26', k.p1)).toEqual([]);
      expect(k.own(await s.snapshots.periods('26'))).toEqual([k.p1, k.p2]);
      expect(k.own(await s.snapshots.periods('07'))).toEqual([]);
    });

    describe('what a commit replaces, from the unit contents kept beside the pointers', () => {
      /** Three schools of budennovsky and one of kursky, committed as upload u1 (with their contents, unless told not to). */
      const replacing = (k: ReturnType<typeof keys>) => {
        const a = (i: number, over: Partial<SchoolRow> = {}) => k.school({ school_key: `a${i}`, school_inn: `263400000${i}`, teachers_total: 10 + i, students_total: 100 + i, ...over });
        const b = (i: number, over: Partial<SchoolRow> = {}) => k.school({ municipality_id: 'kursky', school_key: `b${i}`, school_inn: `263410000${i}`, teachers_total: 20, students_total: 200, ...over });
        const first = [a(1), a(2), a(3), b(1)];
        const units = [k.unit('budennovsky'), k.unit('kursky')];
        const commitFirst = async (s: SnapshotStore, withContents = true) => {
          await s.stageSchoolRows(k.id('b1'), first);
          await s.commitBatch(k.commit({ source: { lastModifiedMs: 1, sequence: 1 }, units, ...(withContents ? { contents: contents(first, 1_000) } : {}) }));
        };
        /** commits `rows` as batch `n` of upload `n`, asking to commit nothing when they change nothing */
        const commitNext = async (s: SnapshotStore, n: number, rows: readonly SchoolRow[], over: Partial<BatchCommit> = {}) => {
          await s.stageSchoolRows(k.id(`b${n}`), rows);
          return s.commitBatch(k.commit({ batchId: k.id(`b${n}`), uploadId: k.id(`u${n}`), source: { lastModifiedMs: n, sequence: n }, units, contents: contents(rows, n * 1_000), unlessUnchanged: true, ...over }));
        };
        return { a, b, first, commitFirst, commitNext };
      };

      test('a later commit names the upload it took each unit from, with the figures that upload held', async () => {
        await using s = await make();
        const k = keys();
        const { a, commitFirst, commitNext } = replacing(k);
        await commitFirst(s.snapshots);
        const r = await commitNext(s.snapshots, 2, [a(1)], { units: [k.unit('budennovsky')] });
        expect(r).toMatchObject({ applied: 1, superseded: 0, periods: [k.p1], unchanged: null });
        expect(r.replaced).toEqual([
          {
            unit: k.unit('budennovsky'),
            uploadId: k.id('u1'),
            batchId: k.id('b1'),
            content: { figures: { schools: 3, teachers: 36, students: 306 }, fingerprint: contents([a(1), a(2), a(3)], 0).units[0]!.fingerprint, receivedAtMs: 1_000 },
          },
        ]);
      });

      test('every unit equal to the one in force (rows in another order): nothing is committed and the staged rows are discarded', async () => {
        await using s = await make();
        const k = keys();
        const { first, commitFirst, commitNext } = replacing(k);
        await commitFirst(s.snapshots);
        const r = await commitNext(s.snapshots, 2, [...first].reverse());
        expect(r).toEqual({ applied: 0, superseded: 0, periods: [], replaced: [], unchanged: { uploadId: k.id('u1'), receivedAtMs: 1_000 } });
        expect((await s.snapshots.inForce('26', k.p1)).map((p) => p.batchId)).toEqual([k.id('b1'), k.id('b1')]);
        expect(await s.snapshots.batchRows(k.id('b2'), '26', k.p1)).toEqual({ schools: [], municipalities: [] });
        expect(await s.snapshots.currentSchools('26', k.p1)).toHaveLength(4);
      });

      test('one changed value in one row of one unit is a change: the commit applies and lists both units it took', async () => {
        await using s = await make();
        const k = keys();
        const { a, b, commitFirst, commitNext } = replacing(k);
        await commitFirst(s.snapshots);
        const r = await commitNext(s.snapshots, 2, [a(1), a(2), a(3), b(1, { teachers_msg3: 1 })]);
        expect(r).toMatchObject({ applied: 2, unchanged: null });
        expect(r.replaced.map((u) => [u.unit.municipalityId, u.uploadId, u.content?.figures.schools])).toEqual([
          ['budennovsky', k.id('u1'), 3],
          ['kursky', k.id('u1'), 1],
        ]);
        expect((await s.snapshots.currentSchools('26', k.p1)).find((x) => x.municipality_id === 'kursky')?.teachers_msg3).toBe(1);
      });

      test('a unit committed without contents has none in force: the next commit is never unchanged and replaces it from unknown', async () => {
        await using s = await make();
        const k = keys();
        const { first, commitFirst, commitNext } = replacing(k);
        await commitFirst(s.snapshots, false);
        const r = await commitNext(s.snapshots, 2, first);
        expect(r).toMatchObject({ applied: 2, unchanged: null });
        expect(r.replaced.map((u) => u.content)).toEqual([null, null]);
        // the contents kept now make the next equal commit unchanged
        const again = await commitNext(s.snapshots, 3, first);
        expect(again.unchanged).toEqual({ uploadId: k.id('u2'), receivedAtMs: 2_000 });
      });
    });

    test('a batch is in force while any pointer of the region names it, and not once every unit is taken over', async () => {
      await using s = await make();
      const k = keys();
      const units = [k.unit('budennovsky'), k.unit('kursky'), k.unit('kursky', k.p2)];
      await s.snapshots.stageSchoolRows(k.id('b1'), [k.school(), k.school({ municipality_id: 'kursky' }), k.school({ municipality_id: 'kursky', period: k.p2 })]);
      await s.snapshots.commitBatch(k.commit({ units }));
      await s.snapshots.stageSchoolRows(k.id('b2'), [k.school(), k.school({ municipality_id: 'kursky' })]);
      await s.snapshots.commitBatch(k.commit({ batchId: k.id('b2'), uploadId: k.id('u2'), source: { lastModifiedMs: 2, sequence: 2 }, units: units.slice(0, 2) }));
      expect(await s.snapshots.batchInForce(k.id('b1'), '26')).toBe(true);
      expect(await s.snapshots.batchInForce(k.id('b1'), '07')).toBe(false);
      await s.snapshots.stageSchoolRows(k.id('b3'), [k.school({ municipality_id: 'kursky', period: k.p2 })]);
      await s.snapshots.commitBatch(k.commit({ batchId: k.id('b3'), uploadId: k.id('u3'), source: { lastModifiedMs: 3, sequence: 3 }, units: units.slice(2) }));
      expect(await s.snapshots.batchInForce(k.id('b1'), '26')).toBe(false);
      expect(await s.snapshots.batchInForce(k.id('b2'), '26')).toBe(true);
    });

    test('a read of more than 1000 rows returns every row', async () => {
      await using s = await make();
      const k = keys();
      const rows = Array.from({ length: 1500 }, (_, i) => k.school({ school_key: `k${String(i).padStart(5, '0')}`, school_inn: '2634000001' }));
      await s.snapshots.stageSchoolRows(k.id('big'), rows);
      await s.snapshots.commitBatch(k.commit({ batchId: k.id('big') }));
      expect(await s.snapshots.currentSchools('26', k.p1)).toHaveLength(1500);
    });
  });
}
