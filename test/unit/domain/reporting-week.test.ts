// Unit: the reporting week a scheduled check is about, from an injected "now".
import { describe, expect, test } from 'vitest';
import { overlaps, schoolWeek } from '../../../shared/domain/reporting-week.ts';

describe('schoolWeek', () => {
  test('a Monday morning check about the previous week gets Monday to Friday of that week', () => {
    expect(schoolWeek(Date.parse('2023-03-13T07:00:00Z'), 'previous')).toEqual({ start: '2023-03-06', end: '2023-03-10' });
  });

  test('a Sunday belongs to the week that started the Monday before', () => {
    expect(schoolWeek(Date.parse('2023-03-12T23:59:59Z'), 'current')).toEqual({ start: '2023-03-06', end: '2023-03-10' });
    expect(schoolWeek(Date.parse('2023-03-12T23:59:59Z'), 'previous')).toEqual({ start: '2023-02-27', end: '2023-03-03' });
  });

  test('weeks cross month and year boundaries', () => {
    expect(schoolWeek(Date.parse('2023-01-02T10:00:00Z'), 'previous')).toEqual({ start: '2022-12-26', end: '2022-12-30' });
  });
});

describe('overlaps', () => {
  test('the seed irregular period 23.02-03.03 overlaps the week of 27.02', () => {
    expect(overlaps({ start: '2023-02-23', end: '2023-03-03' }, { start: '2023-02-27', end: '2023-03-03' })).toBe(true);
    expect(overlaps({ start: '2023-02-20', end: '2023-02-22' }, { start: '2023-02-27', end: '2023-03-03' })).toBe(false);
  });
});
