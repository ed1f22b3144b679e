// Unit: which pointers a commit flips — units a newer upload holds are superseded, units
// already naming the batch count as applied without a write, and a commit run twice leaves
// the state and the result of one.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decideCommit, planCommit, unitKey, type CommitUnit, type UnitPointer } from '../../../../shared/domain/store-rules/commit-plan.ts';
import { commitUnit as unit, P1, P2 } from '../../../support/builders.ts';

const pointer = (batchId: string, lastModifiedMs: number, sequence: number, version = 1): UnitPointer => ({ batchId, source: { lastModifiedMs, sequence }, version });

type Store = Map<string, UnitPointer>;
const read = (store: Store) => (u: CommitUnit) => store.get(unitKey(u));

/** Applies a plan's flips as a store would, in one transaction. */
function apply(store: Store, batchId: string, source: UnitPointer['source'], flips: ReturnType<typeof planCommit>['flips']): void {
  for (const f of flips) store.set(unitKey(f.unit), { batchId, source, version: f.version });
}

describe('planCommit', () => {
  test('units without a pointer flip at version 1', () => {
    const plan = planCommit({ batchId: 'b1', source: { lastModifiedMs: 1000, sequence: 1 }, units: [unit('a'), unit('b')] }, () => undefined);
    expect(plan).toEqual({
      flips: [
        { unit: unit('a'), version: 1 },
        { unit: unit('b'), version: 1 },
      ],
      result: { applied: 2, superseded: 0, periods: [P1] },
    });
  });

  test('an older upload committed after a newer one is superseded', () => {
    const store: Store = new Map([[unitKey(unit('a')), pointer('new', 2000, 1)]]);
    const plan = planCommit({ batchId: 'old', source: { lastModifiedMs: 1000, sequence: 2 }, units: [unit('a')] }, read(store));
    expect(plan).toEqual({ flips: [], result: { applied: 0, superseded: 1, periods: [] } });
  });

  test('a newer upload flips the pointer and bumps its version', () => {
    const store: Store = new Map([[unitKey(unit('a')), pointer('first', 1000, 1, 4)]]);
    const plan = planCommit({ batchId: 'second', source: { lastModifiedMs: 1000, sequence: 2 }, units: [unit('a')] }, read(store));
    expect(plan.flips).toEqual([{ unit: unit('a'), version: 5 }]);
    expect(plan.result).toEqual({ applied: 1, superseded: 0, periods: [P1] });
  });

  test('a pointer already naming the batch is applied without a write', () => {
    const store: Store = new Map([[unitKey(unit('a')), pointer('b1', 1000, 1)]]);
    const plan = planCommit({ batchId: 'b1', source: { lastModifiedMs: 1000, sequence: 1 }, units: [unit('a')] }, read(store));
    expect(plan).toEqual({ flips: [], result: { applied: 1, superseded: 0, periods: [P1] } });
  });

  test('the same municipality under another kind or period is another unit', () => {
    const store: Store = new Map([[unitKey(unit('a')), pointer('newer', 9000, 9)]]);
    const units = [unit('a'), unit('a', P1, 'municipalities'), unit('a', P2)];
    const plan = planCommit({ batchId: 'b', source: { lastModifiedMs: 1000, sequence: 1 }, units }, read(store));
    expect(plan.flips.map((f) => f.unit)).toEqual([units[1], units[2]]);
    expect(plan.result).toEqual({ applied: 2, superseded: 1, periods: [P1, P2] });
  });

  test('a unit listed twice is written once and counted each time', () => {
    const plan = planCommit({ batchId: 'b', source: { lastModifiedMs: 1, sequence: 1 }, units: [unit('a'), unit('a')] }, () => undefined);
    expect(plan).toEqual({ flips: [{ unit: unit('a'), version: 1 }], result: { applied: 2, superseded: 0, periods: [P1] } });
  });

  const source = fc.record({ lastModifiedMs: fc.integer({ min: 0, max: 3 }), sequence: fc.integer({ min: 1, max: 3 }) });
  const anyUnit = fc.record({
    period: fc.constantFrom(P1, P2),
    kind: fc.constantFrom('schools' as const, 'municipalities' as const),
    municipalityId: fc.constantFrom('a', 'b', 'c'),
  });
  const anyPointer = fc.record({ batchId: fc.constantFrom('x', 'y', 'b'), source, version: fc.integer({ min: 1, max: 9 }) });
  const anyStore = fc.array(fc.tuple(anyUnit, anyPointer), { maxLength: 8 }).map((es) => new Map(es.map(([u, p]) => [unitKey(u), p])) as Store);

  test('property: afterwards each unit names the batch exactly when no newer upload held it', () => {
    fc.assert(
      fc.property(anyStore, source, fc.array(anyUnit, { maxLength: 8 }), (store, src, units) => {
        const before = new Map(store);
        const plan = planCommit({ batchId: 'b', source: src, units }, read(store));
        apply(store, 'b', src, plan.flips);
        let applied = 0;
        for (const u of units) {
          const old = before.get(unitKey(u));
          const wins = !old || old.batchId === 'b' || src.lastModifiedMs > old.source.lastModifiedMs || (src.lastModifiedMs === old.source.lastModifiedMs && src.sequence > old.source.sequence);
          expect(store.get(unitKey(u))?.batchId === 'b').toBe(wins);
          if (wins) applied++;
        }
        expect(plan.result.applied).toBe(applied);
        expect(plan.result.superseded).toBe(units.length - applied);
        for (const f of plan.flips) expect(f.version).toBe((before.get(unitKey(f.unit))?.version ?? 0) + 1);
        expect(new Set(plan.flips.map((f) => unitKey(f.unit))).size).toBe(plan.flips.length);
      }),
    );
  });

  test('property: committing the same batch again writes nothing and answers the same', () => {
    fc.assert(
      fc.property(anyStore, source, fc.array(anyUnit, { maxLength: 8 }), (store, src, units) => {
        const commit = { batchId: 'b', source: src, units };
        const first = planCommit(commit, read(store));
        apply(store, 'b', src, first.flips);
        const again = planCommit(commit, read(store));
        expect(again.flips).toEqual([]);
        expect(again.result).toEqual(first.result);
      }),
    );
  });
});

