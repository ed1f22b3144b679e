// Unit: count cells. Every rule of the contract's `count` with its examples, each failure,
// and the properties: no throw on any cell, and any safe integer round-trips through any
// thousands separator.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IssueCode } from '../../../../shared/domain/errors.ts';
import { parseCount } from '../../../../shared/domain/normalise/count.ts';
import type { CellValue } from '../../../../shared/domain/cell.ts';
import { assertTotal, outcome, textOf } from './cells.ts';

const SEPARATORS = [' ', '\u00a0', '\u202f'] as const;

/** Groups digits by three from the right with `sep`, written out here rather than borrowed from Intl. */
function grouped(n: number, sep: string): string {
  const digits = String(n);
  const head = digits.length % 3 || 3;
  const groups = [digits.slice(0, head)];
  for (let i = head; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3));
  return groups.join(sep);
}

describe('parseCount', () => {
  test.each([['-'], ['—'], ['–'], ['−'], [' - '], ['\u00a0—\u00a0']])('a dash alone, %j, is 0 (Rosstat: the phenomenon is absent)', (raw) => {
    const r = parseCount(raw);
    expect(r.ok && r.value).toBe(0);
  });

  test.each([['--'], ['- -'], ['н/д.'], ['xx']])('%j is neither a dash nor a no-data mark: a row error', (raw) => {
    expect(parseCount(raw).ok).toBe(false);
  });

  test.each([
    ['17218', 17218],
    ['17 218', 17218],
    ['17\u00a0218', 17218],
    ['17\u202f218', 17218],
    ['312 014', 312014],
    ['1 234 567', 1234567],
    ['0', 0],
    ['007', 7],
    ['  42\t', 42],
  ])('text %j is %d', (raw, expected) => {
    // Act
    const r = parseCount(raw);
    // Assess
    expect(outcome(r)).toBe(expected);
  });

  test.each([
    ['17218.0', 17218],
    ['17218,00', 17218],
    ['17 218.0', 17218],
  ])('an integral number written with a zero fraction, %j, is %d', (raw, expected) => {
    expect(outcome(parseCount(raw))).toBe(expected);
  });

  test('numeric cells, including an integral float, are counts', () => {
    expect([17218, 17218.0, 0].map((n) => outcome(parseCount(n)))).toEqual([17218, 17218, 0]);
  });

  test('a numeric -0 is 0, not a negative count', () => {
    const r = parseCount(-0);
    expect(r.ok && Object.is(r.value, 0)).toBe(true);
  });

  test.each([[''], ['   '], ['\u00a0'], ['…'], ['...'], ['н/д'], ['Н/Д'], ['нет данных'], ['x'], ['X'], ['х'], [' … '], [null]])('%j means missing: null, never 0', (raw) => {
    expect(outcome(parseCount(raw))).toBeNull();
  });

  test.each([
    ['-5', 'negative'],
    ['−5', 'negative'],
    ['-17 218', 'negative'],
    ['1.5', 'fractional'],
    ['12,5', 'fractional'],
    ['17 218,5', 'fractional'],
    ['17,218', 'fractional'],
    ['abc', 'not a count'],
    ['12a', 'not a count'],
    ['1e3', 'not a count'],
    ['+5', 'not a count'],
    ['17218.', 'not a count'],
    ['.0', 'not a count'],
    ['--', 'not a count'],
  ])('text %j is a row error (%s)', (raw, why) => {
    const r = parseCount(raw);
    expect(r).toMatchObject({ ok: false, code: IssueCode.BadCount });
    expect(r.ok ? '' : r.message).toContain(why);
  });

  test('the message names the offending value', () => {
    const r = parseCount('12 штук');
    expect(r.ok ? '' : r.message).toContain('"12 штук"');
  });

  test.each([['1 72 18'], ['1234 567'], ['17 21'], ['17  218'], ['17 2188']])('misplaced thousands separators in %j are a row error', (raw) => {
    expect(outcome(parseCount(raw))).toEqual({ fail: IssueCode.BadCount });
  });

  test.each([[-1], [2.5], [Number.NaN], [Number.POSITIVE_INFINITY], [2 ** 53], [true], [new Date(2023, 2, 6)]])('cell %j is a row error', (raw) => {
    expect(outcome(parseCount(raw as CellValue))).toEqual({ fail: IssueCode.BadCount });
  });

  test('the largest safe integer is a count; one more is too large', () => {
    const max = String(Number.MAX_SAFE_INTEGER);
    expect(outcome(parseCount(max))).toBe(Number.MAX_SAFE_INTEGER);
    expect(outcome(parseCount('9007199254740992'))).toEqual({ fail: IssueCode.BadCount });
    expect(outcome(parseCount('9'.repeat(400)))).toEqual({ fail: IssueCode.BadCount });
  });

  test('every non-negative safe integer round-trips with any separator, as text and as a numeric cell', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.constantFrom('', ...SEPARATORS), (n, sep) => {
        expect(outcome(parseCount(grouped(n, sep)))).toBe(n);
        expect(outcome(parseCount(`${grouped(n, sep)}.0`))).toBe(n);
        expect(outcome(parseCount(n))).toBe(n);
      }),
    );
  });

  test('any positive integer with a minus sign is a row error', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1 }), fc.constantFrom('-', '−'), (n, minus) => {
        expect(parseCount(`${minus}${n}`)).toMatchObject({ ok: false, code: IssueCode.BadCount });
      }),
    );
  });

  test('never throws on any cell and fails only with a known code', () => {
    assertTotal(parseCount);
    assertTotal(parseCount, textOf(['1', '7', '0', ' ', '\u00a0', '\u202f', '.', ',', '-', '—', '−', 'e', '+']));
  });
});
