// Unit: every value rule of the export contract, with its examples and each failure, and
// the property that no normaliser throws on arbitrary input: it returns a value or a
// typed failure with a known code.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IssueCode } from '../../../shared/domain/errors.ts';
import { parseCount } from '../../../shared/domain/normalise/count.ts';
import { innCheckDigit, parseInn, parseKpp } from '../../../shared/domain/normalise/inn.ts';
import { createMunicipalityMatcher, MunicipalityReference } from '../../../shared/domain/normalise/municipality.ts';
import { parsePeriod, periodFromName } from '../../../shared/domain/normalise/period.ts';
import { resolveRegion } from '../../../shared/domain/normalise/region.ts';
import { foldHeader, foldText } from '../../../shared/domain/normalise/text.ts';
import { parseYesNo } from '../../../shared/domain/normalise/yesno.ts';
import type { CellValue, Result } from '../../../shared/domain/result.ts';
import reference from '../../../shared/domain/data/municipalities-26.json' with { type: 'json' };

const KNOWN_CODES = new Set<string>(Object.values(IssueCode));
const ref = MunicipalityReference.parse(reference);
const matchMunicipality = createMunicipalityMatcher(ref);

/** INN with the FNS control digit computed here, not by the code under test. */
function inn(first9: string): string {
  const w = [2, 4, 10, 3, 5, 9, 4, 6, 8];
  return `${first9}${([...first9].reduce((s, d, i) => s + Number(d) * w[i]!, 0) % 11) % 10}`;
}

const value = <T>(r: Result<T>) => (r.ok ? r.value : { fail: r.code });

describe('foldText and foldHeader', () => {
  test('case, ё/е, NBSP, narrow NBSP and runs of white space fold away', () => {
    expect(foldText('  Будённовский\u00a0\u202f МО ')).toBe('буденновский мо');
  });
  test('≥ may be present or absent in a header', () => {
    expect(foldHeader('Педагогов, создавших ≥1 чат')).toBe(foldHeader('Педагогов,  создавших 1 чат'));
  });
});

describe('parseCount', () => {
  test.each([
    ['17218', 17218],
    ['17 218', 17218],
    ['17\u00a0218', 17218],
    ['17\u202f218', 17218],
    ['1 234 567', 1234567],
    [' 42 ', 42],
    ['17218.0', 17218],
    ['0', 0],
  ])('%j is %d', (raw, expected) => {
    expect(value(parseCount(raw))).toBe(expected);
  });
  test('numeric cells, including integral floats, are counts', () => {
    expect(value(parseCount(17218))).toBe(17218);
    expect(value(parseCount(17218.0))).toBe(17218);
  });
  test.each(['', '-', '—', '–'])('%j means missing, never 0', (raw) => {
    expect(value(parseCount(raw))).toBeNull();
  });
  test('null means missing', () => {
    expect(value(parseCount(null))).toBeNull();
  });
  test.each([['-5'], ['12,5'], ['1.5'], ['abc'], ['12a'], [-1], [2.5], [Number.NaN]])('%j is a row error', (raw) => {
    expect(value(parseCount(raw as CellValue))).toEqual({ fail: IssueCode.BadCount });
  });
  test('every non-negative safe integer formatted with any separator reads back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999 }), fc.constantFrom(' ', '\u00a0', '\u202f', ''), (n, sep) => {
        const text = String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
        expect(value(parseCount(text))).toBe(n);
      }),
    );
  });
});

describe('parseYesNo', () => {
  test.each([
    ['Да', true],
    ['да', true],
    ['ДА', true],
    ['Нет', false],
    ['нет', false],
    ['1', true],
    ['0', false],
    ['true', true],
    ['FALSE', false],
    ['yes', true],
    ['No', false],
    [' да ', true],
  ])('%j is %s', (raw, expected) => {
    expect(value(parseYesNo(raw))).toBe(expected);
  });
  test('boolean and 1/0 numeric cells', () => {
    expect([true, false, 1, 0].map((v) => value(parseYesNo(v)))).toEqual([true, false, true, false]);
  });
  test('empty is missing, anything else a row error', () => {
    expect(value(parseYesNo(''))).toBeNull();
    expect(value(parseYesNo('возможно'))).toEqual({ fail: IssueCode.BadYesNo });
    expect(value(parseYesNo(2))).toEqual({ fail: IssueCode.BadYesNo });
  });
});

