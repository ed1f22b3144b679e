// Unit: the Yandex timer expression parser and `next`, which fire the local runtime's cron
// triggers (fields Minutes Hours Day-of-month Month Day-of-week [Year], UTC, Quartz weekdays).
import { describe, expect, test } from 'vitest';
import { CronError, parseCron } from '../../../../infra/local/cron.ts';

const next = (expr: string, after: string) => parseCron(expr).next(new Date(after))?.toISOString() ?? null;
const series = (expr: string, after: string, n: number) => {
  const c = parseCron(expr);
  const out: string[] = [];
  let t: Date | null = new Date(after);
  for (let i = 0; i < n && t; i++) {
    t = c.next(t);
    if (t) out.push(t.toISOString().slice(0, 16));
  }
  return out;
};

describe('parseCron: the examples of the Yandex docs', () => {
  test('every minute fires at the next whole minute, strictly after', () => {
    expect(next('* * * * ? *', '2023-03-13T07:00:30Z')).toBe('2023-03-13T07:01:00.000Z');
    expect(next('* * * * ? *', '2023-03-13T07:00:00Z')).toBe('2023-03-13T07:01:00.000Z');
  });
  test('hourly: 0 * ? * * *', () => {
    expect(series('0 * ? * * *', '2023-03-13T07:00:00Z', 2)).toEqual(['2023-03-13T08:00', '2023-03-13T09:00']);
  });
  test('daily at 10:15: 15 10 ? * * *', () => {
    expect(next('15 10 ? * * *', '2023-03-13T10:15:00Z')).toBe('2023-03-14T10:15:00.000Z');
  });
  test('the project timers: Monday 07:00 and Friday 12:00 UTC', () => {
    expect(next('0 7 ? * MON *', '2023-03-08T12:00:00Z')).toBe('2023-03-13T07:00:00.000Z');
    expect(next('0 12 ? * FRI *', '2023-03-10T12:00:00Z')).toBe('2023-03-17T12:00:00.000Z');
  });
});

