// Unit: the region of an upload: the region column (code or name) first, then the
// object key, then the configured default; none of them is a typed failure.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IssueCode } from '../../../../shared/domain/errors.ts';
import { resolveRegion, type RegionInput } from '../../../../shared/domain/normalise/region.ts';
import type { CellValue } from '../../../../shared/domain/cell.ts';
import { anyCell, isTypedOutcome, outcome } from './cells.ts';

const known = [
  { code: '26', name: 'Ставропольский край' },
  { code: '09', name: 'Карачаево-Черкесская Республика' },
];
const input = (over: Partial<RegionInput>): RegionInput => ({ columnValue: undefined, key: 'uploads/x.csv', defaultRegion: null, known, ...over });

describe('resolveRegion', () => {
  test.each([
    ['26', '26'],
    [' 26 ', '26'],
    [26, '26'],
    [9, '09'],
    ['9', '09'],
    ['Ставропольский край', '26'],
    ['ставропольский  КРАЙ', '26'],
    ['Карачаево-Черкесская республика', '09'],
  ])('a region column holding %j is region %s', (columnValue, expected) => {
    // Prepare
    const args = input({ columnValue, key: 'uploads/77/x.csv', defaultRegion: '50' });
    // Act
    const r = resolveRegion(args);
    // Assess
    expect(outcome(r)).toBe(expected);
  });

  test('a region name matches with ё or е alike', () => {
    // No subject's name has ё today; the fold must still hold if a reference file spells one.
    const withYo = [{ code: '99', name: 'Приёмный край' }];
    expect(outcome(resolveRegion(input({ columnValue: 'Приемный край', known: withYo })))).toBe('99');
  });

  test('a region column that names no known region is an error, not a fall-back to the key', () => {
    const r = resolveRegion(input({ columnValue: 'Марс', key: 'uploads/26/x.csv', defaultRegion: '26' }));
    expect(r).toMatchObject({ ok: false, code: IssueCode.UnknownRegion });
    expect(r.ok ? '' : r.message).toContain('"Марс"');
  });

  test.each([['00'], ['266'], [0], [26.5], [true], [new Date(2023, 2, 6)]])('a region column holding %j is an error', (columnValue) => {
    expect(outcome(resolveRegion(input({ columnValue: columnValue as CellValue, key: 'uploads/26/x.csv' })))).toEqual({ fail: IssueCode.UnknownRegion });
  });

  test.each([[undefined], [null], [''], ['  ']])('an empty region column (%j) falls back to the key', (columnValue) => {
    expect(outcome(resolveRegion(input({ columnValue, key: 'uploads/26/x.csv', defaultRegion: '50' })))).toBe('26');
  });

  test.each([
    ['uploads/26/ОО_06.03-10.03.2023.csv', '26'],
    ['26/ОО.csv', '26'],
    ['exports/incoming/07/x.xlsx', '07'],
    ['uploads/26/2023/03/x.csv', '26'],
  ])('key %j is region %s', (key, expected) => {
    expect(outcome(resolveRegion(input({ key, defaultRegion: '50' })))).toBe(expected);
  });

  test.each([['uploads/2023/03/x.csv'], ['uploads/ОО_26.csv'], ['uploads/00/x.csv'], ['uploads/x.csv'], ['26']])('key %j carries no region, so the default applies', (key) => {
    expect(outcome(resolveRegion(input({ key, defaultRegion: '50' })))).toBe('50');
  });

  test('no column, no region in the key and no default is an error', () => {
    expect(outcome(resolveRegion(input({})))).toEqual({ fail: IssueCode.UnknownRegion });
  });

  test('never throws on any column value and key, and fails only with a known code', () => {
    fc.assert(
      fc.property(fc.option(anyCell, { nil: undefined }), fc.string({ unit: 'binary' }), fc.option(fc.constant('26'), { nil: null }), (columnValue, key, defaultRegion) =>
        isTypedOutcome(resolveRegion({ columnValue, key, defaultRegion, known })),
      ),
      { numRuns: 1000 },
    );
  });
});