describe('parseInn and parseKpp', () => {
  const good = inn('263401234');
  test('a checksum-valid 10-digit INN is kept as a string', () => {
    expect(value(parseInn(good))).toBe(good);
    expect(innCheckDigit(good.slice(0, 9))).toBe(Number(good[9]));
  });
  test('a numeric cell, spaces and an ИНН prefix are accepted', () => {
    expect(value(parseInn(Number(good)))).toBe(good);
    expect(value(parseInn(`${good.slice(0, 4)} ${good.slice(4)}`))).toBe(good);
    expect(value(parseInn(`ИНН ${good}`))).toBe(good);
  });
  test('a wrong checksum names the problem', () => {
    const bad = `${good.slice(0, 9)}${(Number(good[9]) + 1) % 10}`;
    expect(parseInn(bad)).toMatchObject({ ok: false, code: IssueCode.BadInn, message: 'INN checksum is wrong' });
  });
  test('wrong lengths, a person’s 12-digit INN and empty cells are errors', () => {
    expect(value(parseInn('26340123'))).toEqual({ fail: IssueCode.BadInn });
    expect(parseInn('263401234567')).toMatchObject({ code: IssueCode.BadInn, message: expect.stringContaining('12-digit') });
    expect(value(parseInn(''))).toEqual({ fail: IssueCode.MissingValue });
  });
  test('KPP: 9 characters when present, empty is none', () => {
    expect(value(parseKpp('263401001'))).toBe('263401001');
    expect(value(parseKpp('2634AB001'))).toBe('2634AB001');
    expect(value(parseKpp(''))).toBeNull();
    expect(value(parseKpp('2634'))).toEqual({ fail: IssueCode.BadKpp });
  });
});

describe('municipality matching', () => {
  test.each([
    ['Буденновский МО', 'budennovsky'],
    ['Будённовский муниципальный округ', 'budennovsky'],
    ['Буденновский район', 'budennovsky'],
    ['БУДЕННОВСКИЙ р-н', 'budennovsky'],
    ['Грачевский ГО', 'grachevsky'],
    ['Благодарненский городской округ', 'blagodarnensky'],
    ['г. Ставрополь', 'stavropol'],
    ['город Ставрополь', 'stavropol'],
    ['г.-к. Кисловодск', 'kislovodsk'],
    ['город-курорт Пятигорск', 'pyatigorsk'],
    ['Управление образования администрации Изобильненского муниципального округа Ставропольского края', 'izobilnensky'],
    ['комитет образования администрации города Ставрополя', 'stavropol'],
    ['города Лермонтова', 'lermontov'],
  ])('%j is %s', (raw, id) => {
    expect(matchMunicipality(raw)).toMatchObject({ ok: true, value: { id } });
  });
  test('an unknown name is a row error, never a new municipality', () => {
    expect(value(matchMunicipality('Неизвестный район'))).toEqual({ fail: IssueCode.UnknownMunicipality });
  });
  test('an adjective never resolves to a city, and the region is not a municipality', () => {
    expect(value(matchMunicipality('Ставропольский край'))).toEqual({ fail: IssueCode.UnknownMunicipality });
    expect(value(matchMunicipality('Ставропольский'))).toEqual({ fail: IssueCode.UnknownMunicipality });
  });
  test('a centre-city name needs an alias an admin adds to the data file', () => {
    expect(value(matchMunicipality('Михайловск'))).toEqual({ fail: IssueCode.UnknownMunicipality });
    const withAlias = createMunicipalityMatcher({
      ...ref,
      municipalities: ref.municipalities.map((m) => (m.id === 'shpakovsky' ? { ...m, aliases: ['Михайловск'] } : m)),
    });
    expect(withAlias('г. Михайловск')).toMatchObject({ ok: true, value: { id: 'shpakovsky' } });
  });
  test('every one of the 33 reference names resolves to itself and no two collide', () => {
    const ids = ref.municipalities.map((m) => { const r = matchMunicipality(m.name); return r.ok ? r.value.id : r.code; });
    expect(ids).toEqual(ref.municipalities.map((m) => m.id));
  });
});