describe('parseCron: lists, ranges, steps and names', () => {
  test('a step from * and from a start value', () => {
    expect(series('*/10 * * * ? *', '2023-03-13T07:01:00Z', 3)).toEqual(['2023-03-13T07:10', '2023-03-13T07:20', '2023-03-13T07:30']);
    expect(series('5/20 * * * ? *', '2023-03-13T07:00:00Z', 4)).toEqual(['2023-03-13T07:05', '2023-03-13T07:25', '2023-03-13T07:45', '2023-03-13T08:05']);
  });
  test('a stepped range of hours on weekdays (MON-FRI)', () => {
    // Saturday 2023-03-11 → Monday 09:00, then 13:00, 17:00, then Tuesday 09:00
    expect(series('0 9-17/4 ? * MON-FRI *', '2023-03-11T00:00:00Z', 4)).toEqual(['2023-03-13T09:00', '2023-03-13T13:00', '2023-03-13T17:00', '2023-03-14T09:00']);
  });
  test('lists of minutes and month names', () => {
    expect(series('5,35 12 1 JAN,JUL ? *', '2023-01-01T12:06:00Z', 3)).toEqual(['2023-01-01T12:35', '2023-07-01T12:05', '2023-07-01T12:35']);
  });
  test('names are case-insensitive', () => {
    expect(next('0 0 ? jan sun *', '2023-01-01T00:00:00Z')).toBe('2023-01-08T00:00:00.000Z');
  });
  test('numeric day-of-week follows Quartz: 1 is Sunday, 7 is Saturday', () => {
    expect(next('0 0 ? * 1 *', '2023-03-13T00:00:00Z')).toBe('2023-03-19T00:00:00.000Z');
    expect(next('0 0 ? * 7 *', '2023-03-13T00:00:00Z')).toBe('2023-03-18T00:00:00.000Z');
    expect(next('0 0 ? * 2-6 *', '2023-03-18T00:00:00Z')).toBe('2023-03-20T00:00:00.000Z');
  });
  test('a day of month skips months too short for it', () => {
    expect(series('0 0 31 * ? *', '2023-01-31T00:00:00Z', 2)).toEqual(['2023-03-31T00:00', '2023-05-31T00:00']);
    expect(next('0 0 29 2 ? *', '2023-03-01T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
  });
});

describe('parseCron: ? and the year field', () => {
  test('? may be in day-of-month or in day-of-week', () => {
    expect(next('0 0 15 * ? *', '2023-03-01T00:00:00Z')).toBe('2023-03-15T00:00:00.000Z');
    expect(next('0 0 ? * WED *', '2023-03-01T00:00:00Z')).toBe('2023-03-08T00:00:00.000Z');
  });
  test('the year field bounds the schedule; an exhausted schedule has no next', () => {
    expect(next('0 0 1 1 ? 2024', '2023-06-01T00:00:00Z')).toBe('2024-01-01T00:00:00.000Z');
    expect(next('0 0 1 1 ? 2020', '2023-06-01T00:00:00Z')).toBeNull();
    expect(series('0 0 1 1 ? 2024-2026/2', '2023-06-01T00:00:00Z', 3)).toEqual(['2024-01-01T00:00', '2026-01-01T00:00']);
  });
  test('the year may be left out (5 fields)', () => {
    expect(next('30 6 ? * MON', '2023-03-13T06:30:00Z')).toBe('2023-03-20T06:30:00.000Z');
  });
  test('a schedule that can never fire has no next', () => {
    expect(next('0 0 30 2 ? *', '2023-01-01T00:00:00Z')).toBeNull();
  });
});

describe('parseCron: L, W and #', () => {
  test('L is the last day of the month; L-2 two days before it', () => {
    expect(series('0 0 L * ? *', '2024-01-31T00:00:00Z', 2)).toEqual(['2024-02-29T00:00', '2024-03-31T00:00']);
    expect(next('0 0 L-2 * ? *', '2023-02-01T00:00:00Z')).toBe('2023-02-26T00:00:00.000Z');
  });
  test('15W is the weekday nearest the 15th; LW the last weekday', () => {
    // 2023-04-15 is a Saturday → Friday the 14th; 2023-04-30 is a Sunday → Friday the 28th
    expect(next('0 0 15W * ? *', '2023-04-01T00:00:00Z')).toBe('2023-04-14T00:00:00.000Z');
    expect(next('0 0 LW * ? *', '2023-04-01T00:00:00Z')).toBe('2023-04-28T00:00:00.000Z');
  });
  test('FRI#2 is the second Friday; 6L the last Friday', () => {
    expect(next('0 0 ? * FRI#2 *', '2023-03-01T00:00:00Z')).toBe('2023-03-10T00:00:00.000Z');
    expect(next('0 0 ? * 6L *', '2023-03-01T00:00:00Z')).toBe('2023-03-31T00:00:00.000Z');
  });
});

describe('parseCron: matches and between', () => {
  test('matches compares in UTC to the minute', () => {
    const c = parseCron('0 7 ? * MON *');
    expect(c.matches(new Date('2026-11-23T07:00:00Z'))).toBe(true);
    expect(c.matches(new Date('2026-11-23T07:01:00Z'))).toBe(false);
    expect(c.matches(new Date('2026-11-24T07:00:00Z'))).toBe(false);
  });
  test('between lists every firing in (after, until]', () => {
    const at = [...parseCron('*/10 * * * ? *').between(new Date('2026-11-23T07:00:00Z'), new Date('2026-11-23T07:30:00Z'))].map((d) => d.toISOString().slice(11, 16));
    expect(at).toEqual(['07:10', '07:20', '07:30']);
  });
});

describe('parseCron: refusals', () => {
  test.each([
    ['* * * * *', 'no ?'],
    ['* * * * * *', 'no ?'],
    ['* * ? * ? *', '? twice'],
    ['61 * ? * * *', 'minute out of range'],
    ['0 24 ? * * *', 'hour out of range'],
    ['0 0 ? 13 * *', 'month out of range'],
    ['0 0 ? * FUNDAY *', 'unknown day name'],
    ['0 0 ? * 8 *', 'weekday 8'],
    ['0 0 1 1 ? 2100', 'year past 2099'],
    ['* * * * ? * *', '7 fields'],
    ['*/0 * ? * * *', 'zero step'],
    ['10-5 * ? * * *', 'empty range'],
    ['', 'empty'],
  ])('%j is refused (%s)', (expr) => {
    expect(() => parseCron(expr)).toThrow(CronError);
  });
});
