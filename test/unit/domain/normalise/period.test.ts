// Unit: reporting periods in a cell and in a file name or object key: every format of the
// contract, the year rule of `dd.mm-dd.mm.yyyy`, impossible dates, and round-trips of any
// valid period through every format.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IssueCode } from '../../../../shared/domain/errors.ts';
import { fallbackPeriod, parseDay, parsePeriod, periodFromName, periodInText, periodOfDays } from '../../../../shared/domain/normalise/period.ts';
import type { CellValue } from '../../../../shared/domain/cell.ts';
import { Period } from '../../../../shared/domain/schemas.ts';
import { assertTotal, outcome, textOf } from './cells.ts';

const DAY_MS = 86_400_000;
const iso = (d: Date) => d.toISOString().slice(0, 10);
const two = (n: number) => String(n).padStart(2, '0');
const dm = (d: Date) => `${two(d.getUTCDate())}.${two(d.getUTCMonth() + 1)}`;

/** Any plausible period (at most 31 days) ending in 2001-2099, as UTC dates. */
const anyPeriod = fc
  .tuple(fc.integer({ min: Date.UTC(2001, 0, 1) / DAY_MS, max: Date.UTC(2099, 11, 31) / DAY_MS }), fc.integer({ min: 0, max: 30 }))
  .map(([endDay, length]) => ({ start: new Date((endDay - length) * DAY_MS), end: new Date(endDay * DAY_MS) }));

/** The contract's formats, written from the two dates. */
const FORMATS: readonly [string, (p: { start: Date; end: Date }) => string][] = [
  ['dd.mm-dd.mm.yyyy', (p) => `${dm(p.start)}-${dm(p.end)}.${p.end.getUTCFullYear()}`],
  ['dd.mm.yyyy-dd.mm.yyyy', (p) => `${dm(p.start)}.${p.start.getUTCFullYear()}-${dm(p.end)}.${p.end.getUTCFullYear()}`],
  ['yyyy-mm-dd/yyyy-mm-dd', (p) => `${iso(p.start)}/${iso(p.end)}`],
  ['yyyy-mm-dd_yyyy-mm-dd', (p) => `${iso(p.start)}_${iso(p.end)}`],
  ['yyyy-mm-dd..yyyy-mm-dd', (p) => `${iso(p.start)}..${iso(p.end)}`],
];

