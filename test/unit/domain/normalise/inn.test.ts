// Unit: INN and KPP of a legal entity. Expected INNs are built with the FNS arithmetic
// written out here (and checked against two public INNs), not with the code under test.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IssueCode } from '../../../../shared/domain/errors.ts';
import { innCheckDigit, parseInn, parseKpp } from '../../../../shared/domain/normalise/inn.ts';
import type { CellValue } from '../../../../shared/domain/cell.ts';
import { assertTotal, outcome } from './cells.ts';

const WEIGHTS = [2, 4, 10, 3, 5, 9, 4, 6, 8];

function controlDigit(first9: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(first9[i]) * WEIGHTS[i]!;
  return (sum % 11) % 10;
}

const withControl = (first9: string) => `${first9}${controlDigit(first9)}`;
/** The same INN with its last digit changed, so the checksum no longer holds. */
const broken = (inn: string) => `${inn.slice(0, 9)}${(Number(inn[9]) + 1) % 10}`;

const STAVROPOL_SCHOOL = withControl('263401234');
const nineDigits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 9, maxLength: 9 });

describe('innCheckDigit', () => {
  test('the test arithmetic reproduces two public legal-entity INNs', () => {
    // Sberbank and Yandex LLC, as published in the Unified State Register.
    expect([withControl('770708389'), withControl('773620754')]).toEqual(['7707083893', '7736207543']);
  });

  test('agrees with the FNS arithmetic for any nine digits', () => {
    fc.assert(fc.property(nineDigits, (first9) => innCheckDigit(first9) === controlDigit(first9)));
  });
});

describe('parseInn', () => {
  test('a checksum-valid 10-digit INN is kept as a string', () => {
    expect(outcome(parseInn(STAVROPOL_SCHOOL))).toBe(STAVROPOL_SCHOOL);
  });

  test('a sum of 10 mod 11 gives control digit 0', () => {
    // Prepare: the first nine digits from 260000000 up whose weighted sum is 10 mod 11
    let n = 260_000_000;
    const weighted = (s: string) => [...s].reduce((acc, d, i) => acc + Number(d) * WEIGHTS[i]!, 0);
    while (weighted(String(n)) % 11 !== 10) n++;
    const inn = `${n}0`;
    // Act, Assess
    expect(outcome(parseInn(inn))).toBe(inn);
  });

  test('any nine digits with their control digit are accepted, with any other last digit rejected', () => {
    fc.assert(
      fc.property(nineDigits, fc.integer({ min: 1, max: 9 }), (first9, shift) => {
        const good = withControl(first9);
        const bad = `${first9}${(controlDigit(first9) + shift) % 10}`;
        expect(outcome(parseInn(good))).toBe(good);
        expect(parseInn(bad)).toMatchObject({ ok: false, code: IssueCode.BadInn });
      }),
    );
  });

  test.each([
    ['ИНН prefix', `ИНН ${STAVROPOL_SCHOOL}`],
    ['lower-case prefix with a colon', `инн: ${STAVROPOL_SCHOOL}`],
    ['prefix with №', `ИНН №${STAVROPOL_SCHOOL}`],
    ['spaces inside', `${STAVROPOL_SCHOOL.slice(0, 4)} ${STAVROPOL_SCHOOL.slice(4, 7)} ${STAVROPOL_SCHOOL.slice(7)}`],
    ['NBSP and narrow NBSP inside', `${STAVROPOL_SCHOOL.slice(0, 4)}\u00a0${STAVROPOL_SCHOOL.slice(4, 7)}\u202f${STAVROPOL_SCHOOL.slice(7)}`],
    ['blanks around', `  ${STAVROPOL_SCHOOL}\t`],
  ])('%s is accepted', (_, raw) => {
    expect(outcome(parseInn(raw))).toBe(STAVROPOL_SCHOOL);
  });

  test('a numeric XLSX cell gives the INN as a string', () => {
    expect(outcome(parseInn(Number(STAVROPOL_SCHOOL)))).toBe(STAVROPOL_SCHOOL);
  });

  test('a numeric cell of an INN that starts with 0 (regions 01-09) keeps its leading zero', () => {
    const adygea = withControl('010512345');
    expect(outcome(parseInn(Number(adygea)))).toBe(adygea);
  });

  test('a blank INN cell is a missing value, not a malformed one', () => {
    expect(parseInn('   ')).toMatchObject({ ok: false, code: IssueCode.MissingValue });
  });

  test('a wrong checksum is a row error that says so', () => {
    expect(parseInn(broken(STAVROPOL_SCHOOL))).toMatchObject({ ok: false, code: IssueCode.BadInn, message: expect.stringContaining('checksum') });
  });

  test('a 12-digit INN is a person, not a school', () => {
    expect(parseInn('263401234567')).toMatchObject({ ok: false, code: IssueCode.BadInn, message: expect.stringContaining('12-digit') });
  });

  test.each([['263401234'], ['26340123456'], ['26340I2345'], ['2634-012345'], ['ИНН'], [-2634012345], [2634012345.5], [true], [new Date(2023, 2, 6)]])('%j is a row error', (raw) => {
    expect(outcome(parseInn(raw as CellValue))).toEqual({ fail: IssueCode.BadInn });
  });

  test.each([[''], [null]])('%j is a missing value', (raw) => {
    expect(outcome(parseInn(raw))).toEqual({ fail: IssueCode.MissingValue });
  });

  test('never throws on any cell and fails only with a known code', () => {
    assertTotal(parseInn);
  });
});

describe('parseKpp', () => {
  test.each([
    ['263401001', '263401001'],
    ['2634AB001', '2634AB001'],
    ['2634ab001', '2634AB001'],
    ['КПП 263401001', '263401001'],
    [' 2634 01 001 ', '263401001'],
  ])('%j is %j', (raw, expected) => {
    expect(outcome(parseKpp(raw))).toBe(expected);
  });

  test('a numeric cell keeps the leading zero the spreadsheet dropped', () => {
    expect(outcome(parseKpp(26301001))).toBe('026301001');
  });

  test.each([[''], ['-'], ['—'], [null]])('%j means no KPP', (raw) => {
    expect(outcome(parseKpp(raw))).toBeNull();
  });

  test.each([['2634'], ['2634010011'], ['26340100A'], ['2634АБ001'], [-263401001], [1.5], [new Date(2023, 2, 6)]])('%j is a row error', (raw) => {
    expect(outcome(parseKpp(raw as CellValue))).toEqual({ fail: IssueCode.BadKpp });
  });

  test('never throws on any cell and fails only with a known code', () => {
    assertTotal(parseKpp);
  });
});
