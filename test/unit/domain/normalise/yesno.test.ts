// Unit: yes/no cells, with the contract's spellings, the cell types XLSX delivers and each failure.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IssueCode } from '../../../../shared/domain/errors.ts';
import { parseYesNo } from '../../../../shared/domain/normalise/yesno.ts';
import type { CellValue } from '../../../../shared/domain/cell.ts';
import { assertTotal, outcome } from './cells.ts';

/** Upper-cases the letters picked by `mask`, so any casing of a word can be generated. */
const recase = (word: string, mask: readonly boolean[]) => [...word].map((c, i) => (mask[i] ? c.toUpperCase() : c)).join('');

describe('parseYesNo', () => {
  test.each([
    ['Да', true],
    ['да', true],
    ['ДА', true],
    ['Нет', false],
    ['нет', false],
    ['НЕТ', false],
    ['1', true],
    ['0', false],
    ['true', true],
    ['FALSE', false],
    ['Yes', true],
    ['no', false],
    ['ИСТИНА', true],
    ['ЛОЖЬ', false],
    [' да ', true],
    ['\u00a0Нет\u202f', false],
  ])('%j is %s', (raw, expected) => {
    // Act
    const r = parseYesNo(raw);
    // Assess
    expect(outcome(r)).toBe(expected);
  });

  test('any casing of the contract words reads the same', () => {
    const words = [...['да', 'yes', 'true'].map((w) => [w, true] as const), ...['нет', 'no', 'false'].map((w) => [w, false] as const)];
    fc.assert(
      fc.property(fc.constantFrom(...words), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), ([word, expected], mask) => {
        expect(outcome(parseYesNo(recase(word, mask)))).toBe(expected);
      }),
    );
  });

  test('boolean cells and numeric 1/0 cells', () => {
    expect([true, false, 1, 0].map((v) => outcome(parseYesNo(v)))).toEqual([true, false, true, false]);
  });

  test.each([[''], ['   '], ['\u00a0'], [null]])('%j is missing: null', (raw) => {
    expect(outcome(parseYesNo(raw))).toBeNull();
  });

  test.each([['возможно'], ['-'], ['y'], ['д'], ['да/нет'], ['2'], ['1.0'], ['да да']])('text %j is a row error naming the value', (raw) => {
    const r = parseYesNo(raw);
    expect(r).toMatchObject({ ok: false, code: IssueCode.BadYesNo });
    expect(r.ok ? '' : r.message).toContain(`"${raw}"`);
  });

  test.each([[2], [-1], [0.5], [Number.NaN], [new Date(2023, 2, 6)]])('cell %j is a row error', (raw) => {
    expect(outcome(parseYesNo(raw as CellValue))).toEqual({ fail: IssueCode.BadYesNo });
  });

  test('never throws on any cell and fails only with a known code', () => {
    assertTotal(parseYesNo);
  });
});
