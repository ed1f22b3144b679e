// Unit: "newer upload wins" — LastModified first, the ingest sequence only on a tie, and the
// order it defines is strict (never both ways, never for the same version).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isNewer, type SourceVersion } from '../../../../shared/domain/store-rules/newer-upload.ts';

const version = fc.record({ lastModifiedMs: fc.integer({ min: 0, max: 5 }), sequence: fc.integer({ min: 1, max: 5 }) });
const v = (lastModifiedMs: number, sequence: number): SourceVersion => ({ lastModifiedMs, sequence });

describe('isNewer', () => {
  test('a later LastModified wins whatever the sequence', () => {
    expect(isNewer(v(2000, 1), v(1000, 9))).toBe(true);
    expect(isNewer(v(1000, 9), v(2000, 1))).toBe(false);
  });

  test('the same LastModified is decided by ingest sequence', () => {
    expect(isNewer(v(1000, 2), v(1000, 1))).toBe(true);
    expect(isNewer(v(1000, 1), v(1000, 2))).toBe(false);
  });

  test('a version is not newer than itself', () => {
    expect(isNewer(v(1000, 1), v(1000, 1))).toBe(false);
  });

  test('property: a strict total order, lexicographic on (LastModified, sequence)', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        const same = a.lastModifiedMs === b.lastModifiedMs && a.sequence === b.sequence;
        expect(isNewer(a, b) || isNewer(b, a)).toBe(!same);
        expect(isNewer(a, b) && isNewer(b, a)).toBe(false);
        if (isNewer(a, b) && isNewer(b, c)) expect(isNewer(a, c)).toBe(true);
        const lexicographic = a.lastModifiedMs > b.lastModifiedMs || (a.lastModifiedMs === b.lastModifiedMs && a.sequence > b.sequence);
        expect(isNewer(a, b)).toBe(lexicographic);
      }),
    );
  });
});