describe('periods', () => {
  test.each([
    ['06.03-10.03.2023', '2023-03-06', '2023-03-10'],
    ['20.02 – 22.02.2023', '2023-02-20', '2023-02-22'],
    ['23.02—03.03.2023', '2023-02-23', '2023-03-03'],
    ['06.03.2023-10.03.2023', '2023-03-06', '2023-03-10'],
    ['2023-03-06/2023-03-10', '2023-03-06', '2023-03-10'],
    ['2023-03-06_2023-03-10', '2023-03-06', '2023-03-10'],
    ['26.12-06.01.2023', '2022-12-26', '2023-01-06'],
  ])('%j is %s..%s', (raw, start, end) => {
    expect(value(parsePeriod(raw))).toEqual({ start, end });
  });
  test.each(['31.02-03.03.2023', '10.03-06.03.2023', '06.03.2023', 'неделя 10', '2023-03-10/2023-03-06'])('%j is a row error', (raw) => {
    expect(value(parsePeriod(raw))).toEqual({ fail: IssueCode.BadPeriod });
  });
  test('a period is found in a file name or an object key', () => {
    expect(periodFromName('uploads/26/ОО_06.03-10.03.2023.csv')).toEqual({ start: '2023-03-06', end: '2023-03-10' });
    expect(periodFromName('schools_2023-03-06_2023-03-10.xlsx')).toEqual({ start: '2023-03-06', end: '2023-03-10' });
    expect(periodFromName('uploads/26/schools.csv')).toBeNull();
  });
});

describe('resolveRegion', () => {
  const known = [{ code: '26', name: 'Ставропольский край' }];
  test('a region column wins, by code or by name', () => {
    expect(value(resolveRegion({ columnValue: '26', key: 'uploads/07/x.csv', defaultRegion: null, known }))).toBe('26');
    expect(value(resolveRegion({ columnValue: 'ставропольский КРАЙ', key: 'x.csv', defaultRegion: null, known }))).toBe('26');
  });
  test('then the object key, then the default', () => {
    expect(value(resolveRegion({ columnValue: undefined, key: 'uploads/26/x.csv', defaultRegion: '07', known }))).toBe('26');
    expect(value(resolveRegion({ columnValue: undefined, key: 'uploads/x.csv', defaultRegion: '26', known }))).toBe('26');
  });
  test('none of them is an error', () => {
    expect(value(resolveRegion({ columnValue: undefined, key: 'uploads/x.csv', defaultRegion: null, known }))).toEqual({ fail: IssueCode.UnknownRegion });
    expect(value(resolveRegion({ columnValue: 'Марс', key: 'uploads/26/x.csv', defaultRegion: null, known }))).toEqual({ fail: IssueCode.UnknownRegion });
  });
});

describe('normalisers never throw', () => {
  const cell: fc.Arbitrary<CellValue> = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.date({ noInvalidDate: false }),
  );
  const normalisers: [string, (c: CellValue) => Result<unknown>][] = [
    ['parseCount', parseCount],
    ['parseYesNo', parseYesNo],
    ['parseInn', parseInn],
    ['parseKpp', parseKpp],
    ['parsePeriod', parsePeriod],
    ['municipality', matchMunicipality],
  ];
  test.each(normalisers)('%s returns a value or a typed failure on any cell', (_, f) => {
    fc.assert(
      fc.property(cell, (c) => {
        const r = f(c);
        if (!r.ok) expect(KNOWN_CODES.has(r.code)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