describe('parsePeriod', () => {
  test.each([
    ['06.03-10.03.2023', '2023-03-06', '2023-03-10'],
    ['6.3-10.3.2023', '2023-03-06', '2023-03-10'],
    ['20.02-22.02.2023', '2023-02-20', '2023-02-22'],
    ['23.02-03.03.2023', '2023-02-23', '2023-03-03'],
    ['20.02 – 22.02.2023', '2023-02-20', '2023-02-22'],
    ['23.02—03.03.2023', '2023-02-23', '2023-03-03'],
    ['06.03 - 10.03.2023', '2023-03-06', '2023-03-10'],
    ['06.03-06.03.2023', '2023-03-06', '2023-03-06'],
    ['06.03.2023-10.03.2023', '2023-03-06', '2023-03-10'],
    ['27.12.2022 — 06.01.2023', '2022-12-27', '2023-01-06'],
    ['с 06.03.2023 по 10.03.2023', '2023-03-06', '2023-03-10'],
    ['06.03-10.03.2023 г.', '2023-03-06', '2023-03-10'],
    ['2023-03-06/2023-03-10', '2023-03-06', '2023-03-10'],
    ['2023-03-06_2023-03-10', '2023-03-06', '2023-03-10'],
    ['2023-03-06..2023-03-10', '2023-03-06', '2023-03-10'],
    ['2023-03-06 – 2023-03-10', '2023-03-06', '2023-03-10'],
    ['2023-03-06 / 2023-03-10', '2023-03-06', '2023-03-10'],
    ['  06.03-10.03.2023\u00a0', '2023-03-06', '2023-03-10'],
  ])('%j is %s..%s', (raw, start, end) => {
    // Act
    const r = parsePeriod(raw);
    // Assess
    expect(outcome(r)).toEqual({ start, end });
  });

  test('in dd.mm-dd.mm.yyyy a start month after the end month puts the start in the previous year', () => {
    expect(outcome(parsePeriod('26.12-06.01.2023'))).toEqual({ start: '2022-12-26', end: '2023-01-06' });
  });

  test('29 February exists only in leap years', () => {
    expect(outcome(parsePeriod('29.02-03.03.2024'))).toEqual({ start: '2024-02-29', end: '2024-03-03' });
    expect(outcome(parsePeriod('29.02-03.03.2023'))).toEqual({ fail: IssueCode.BadPeriod });
  });

  test.each([
    ['31.02-03.03.2023', 'impossible day'],
    ['00.03-06.03.2023', 'day 0'],
    ['06.13-10.13.2023', 'month 13'],
    ['31.04.2023-02.05.2023', '31 April'],
    ['2023-02-30/2023-03-03', 'impossible ISO day'],
    ['10.03-06.03.2023', 'start after end'],
    ['10.03.2023-06.03.2023', 'start after end'],
    ['2023-03-10/2023-03-06', 'start after end'],
    ['06.03-10.03.1999', 'year outside 2000-2100'],
  ])('%j is a row error (%s)', (raw) => {
    const r = parsePeriod(raw);
    expect(r).toMatchObject({ ok: false, code: IssueCode.BadPeriod });
    expect(r.ok ? '' : r.message).toContain(raw);
  });

  test.each([['неделя 10'], ['06.03-10.03.2023abc'], ['06/03-10/03/2023'], ['2023-3-6/2023-3-10'], ['06.03-10.03.23'], ['06.03-10.03-2023']])(
    '%j is not a period',
    (raw) => {
      expect(outcome(parsePeriod(raw))).toEqual({ fail: IssueCode.BadPeriod });
    },
  );

  test.each([[20230306], [44991.5], [true]])('a %j cell is not a period', (raw) => {
    expect(outcome(parsePeriod(raw as CellValue))).toEqual({ fail: IssueCode.BadPeriod });
  });

  test.each([[new Date(Date.UTC(2023, 2, 6))], [new Date(Date.UTC(2023, 2, 9))], [44991], [44993], ['06.03.2023'], ['2023-03-09']])(
    'one date, %j, is never a period: a single-date error naming it, no week guessed',
    (raw) => {
      const r = parsePeriod(raw);
      expect(outcome(r)).toEqual({ fail: IssueCode.PeriodSingleDate });
      expect(!r.ok && r.message).toMatch(/одна дата \(0[689]\.03\.2023\)/u);
    },
  );

  test.each([
    [new Date(Date.UTC(2023, 1, 23)), '2023-02-23'],
    [44980, '2023-02-23'],
    ['23.02.2023', '2023-02-23'],
    ['с 23.02.2023', '2023-02-23'],
    ['2023-03-03', '2023-03-03'],
    [null, null],
    ['  ', null],
  ])('parseDay(%j) is %j', (raw, day) => {
    expect(parseDay(raw)).toEqual({ ok: true, value: day });
  });

  test.each([['31.02.2023'], ['завтра'], [true], [5]])('parseDay(%j) is a bad period', (raw) => {
    expect(parseDay(raw)).toMatchObject({ ok: false, code: IssueCode.BadPeriod });
  });

  test('two ends make a period; an end before the start or a span over 31 days does not', () => {
    expect(periodOfDays('2023-02-23', '2023-03-03')).toEqual({ ok: true, value: { start: '2023-02-23', end: '2023-03-03' } });
    expect(periodOfDays('2023-03-03', '2023-02-23')).toMatchObject({ ok: false, code: IssueCode.BadPeriod });
    expect(periodOfDays('2023-01-01', '2023-03-03')).toMatchObject({ ok: false, code: IssueCode.BadPeriod });
  });

  test.each([[''], ['  '], [null]])('%j is a missing value', (raw) => {
    expect(outcome(parsePeriod(raw))).toEqual({ fail: IssueCode.MissingValue });
  });

  test.each(FORMATS)('any valid period round-trips through %s', (_, write) => {
    fc.assert(
      fc.property(anyPeriod, (p) => {
        expect(outcome(parsePeriod(write(p)))).toEqual({ start: iso(p.start), end: iso(p.end) });
      }),
    );
  });

  test('never throws on any cell and fails only with a known code', () => {
    assertTotal(parsePeriod);
    assertTotal(parsePeriod, textOf(['0', '1', '2', '3', '9', '.', '-', '–', '/', '_', ' ', 'с', 'по', 'г']));
  });
});

