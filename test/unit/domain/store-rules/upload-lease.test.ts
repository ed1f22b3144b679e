// Unit: the upload ledger's content lease — completed uploads are final, a lease is live up
// to and including its expiry, a passed lease is taken over with the original sequence, and
// the lease length is the remaining time less a margin, clamped.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decideAcquire, leaseLengthMs, uploadLeaseLive, type LedgerLease } from '../../../../shared/domain/store-rules/upload-lease.ts';

const inProgress = (leaseUntilMs: number | null, sequence = 7): LedgerLease => ({ status: 'in_progress', leaseUntilMs, sequence });

describe('decideAcquire', () => {
  test('first sight inserts with a lease of now + length', () => {
    expect(decideAcquire(undefined, 1000, 30_000)).toEqual({ kind: 'insert', leaseUntilMs: 31_000 });
  });

  test('a completed upload is answered from its report, however late', () => {
    expect(decideAcquire({ status: 'completed', leaseUntilMs: null, sequence: 3 }, 10_000_000, 30_000)).toEqual({ kind: 'completed' });
  });

  test('a live lease refuses up to and including its expiry instant', () => {
    expect(decideAcquire(inProgress(31_000), 30_999, 30_000)).toEqual({ kind: 'in_progress', leaseUntilMs: 31_000 });
    expect(decideAcquire(inProgress(31_000), 31_000, 30_000)).toEqual({ kind: 'in_progress', leaseUntilMs: 31_000 });
  });

  test('a passed lease is taken over with the upload\'s own sequence', () => {
    expect(decideAcquire(inProgress(31_000), 31_001, 30_000)).toEqual({ kind: 'take_over', leaseUntilMs: 61_001, sequence: 7 });
  });

  test('a released lease (null) is taken at once', () => {
    expect(uploadLeaseLive(null, Number.MIN_SAFE_INTEGER)).toBe(false);
    expect(decideAcquire(inProgress(null), 1001, 30_000)).toEqual({ kind: 'take_over', leaseUntilMs: 31_001, sequence: 7 });
  });

  test('property: refused exactly while live; otherwise the new lease is now + length', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (leaseUntil, now, length) => {
          const d = decideAcquire(inProgress(leaseUntil), now, length);
          if (leaseUntil !== null && now <= leaseUntil) expect(d).toEqual({ kind: 'in_progress', leaseUntilMs: leaseUntil });
          else expect(d).toEqual({ kind: 'take_over', leaseUntilMs: now + length, sequence: 7 });
          expect(uploadLeaseLive(leaseUntil, now)).toBe(d.kind === 'in_progress');
        },
      ),
    );
  });
});

describe('leaseLengthMs', () => {
  const bounds = { minLeaseMs: 30_000, maxLeaseMs: 300_000 };

  test('the remaining time less a one-second margin', () => {
    expect(leaseLengthMs(bounds, 120_000)).toBe(119_000);
  });

  test('zero or negative remaining time still gets the minimum, never "no lease"', () => {
    expect(leaseLengthMs(bounds, 0)).toBe(30_000);
    expect(leaseLengthMs(bounds, -5)).toBe(30_000);
  });

  test('an unknown remaining time gets the maximum', () => {
    expect(leaseLengthMs(bounds, Number.POSITIVE_INFINITY)).toBe(300_000);
    expect(leaseLengthMs(bounds, Number.NaN)).toBe(300_000);
  });

  test('property: always within [min, max], and monotone in the remaining time', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e7 }), fc.integer({ min: 0, max: 1e6 }), (remaining, more) => {
        const l = leaseLengthMs(bounds, remaining);
        expect(l).toBeGreaterThanOrEqual(bounds.minLeaseMs);
        expect(l).toBeLessThanOrEqual(bounds.maxLeaseMs);
        expect(leaseLengthMs(bounds, remaining + more)).toBeGreaterThanOrEqual(l);
      }),
    );
  });
});
