// Contract suite: what every SnapshotStore + UploadLedger adapter promises (SQLite here,
// YDB when YDB_ENDPOINT is set). Each adapter's test file calls `snapshotStoreContract`
// with a factory that returns a fresh, empty store.
import { describe, expect, test } from 'vitest';
import { summariseUnits } from '../../shared/domain/replacement.ts';
import type { SchoolRow } from '../../shared/domain/schemas.ts';
import type { SnapshotStore } from '../../shared/ports/snapshot-store.ts';
import type { UploadLedger } from '../../shared/ports/upload-ledger.ts';
import { batchCommit, commitUnit, municipalityRow, P1, P2, schoolRow } from '../support/builders.ts';

/** What a batch of school rows holds, as the ingest folds it while staging. */
const contents = (rows: readonly SchoolRow[], receivedAtMs: number) => ({ receivedAtMs, units: [...summariseUnits({ schools: rows, municipalities: [] }).values()] });

export type StoreFactory = () => Promise<{ snapshots: SnapshotStore; ledger: UploadLedger; close(): Promise<void> }>;

export function snapshotStoreContract(name: string, make: StoreFactory) {
  describe(`SnapshotStore contract: ${name}`, () => {
    test('staged rows stay invisible until the batch is committed', async () => {
      const s = await make();
      try {
        await s.snapshots.stageSchoolRows('b1', [schoolRow()]);
        expect(await s.snapshots.currentSchools('26', P1)).toEqual([]);
        const r = await s.snapshots.commitBatch(batchCommit({ source: { lastModifiedMs: 1000, sequence: 1 } }));
        expect(r).toEqual({ applied: 1, superseded: 0, periods: [P1], replaced: [], unchanged: null });
        expect(await s.snapshots.currentSchools('26', P1)).toEqual([schoolRow()]);
      } finally {
        await s.close();
      }
    });

    test('a batch replaces only the municipalities it contains', async () => {
      const s = await make();
      try {
        const a = schoolRow({ municipality_id: 'budennovsky', school_inn: '2634000001', school_key: 'a' });
        const b = schoolRow({ municipality_id: 'kursky', school_inn: '2634000002', school_key: 'b' });
        await s.snapshots.stageSchoolRows('full', [a, b]);
        await s.snapshots.commitBatch(batchCommit({ batchId: 'full', source: { lastModifiedMs: 1000, sequence: 1 }, units: [commitUnit('budennovsky'), commitUnit('kursky')] }));
        const corrected = { ...b, teachers_total: 99 };
        await s.snapshots.stageSchoolRows('fix', [corrected]);
        await s.snapshots.commitBatch(batchCommit({ batchId: 'fix', uploadId: 'u2', source: { lastModifiedMs: 2000, sequence: 2 }, units: [commitUnit('kursky')] }));
        const rows = await s.snapshots.currentSchools('26', P1);
        expect(rows).toHaveLength(2);
        expect(rows.find((r) => r.municipality_id === 'kursky')?.teachers_total).toBe(99);
        expect(rows.find((r) => r.municipality_id === 'budennovsky')).toEqual(a);
      } finally {
        await s.close();
      }
    });

    test('an older upload committed after a newer one is superseded', async () => {
      const s = await make();
      try {
        await s.snapshots.stageSchoolRows('new', [schoolRow({ teachers_total: 50 })]);
        await s.snapshots.commitBatch(batchCommit({ batchId: 'new', uploadId: 'u2', source: { lastModifiedMs: 2000, sequence: 1 } }));
        await s.snapshots.stageSchoolRows('old', [schoolRow({ teachers_total: 10 })]);
        const r = await s.snapshots.commitBatch(batchCommit({ batchId: 'old', source: { lastModifiedMs: 1000, sequence: 2 } }));
        expect(r).toEqual({ applied: 0, superseded: 1, periods: [], replaced: [], unchanged: null });
        expect((await s.snapshots.currentSchools('26', P1))[0]?.teachers_total).toBe(50);
      } finally {
        await s.close();
      }
    });

    test('the same LastModified second is decided by ingest sequence', async () => {
      const s = await make();
      try {
        await s.snapshots.stageSchoolRows('first', [schoolRow({ teachers_total: 1 })]);
        await s.snapshots.commitBatch(batchCommit({ batchId: 'first', source: { lastModifiedMs: 1000, sequence: 1 } }));
        await s.snapshots.stageSchoolRows('second', [schoolRow({ teachers_total: 2 })]);
        const r = await s.snapshots.commitBatch(batchCommit({ batchId: 'second', uploadId: 'u2', source: { lastModifiedMs: 1000, sequence: 2 } }));
        expect(r.applied).toBe(1);
        expect((await s.snapshots.currentSchools('26', P1))[0]?.teachers_total).toBe(2);
      } finally {
        await s.close();
      }
    });

    test('in the same LastModified second an earlier ingest sequence is superseded', async () => {
      const s = await make();
      try {
        await s.snapshots.stageSchoolRows('later', [schoolRow({ teachers_total: 2 })]);
        await s.snapshots.commitBatch(batchCommit({ batchId: 'later', uploadId: 'u2', source: { lastModifiedMs: 1000, sequence: 2 } }));
        await s.snapshots.stageSchoolRows('earlier', [schoolRow({ teachers_total: 1 })]);
        const r = await s.snapshots.commitBatch(batchCommit({ batchId: 'earlier', source: { lastModifiedMs: 1000, sequence: 1 } }));
        expect(r).toEqual({ applied: 0, superseded: 1, periods: [], replaced: [], unchanged: null });
        expect((await s.snapshots.currentSchools('26', P1))[0]?.teachers_total).toBe(2);
      } finally {
        await s.close();
      }
    });

    test('committing the same batch twice leaves the state of one commit', async () => {
      const s = await make();
      try {
        await s.snapshots.stageSchoolRows('b1', [schoolRow()]);
        const c = batchCommit({ source: { lastModifiedMs: 1000, sequence: 1 } });
        const first = await s.snapshots.commitBatch(c);
        const again = await s.snapshots.commitBatch(c);
        expect(again).toEqual(first);
        expect(await s.snapshots.currentSchools('26', P1)).toEqual([schoolRow()]);
      } finally {
        await s.close();
      }
    });

    test('dropped staged schools never become visible', async () => {
      const s = await make();
      try {
        const keep = schoolRow({ school_key: 'keep', school_inn: '2634000001' });
        const drop = schoolRow({ school_key: 'drop', school_inn: '2634000002' });
        await s.snapshots.stageSchoolRows('b1', [keep, drop]);
        await s.snapshots.dropStagedSchools('b1', [{ period: P1, schoolKey: 'drop' }]);
        await s.snapshots.commitBatch(batchCommit());
        expect((await s.snapshots.currentSchools('26', P1)).map((r) => r.school_key)).toEqual(['keep']);
      } finally {
        await s.close();
      }
    });

    test('discarding a referenced batch keeps it; an unreferenced one is deleted', async () => {
      const s = await make();
      try {
        await s.snapshots.stageSchoolRows('live', [schoolRow()]);
        await s.snapshots.commitBatch(batchCommit({ batchId: 'live' }));
        await s.snapshots.discardBatch('live');
        expect(await s.snapshots.currentSchools('26', P1)).toHaveLength(1);
        await s.snapshots.stageSchoolRows('orphan', [schoolRow({ teachers_total: 7 })]);
        await s.snapshots.discardBatch('orphan');
        await s.snapshots.commitBatch(batchCommit({ batchId: 'orphan', uploadId: 'u2', source: { lastModifiedMs: 2, sequence: 2 } }));
        expect(await s.snapshots.currentSchools('26', P1)).toEqual([]);
      } finally {
        await s.close();
      }
    });

    test('municipality rows and periods go through their own pointers', async () => {
      const s = await make();
      try {
        await s.snapshots.stageMunicipalityRows('m2', [municipalityRow({ period: P2 })]);
        await s.snapshots.stageMunicipalityRows('m1', [municipalityRow(), municipalityRow({ municipality_id: 'kursky', in_sferum: false })]);
        await s.snapshots.commitBatch(batchCommit({ batchId: 'm2', uploadId: 'u2', source: { lastModifiedMs: 2, sequence: 2 }, units: [commitUnit('budennovsky', P2, 'municipalities')] }));
        await s.snapshots.commitBatch(batchCommit({ batchId: 'm1', units: [commitUnit('budennovsky', P1, 'municipalities'), commitUnit('kursky', P1, 'municipalities')] }));
        expect(await s.snapshots.currentMunicipalities('26', P1)).toEqual([municipalityRow(), municipalityRow({ municipality_id: 'kursky', in_sferum: false })]);
        expect(await s.snapshots.currentSchools('26', P1)).toEqual([]);
        expect(await s.snapshots.periods('26')).toEqual([P1, P2]);
        expect(await s.snapshots.periods('07')).toEqual([]);
      } finally {
        await s.close();
      }
    });

    describe('what a commit replaces, from the unit contents kept beside the pointers', () => {
      const a = (i: number, over: Partial<SchoolRow> = {}) => schoolRow({ school_key: `a${i}`, school_inn: `263400000${i}`, teachers_total: 10 + i, students_total: 100 + i, ...over });
      const b = (i: number, over: Partial<SchoolRow> = {}) => schoolRow({ municipality_id: 'kursky', school_key: `b${i}`, school_inn: `263410000${i}`, teachers_total: 20, students_total: 200, ...over });
      const first = [a(1), a(2), a(3), b(1)];
      const units = [commitUnit('budennovsky'), commitUnit('kursky')];
      const commitFirst = async (s: SnapshotStore) => {
        await s.stageSchoolRows('b1', first);
        await s.commitBatch(batchCommit({ batchId: 'b1', uploadId: 'u1', source: { lastModifiedMs: 1, sequence: 1 }, units, contents: contents(first, 1_000) }));
      };

      test('a later commit names the upload it took each unit from, with the figures that upload held', async () => {
        const s = await make();
        try {
          await commitFirst(s.snapshots);
          const second = [a(1)];
          await s.snapshots.stageSchoolRows('b2', second);
          const r = await s.snapshots.commitBatch(batchCommit({ batchId: 'b2', uploadId: 'u2', source: { lastModifiedMs: 2, sequence: 2 }, contents: contents(second, 2_000), unlessUnchanged: true }));
          expect(r).toMatchObject({ applied: 1, superseded: 0, periods: [P1], unchanged: null });
          expect(r.replaced).toEqual([
            {
              unit: commitUnit('budennovsky'),
              uploadId: 'u1',
              batchId: 'b1',
              content: { figures: { schools: 3, teachers: 36, students: 306 }, fingerprint: contents([a(1), a(2), a(3)], 0).units[0]!.fingerprint, receivedAtMs: 1_000 },
            },
          ]);
        } finally {
          await s.close();
        }
      });

      test('every unit equal to the one in force (rows in another order): nothing is committed and the staged rows are discarded', async () => {
        const s = await make();
        try {
          await commitFirst(s.snapshots);
          const again = [...first].reverse();
          await s.snapshots.stageSchoolRows('b2', again);
          const r = await s.snapshots.commitBatch(batchCommit({ batchId: 'b2', uploadId: 'u2', source: { lastModifiedMs: 2, sequence: 2 }, units, contents: contents(again, 2_000), unlessUnchanged: true }));
          expect(r).toEqual({ applied: 0, superseded: 0, periods: [], replaced: [], unchanged: { uploadId: 'u1', receivedAtMs: 1_000 } });
          expect((await s.snapshots.inForce('26', P1)).map((p) => p.batchId)).toEqual(['b1', 'b1']);
          expect(await s.snapshots.batchRows('b2', '26', P1)).toEqual({ schools: [], municipalities: [] });
          expect(await s.snapshots.currentSchools('26', P1)).toHaveLength(4);
        } finally {
          await s.close();
        }
      });

      test('one changed value in one row of one unit is a change: the commit applies and lists both units it took', async () => {
        const s = await make();
        try {
          await commitFirst(s.snapshots);
          const changed = [a(1), a(2), a(3), b(1, { teachers_msg3: 1 })];
          await s.snapshots.stageSchoolRows('b2', changed);
          const r = await s.snapshots.commitBatch(batchCommit({ batchId: 'b2', uploadId: 'u2', source: { lastModifiedMs: 2, sequence: 2 }, units, contents: contents(changed, 2_000), unlessUnchanged: true }));
          expect(r).toMatchObject({ applied: 2, unchanged: null });
          expect(r.replaced.map((u) => [u.unit.municipalityId, u.uploadId, u.content?.figures.schools])).toEqual([
            ['budennovsky', 'u1', 3],
            ['kursky', 'u1', 1],
          ]);
          expect((await s.snapshots.currentSchools('26', P1)).find((x) => x.municipality_id === 'kursky')?.teachers_msg3).toBe(1);
        } finally {
          await s.close();
        }
      });

      test('a unit committed without contents has none in force: the next commit is never unchanged and replaces it from unknown', async () => {
        const s = await make();
        try {
          await s.snapshots.stageSchoolRows('b1', first);
          await s.snapshots.commitBatch(batchCommit({ batchId: 'b1', uploadId: 'u1', source: { lastModifiedMs: 1, sequence: 1 }, units }));
          await s.snapshots.stageSchoolRows('b2', first);
          const r = await s.snapshots.commitBatch(batchCommit({ batchId: 'b2', uploadId: 'u2', source: { lastModifiedMs: 2, sequence: 2 }, units, contents: contents(first, 2_000), unlessUnchanged: true }));
          expect(r).toMatchObject({ applied: 2, unchanged: null });
          expect(r.replaced.map((u) => u.content)).toEqual([null, null]);
          // the contents kept now make the next equal commit unchanged
          await s.snapshots.stageSchoolRows('b3', first);
          const again = await s.snapshots.commitBatch(batchCommit({ batchId: 'b3', uploadId: 'u3', source: { lastModifiedMs: 3, sequence: 3 }, units, contents: contents(first, 3_000), unlessUnchanged: true }));
          expect(again.unchanged).toEqual({ uploadId: 'u2', receivedAtMs: 2_000 });
        } finally {
          await s.close();
        }
      });
    });

    test('a batch is in force while any pointer of the region names it, and not once every unit is taken over', async () => {
      const s = await make();
      try {
        const units = [commitUnit('budennovsky'), commitUnit('kursky'), commitUnit('kursky', P2)];
        await s.snapshots.stageSchoolRows('b1', [schoolRow(), schoolRow({ municipality_id: 'kursky' }), schoolRow({ municipality_id: 'kursky', period: P2 })]);
        await s.snapshots.commitBatch(batchCommit({ batchId: 'b1', units }));
        await s.snapshots.stageSchoolRows('b2', [schoolRow(), schoolRow({ municipality_id: 'kursky' })]);
        await s.snapshots.commitBatch(batchCommit({ batchId: 'b2', uploadId: 'u2', source: { lastModifiedMs: 2, sequence: 2 }, units: units.slice(0, 2) }));
        expect(await s.snapshots.batchInForce('b1', '26')).toBe(true);
        expect(await s.snapshots.batchInForce('b1', '07')).toBe(false);
        await s.snapshots.stageSchoolRows('b3', [schoolRow({ municipality_id: 'kursky', period: P2 })]);
        await s.snapshots.commitBatch(batchCommit({ batchId: 'b3', uploadId: 'u3', source: { lastModifiedMs: 3, sequence: 3 }, units: units.slice(2) }));
        expect(await s.snapshots.batchInForce('b1', '26')).toBe(false);
        expect(await s.snapshots.batchInForce('b2', '26')).toBe(true);
      } finally {
        await s.close();
      }
    });

    test('a read of more than 1000 rows returns every row', async () => {
      const s = await make();
      try {
        const rows = Array.from({ length: 1500 }, (_, i) => schoolRow({ school_key: `k${String(i).padStart(5, '0')}`, school_inn: '2634000001' }));
        await s.snapshots.stageSchoolRows('big', rows);
        await s.snapshots.commitBatch(batchCommit({ batchId: 'big' }));
        expect(await s.snapshots.currentSchools('26', P1)).toHaveLength(1500);
      } finally {
        await s.close();
      }
    });
  });
}
