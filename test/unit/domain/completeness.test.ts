// Unit: a period's completeness against the region's reference, the reporting deadline and
// the labels an official reads.
import { describe, expect, test } from 'vitest';
import { deadlineMs, isJudged, periodCompleteness, ReportingDeadline, shortMunicipalityName } from '../../../shared/domain/completeness.ts';
import { buildReference } from '../../../shared/runtime/reference.ts';

const reference = buildReference().municipalities.get('26')!.municipalities;
const ids = reference.map((m) => m.id);

describe('periodCompleteness', () => {
  test('one municipality of 33 with school rows and no МОУО table: provisional, 1 reported, the other 32 missing', () => {
    // Act
    const c = periodCompleteness({ reference, schools: ['budennovsky', 'budennovsky'], municipalities: [], pastDeadline: false });
    // Assess
    expect(c.complete).toBe(false);
    expect(c.state).toBe('provisional');
    expect(c.schools).toEqual({ expected: 33, reported: 1, missing: ids.filter((id) => id !== 'budennovsky') });
    expect(c.municipalities).toEqual({ expected: 33, reported: 0, missing: ids });
    expect(c.label).toBe('предварительно: 1 из 33 МОУО; таблица МОУО: 0 из 33');
  });

  test('both kinds covering the reference, from any mix of files: complete, no label, whatever the deadline', () => {
    const c = periodCompleteness({ reference, schools: [...ids].reverse(), municipalities: ids, pastDeadline: true });
    expect(c).toEqual({ complete: true, state: 'complete', label: null, schools: { expected: 33, reported: 33, missing: [] }, municipalities: { expected: 33, reported: 33, missing: [] } });
  });

  test('after the deadline an incomplete week is closed as incomplete, naming the missing municipalities short', () => {
    const c = periodCompleteness({ reference, schools: ids.slice(2), municipalities: ids, pastDeadline: true });
    expect(c.state).toBe('incomplete');
    expect(c.schools.missing).toEqual(ids.slice(0, 2));
    expect(c.label).toBe('неполные данные: нет выгрузок Александровский МО, Андроповский МО');
  });

  test('the МОУО table missing some rows is named too; ids outside the reference do not count', () => {
    const c = periodCompleteness({ reference, schools: [...ids, 'elsewhere'], municipalities: ids.slice(1), pastDeadline: true });
    expect(c.schools.reported).toBe(33);
    expect(c.municipalities).toEqual({ expected: 33, reported: 32, missing: ['aleksandrovsky'] });
    expect(c.label).toBe('неполные данные: нет строк таблицы МОУО: Александровский МО');
    expect(periodCompleteness({ reference, schools: ids, municipalities: [], pastDeadline: true }).label).toBe('неполные данные: нет таблицы МОУО');
  });

  test('only a provisional week is not judged', () => {
    expect(['complete', 'provisional', 'incomplete'].map((state) => isJudged({ state: state as 'complete' }))).toEqual([true, false, true]);
  });
});

describe('the reporting deadline', () => {
  test('"wed 21:00" is the Wednesday after a Monday–Friday week, 21:00 UTC (midnight in Moscow)', () => {
    const d = ReportingDeadline.parse('wed 21:00');
    expect(new Date(deadlineMs({ start: '2023-04-10', end: '2023-04-14' }, d)).toISOString()).toBe('2023-04-19T21:00:00.000Z');
    // a week ending on a Wednesday waits for the next one, not for its own last day
    expect(new Date(deadlineMs({ start: '2023-02-20', end: '2023-02-22' }, d)).toISOString()).toBe('2023-03-01T21:00:00.000Z');
    expect(new Date(deadlineMs({ start: '2023-04-10', end: '2023-04-14' }, ReportingDeadline.parse(' MON 06:30 '))).toISOString()).toBe('2023-04-17T06:30:00.000Z');
  });

  test('a malformed setting is refused', () => {
    for (const bad of ['wednesday', 'wed 24:00', 'wed 9:00', '']) expect(ReportingDeadline.safeParse(bad).success, bad).toBe(false);
  });
});

test('short names as the ministry lists them', () => {
  expect(shortMunicipalityName('Александровский муниципальный округ')).toBe('Александровский МО');
  expect(shortMunicipalityName('город-курорт Кисловодск')).toBe('город-курорт Кисловодск');
  expect(shortMunicipalityName('Изобильненский городской округ')).toBe('Изобильненский ГО');
});
