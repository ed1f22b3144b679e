// Unit: the Yandex timer expression parser that fires the local runtime's cron triggers.
import { describe, expect, test } from 'vitest';
import { CronError, nextFire, parseCron } from '../../../infra/local/cron.ts';

const next = (expr: string, after: string) => nextFire(parseCron(expr), new Date(after))?.toISOString();

describe('parseCron and nextFire', () => {
  test('every minute fires at the next whole minute', () => {
    expect(next('* * * * ? *', '2023-03-13T07:00:30Z')).toBe('2023-03-13T07:01:00.000Z');
  });
  test('hourly and daily examples from the Yandex docs', () => {
    expect(next('0 * ? * * *', '2023-03-13T07:00:00Z')).toBe('2023-03-13T08:00:00.000Z');
    expect(next('15 10 ? * * *', '2023-03-13T10:15:00Z')).toBe('2023-03-14T10:15:00.000Z');
  });
  test('a weekday name: Monday 07:00 UTC', () => {
    expect(next('0 7 ? * MON *', '2023-03-08T12:00:00Z')).toBe('2023-03-13T07:00:00.000Z');
  });
  test('steps, ranges and lists', () => {
    expect(next('*/10 * * * ? *', '2023-03-13T07:01:00Z')).toBe('2023-03-13T07:10:00.000Z');
    expect(next('0 9-17/4 ? * MON-FRI *', '2023-03-11T00:00:00Z')).toBe('2023-03-13T09:00:00.000Z');
    expect(next('5,35 12 1 JAN,JUL ? *', '2023-01-01T12:06:00Z')).toBe('2023-01-01T12:35:00.000Z');
  });
  test('the optional year field bounds the schedule', () => {
    expect(next('0 0 1 1 ? 2024', '2023-06-01T00:00:00Z')).toBe('2024-01-01T00:00:00.000Z');
    expect(next('0 0 1 1 ? 2020', '2023-06-01T00:00:00Z')).toBeUndefined();
  });
  test('numeric day-of-week follows Quartz: 1 is Sunday', () => {
    expect(next('0 0 ? * 1 *', '2023-03-13T00:00:00Z')).toBe('2023-03-19T00:00:00.000Z');
  });
  test.each(['* * * * *', '* * * * * *', '* * ? * ? *', '61 * ? * * *', '0 0 ? * FUNDAY *', '* * * * ? * *'])('%j is refused', (expr) => {
    expect(() => parseCron(expr)).toThrow(CronError);
  });
});
