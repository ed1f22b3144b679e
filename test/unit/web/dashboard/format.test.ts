// Unit: the dashboard's Russian number formats.
import { describe, expect, test } from 'vitest';
import { formatCount, formatDate, formatDelta, formatPercent, formatPoints, NBSP } from '../../../../web/dashboard/format.ts';

const sp = (s: string) => s.replaceAll(' ', NBSP);

describe('dashboard formats', () => {
  test('counts are grouped by threes with a no-break space', () => {
    expect(formatCount(17218)).toBe(sp('17 218'));
    expect(formatCount(312014)).toBe(sp('312 014'));
    expect(formatCount(1234567)).toBe(sp('1 234 567'));
    expect(formatCount(999)).toBe('999');
    expect(formatCount(null)).toBe('—');
  });

  test('shares are percent with a decimal comma and a space before the sign', () => {
    expect(formatPercent(0.9701257)).toBe(sp('97,01 %'));
    expect(formatPercent(0.21292, 3)).toBe(sp('21,292 %'));
    expect(formatPercent(0.35, 0)).toBe(sp('35 %'));
    expect(formatPercent(12.5)).toBe(sp('1 250,00 %'));
    expect(formatPercent(null)).toBe('—');
  });

  test('deltas carry their sign; shares in percentage points', () => {
    expect(formatDelta(14, 'count')).toBe('+14');
    expect(formatDelta(-1200, 'count')).toBe(sp('−1 200'));
    expect(formatDelta(0.0012, 'share')).toBe(sp('+0,12 п.п.'));
    expect(formatDelta(0, 'share')).toBe('');
  });

  test('the distance to a target is unsigned percentage points', () => {
    expect(formatPoints(0.22266 - 0.35)).toBe(sp('12,73 п.п.'));
    expect(formatPoints(0.021)).toBe(sp('2,10 п.п.'));
  });

  test('dates are DD.MM.YYYY', () => {
    expect(formatDate('2023-03-10')).toBe('10.03.2023');
  });
});