describe('periodFromName', () => {
  test.each([
    ['uploads/26/ОО_06.03-10.03.2023.csv', '2023-03-06', '2023-03-10'],
    ['schools_2023-03-06_2023-03-10.xlsx', '2023-03-06', '2023-03-10'],
    ['uploads/26/МОУО 06.03.2023-10.03.2023.xlsx', '2023-03-06', '2023-03-10'],
    ['uploads/26/2023-03-06..2023-03-10/schools.csv', '2023-03-06', '2023-03-10'],
    ['uploads/26/ОО_26.12-06.01.2023.csv', '2022-12-26', '2023-01-06'],
  ])('%j carries %s..%s', (name, start, end) => {
    expect(periodFromName(name)).toEqual({ start, end });
  });

  test('the file name wins over a folder', () => {
    expect(periodFromName('uploads/26/2023-03-06_2023-03-10/ОО_13.03-17.03.2023.csv')).toEqual({ start: '2023-03-13', end: '2023-03-17' });
  });

  test.each([['uploads/26/schools.csv'], ['uploads/26/ОО_31.02-03.03.2023.csv'], ['uploads/26/x106.03-10.03.20234.csv'], ['']])('%j carries none', (name) => {
    expect(periodFromName(name)).toBeNull();
  });

  test('a period is found between any letters, underscores and folders', () => {
    const word = textOf(['a', 'О', '_', ' ', '/']);
    fc.assert(
      fc.property(anyPeriod, fc.constantFrom(...FORMATS), word, word, (p, [, write], before, after) => {
        expect(periodFromName(`${before}_${write(p)}_${after}.csv`)).toEqual({ start: iso(p.start), end: iso(p.end) });
      }),
    );
  });

  test('never throws on any name, and what it finds is a valid period', () => {
    const names = fc.oneof(fc.string({ unit: 'binary' }), textOf(['0', '1', '2', '3', '.', '-', '_', '/', 'a'], 40));
    fc.assert(
      fc.property(names, (s) => {
        const p = periodFromName(s);
        return p === null || Period.safeParse(p).success;
      }),
    );
  });
});

describe('implausible periods', () => {
  test('a period longer than 31 days is an error naming the value', () => {
    const r = parsePeriod('01.01.2023-15.02.2023');
    expect(r).toMatchObject({ ok: false, code: IssueCode.BadPeriod });
    expect(!r.ok && r.message).toContain('"01.01.2023-15.02.2023" spans 46 days');
    expect(parsePeriod('01.03-31.03.2023')).toEqual({ ok: true, value: { start: '2023-03-01', end: '2023-03-31' } });
  });

  test('a dd.mm-dd.mm.yyyy year rollover that makes the period months long is an error, not eleven months', () => {
    const r = parsePeriod('10.04-06.03.2023');
    expect(r).toMatchObject({ ok: false, code: IssueCode.BadPeriod });
    expect(!r.ok && r.message).toContain('"10.04-06.03.2023" spans 331 days');
    expect(!r.ok && r.message).toContain('start in 2022');
    expect(parsePeriod('26.12-06.01.2023')).toEqual({ ok: true, value: { start: '2022-12-26', end: '2023-01-06' } });
  });

  test('names never yield an implausible period', () => {
    expect(periodFromName('uploads/26/ОО_10.04-06.03.2023.csv')).toBeNull();
  });
});

describe('the period of a title line', () => {
  test.each([
    ['Период: 20.02.2023 – 22.02.2023'],
    ['Активность ОО за период с 20.02.2023 по 22.02.2023'],
    ['Неделя 20.02-22.02.2023'],
    ['Отчёт (2023-02-20/2023-02-22)'],
  ])('%s', (line) => {
    expect(periodInText(line)).toEqual({ start: '2023-02-20', end: '2023-02-22' });
  });

  test('precedence: title line, file name, object key, metadata', () => {
    const title = ['Активность', 'Период: 20.02.2023 – 22.02.2023'];
    const named = 'uploads/26/2023-03-13_2023-03-17/ОО_06.03-10.03.2023.csv';
    const folder = 'uploads/26/2023-03-13_2023-03-17/ОО.csv';
    expect(fallbackPeriod({ titleLines: title, key: named, metadata: '2023-04-03/2023-04-07' })).toEqual({ period: { start: '2023-02-20', end: '2023-02-22' }, source: 'title', line: 1 });
    expect(fallbackPeriod({ titleLines: ['Активность'], key: named, metadata: undefined })).toEqual({ period: { start: '2023-03-06', end: '2023-03-10' }, source: 'file_name' });
    expect(fallbackPeriod({ titleLines: [], key: folder, metadata: '2023-04-03/2023-04-07' })).toEqual({ period: { start: '2023-03-13', end: '2023-03-17' }, source: 'object_key' });
    expect(fallbackPeriod({ titleLines: [], key: 'uploads/26/ОО.csv', metadata: '2023-04-03/2023-04-07' })).toEqual({ period: { start: '2023-04-03', end: '2023-04-07' }, source: 'metadata' });
    expect(fallbackPeriod({ titleLines: [], key: 'uploads/26/ОО.csv', metadata: undefined })).toBeNull();
  });
});