describe('decideCommit', () => {
  const content = (fingerprint: string) => ({ figures: { schools: 1, teachers: null, students: null }, fingerprint, receivedAtMs: 5 });
  const held = (fingerprint: string): UnitPointer => ({ ...pointer('old', 1000, 1), uploadId: 'u-old', content: content(fingerprint) });
  const mine = (fingerprints: Record<string, string>) => ({ receivedAtMs: 9, units: Object.entries(fingerprints).map(([m, f]) => ({ unit: unit(m), figures: { schools: 1, teachers: null, students: null }, fingerprint: f })) });
  const commit = (fingerprints: Record<string, string>, unlessUnchanged = true) => ({ batchId: 'new', source: { lastModifiedMs: 2000, sequence: 2 }, units: Object.keys(fingerprints).map((m) => unit(m)), contents: mine(fingerprints), unlessUnchanged });

  test('every unit held by another upload with the same fingerprint: unchanged, nothing flips', () => {
    const store: Store = new Map([[unitKey(unit('a')), held('x')], [unitKey(unit('b')), held('y')]]);
    const { plan, outcome } = decideCommit(commit({ a: 'x', b: 'y' }), read(store));
    expect(plan.flips).toEqual([]);
    expect(outcome).toEqual({ applied: 0, superseded: 0, periods: [], replaced: [], unchanged: { uploadId: 'u-old', receivedAtMs: 5 } });
  });

  test('one unit new, or one fingerprint different, or not asked: the commit applies and names what it took', () => {
    const store: Store = new Map([[unitKey(unit('a')), held('x')]]);
    expect(decideCommit(commit({ a: 'x', b: 'y' }), read(store)).outcome).toMatchObject({ applied: 2, unchanged: null, replaced: [{ unit: unit('a'), uploadId: 'u-old', batchId: 'old', content: content('x') }] });
    expect(decideCommit(commit({ a: 'z' }), read(store)).outcome).toMatchObject({ applied: 1, unchanged: null });
    expect(decideCommit(commit({ a: 'x' }, false), read(store)).outcome).toMatchObject({ applied: 1, unchanged: null });
  });

  test('a pointer without content is never unchanged', () => {
    const store: Store = new Map([[unitKey(unit('a')), { ...held('x'), content: null }]]);
    expect(decideCommit(commit({ a: 'x' }), read(store)).outcome).toMatchObject({ applied: 1, unchanged: null, replaced: [{ content: null }] });
  });
});
