// Test support for the normaliser suites: arbitrary cells as readers deliver them, and the
// "total function" check every normaliser must pass (a value or a typed failure, never a throw).
import fc from 'fast-check';
import { IssueCode } from '../../../../shared/domain/errors.ts';
import type { CellValue } from '../../../../shared/domain/cell.ts';
import type { Result } from '../../../../shared/domain/result.ts';

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(IssueCode));

/** CSV gives strings; XLSX may give any number (NaN, -0, ±Infinity included), booleans and dates (invalid ones too). */
export const anyCell: fc.Arbitrary<CellValue> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: false }),
);

/** Strings over a chosen alphabet, so fuzzing reaches the branches a parser actually has. */
export const textOf = (alphabet: readonly string[], maxLength = 24): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet), maxLength });

/** True when `r` is a value or a failure with a known IssueCode and a message. */
export function isTypedOutcome(r: Result<unknown>): boolean {
  return r.ok || (KNOWN_CODES.has(r.code) && r.message.length > 0);
}

/** The value, or `{ fail: code }`: lets one `toEqual` assess both outcomes. */
export function outcome<T>(r: Result<T>): T | { fail: string } {
  return r.ok ? r.value : { fail: r.code };
}

export function assertTotal(f: (c: CellValue) => Result<unknown>, cells: fc.Arbitrary<CellValue> = anyCell): void {
  fc.assert(
    fc.property(cells, (c) => isTypedOutcome(f(c))),
    { numRuns: 1000 },
  );
}
