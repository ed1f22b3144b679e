// Unit: the arithmetic of the dashboard's charts and bars. A coverage axis is zoomed to the
// band its values and targets live in, on a round step, ticks evenly spaced; labels are
// moved apart so none collides and none leaves the plot; a coverage card's bar runs from a
// round value below the share to 100 %, so 98,72 % stops visibly short of a 100 % target.
import { describe, expect, test } from 'vitest';
import { barScale } from '../../../../web/dashboard/cards.ts';
import { evenTicks, spread, yRange } from '../../../../web/dashboard/chart.ts';
import { shortName } from '../../../../web/dashboard/format.ts';

describe('chart scales', () => {
  test('a coverage axis is zoomed: 76,8 %–100 % with 100 % targets spans 70–100 % by 5', () => {
    const y = yRange([0.768, 0.9872, 1, 1, 1], true);
    expect(y.lo).toBeCloseTo(0.7, 9);
    expect(y.step).toBeCloseTo(0.05, 9);
    expect(y.hi).toBeGreaterThan(1);
    expect(evenTicks(y.lo, y.hi, y.step)).toEqual([0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1]);
  });

  test('a KPI axis starts at 0 and ends on a round value above the highest target', () => {
    const y = yRange([0.22, 0.0036, 0.35, 0.25, 0.35, 0.3], false);
    expect([y.lo, y.hi, y.step]).toEqual([0, 0.4, 0.1]);
  });

  test('ticks are evenly spaced whatever the range', () => {
    for (const [lo, hi, step] of [
      [0.9, 1.005, 0.01],
      [0, 0.4, 0.1],
      [0.92, 1.0025, 0.005],
    ] as const) {
      const t = evenTicks(lo, hi, step);
      const gaps = new Set(t.slice(1).map((x, i) => Number((x - t[i]!).toFixed(6))));
      expect(gaps).toEqual(new Set([step]));
    }
  });

  test('labels at the same height are moved apart by the gap and kept inside the plot', () => {
    expect(spread([50, 50, 50], 0, 200, 14)).toEqual([50, 64, 78]);
    // 98,7 % and 100,0 % two pixels apart at the top edge
    const ys = spread([8, 6], 6, 300, 14);
    expect(Math.abs(ys[0]! - ys[1]!)).toBeGreaterThanOrEqual(14);
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(6);
    // pushed past the bottom, the run moves back up
    const low = spread([298, 299, 300], 0, 300, 14);
    expect(Math.max(...low)).toBeLessThanOrEqual(300);
    expect(low).toEqual([272, 286, 300]);
  });
});

describe('card bars', () => {
  test('a coverage bar runs 90–100 %, so 98,72 % ends 12,8 % short of a 100 % target', () => {
    expect(barScale('schools_in_sferum_share', 0.9872, 1)).toEqual({ lo: 0.9, hi: 1 });
    expect(barScale('students_in_sferum_share', 0.7681, 1)).toEqual({ lo: 0.7, hi: 1 });
  });

  test('a KPI bar runs from 0 to a round value above value and target', () => {
    expect(barScale('teachers_chat_creators_share', 0.22266, 0.35)).toEqual({ lo: 0, hi: 0.5 });
    expect(barScale('teachers_msg3_share', 0.0036, 0.25)).toEqual({ lo: 0, hi: 0.3 });
  });
});

describe('names in narrow columns', () => {
  test('«муниципальный округ» as «МО», other names as they are', () => {
    expect(shortName('Будённовский муниципальный округ')).toBe('Будённовский МО');
    expect(shortName('город-курорт Ессентуки')).toBe('город-курорт Ессентуки');
  });
});
