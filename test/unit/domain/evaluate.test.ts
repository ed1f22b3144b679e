// Unit: target evaluation (pure): met / breach / at_risk / pending / no_data, the
// least-squares trend, and the seed's acceptance case for the chat-creator target.
import { describe, expect, test } from 'vitest';
import type { TargetRef } from '../../../shared/domain/events.ts';
import { dayNumber, evaluatePeriod, evaluateTarget, leastSquares } from '../../../shared/domain/evaluate.ts';
import { computeMetrics, toAggregateRows, type AggregateRow } from '../../../shared/domain/metrics.ts';
import type { Period } from '../../../shared/domain/schemas.ts';
import { defaultTargets, targetsFor } from '../../../shared/domain/targets.ts';
import { SEED, municipalityIds, seedMunicipalities, seedSchools } from '../../support/aggregate.ts';

const CHAT: TargetRef = { id: 'teachers_chat_creators', metric: 'teachers_chat_creators_share', op: '>=', threshold: 0.35, due: '2023-09-01' };
const REGION = { level: 'region' as const, id: '26', name: 'Ставропольский край' };
const P = (start: string, end: string): Period => ({ start, end });

describe('leastSquares', () => {
  test('recovers an exact line', () => {
    const line = leastSquares([0, 1, 2, 5].map((x) => ({ x, y: 2 * x + 1 })));
    expect(line!.slope).toBeCloseTo(2, 12);
    expect(line!.intercept).toBeCloseTo(1, 12);
  });

  test('fits the mean slope of noisy points', () => {
    // (0,0) (1,1) (2,1): x̄ = 1, ȳ = 2/3, Sxy = 1, Sxx = 2 → slope 0.5, intercept 1/6
    const line = leastSquares([{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 1 }]);
    expect(line!.slope).toBeCloseTo(0.5, 12);
    expect(line!.intercept).toBeCloseTo(1 / 6, 12);
  });

  test('is undefined for one point or a single x', () => {
    expect(leastSquares([{ x: 1, y: 1 }])).toBeNull();
    expect(leastSquares([{ x: 1, y: 1 }, { x: 1, y: 2 }])).toBeNull();
  });
});

describe('evaluateTarget', () => {
  const base = { region: '26', scope: REGION, target: CHAT, history: [], exportMissing: false };

  test('a value at the threshold is met, even after the due date', () => {
    expect(evaluateTarget({ ...base, period: P('2023-09-04', '2023-09-08'), value: 0.35 }).status).toBe('met');
  });

  test('a miss in a period ending on the due date is a breach', () => {
    expect(evaluateTarget({ ...base, period: P('2023-08-28', '2023-09-01'), value: 0.3 }).status).toBe('breach');
  });

  test('a miss in a period ending the day before the due date is not a breach', () => {
    expect(evaluateTarget({ ...base, period: P('2023-08-28', '2023-08-31'), value: 0.3 }).status).toBe('pending');
  });

  test('a missing value is no data, and a missing export is no data and inhibited', () => {
    expect(evaluateTarget({ ...base, period: P('2023-09-04', '2023-09-08'), value: null })).toMatchObject({ status: 'no_data', inhibited: false });
    expect(evaluateTarget({ ...base, period: P('2023-09-04', '2023-09-08'), value: 0.1, exportMissing: true })).toMatchObject({ status: 'no_data', inhibited: true });
  });

  test('an "=" target of 100 % is met at 1 and missed just below it', () => {
    const t: TargetRef = { id: 'schools_registered', metric: 'schools_in_sferum_share', op: '=', threshold: 1, due: '2022-12-31' };
    expect(evaluateTarget({ ...base, target: t, period: P('2023-03-06', '2023-03-10'), value: 626 / 626 }).status).toBe('met');
    expect(evaluateTarget({ ...base, target: t, period: P('2023-03-06', '2023-03-10'), value: 618 / 626 }).status).toBe('breach');
  });

  test('a rising trend that reaches the threshold by the due date is pending, not at risk', () => {
    // +0.05 a week from 0.20: well past 0.35 by September
    const history = [0.2, 0.25].map((value, i) => ({ period: P(`2023-03-0${1 + i * 7}`, `2023-03-0${1 + i * 7}`), value }));
    const r = evaluateTarget({ ...base, history, period: P('2023-03-15', '2023-03-15'), value: 0.3 });
    expect(r.status).toBe('pending');
    expect(r.projected!).toBeGreaterThan(0.35);
  });

  test('the trend skips periods without a value and needs three with one', () => {
    const history = [
      { period: P('2023-03-01', '2023-03-01'), value: 0.2 },
      { period: P('2023-03-08', '2023-03-08'), value: null },
    ];
    const r = evaluateTarget({ ...base, history, period: P('2023-03-15', '2023-03-15'), value: 0.2 });
    expect(r).toMatchObject({ status: 'pending', projected: null, previous_value: null });
  });
});

describe('evaluatePeriod on the seed periods', () => {
  const ids = municipalityIds(33);
  const { config } = defaultTargets();
  const rowsOf = (i: number, previous: AggregateRow[] | null) => {
    const c = SEED[i]!;
    const m = computeMetrics({
      region: '26',
      regionName: REGION.name,
      period: c.period,
      schools: seedSchools(c, ids),
      municipalities: seedMunicipalities(c, ids),
      reference: ids.map((id) => ({ id, name: id })),
    });
    return toAggregateRows(m, previous);
  };
  const evaluateUpTo = (n: number) => {
    const periods: AggregateRow[][] = [];
    for (let i = 0; i < n; i++) periods.push(rowsOf(i, periods.at(-1) ?? null));
    const current = periods.at(-1)!;
    return evaluatePeriod({
      current: current.filter((r) => r.scope.level === 'region'),
      history: periods.slice(0, -1).map((rows) => ({ period: rows[0]!.period, rows })),
      targetsFor: (s) => targetsFor(config, '26', s),
    });
  };
  const chat = (evs: ReturnType<typeof evaluateUpTo>) => evs.find((e) => e.target.id === 'teachers_chat_creators')!;

  test('20.02-22.02.2023: 3666 / 17 218 chat creators, below 35 % but no breach before 2023-09-01', () => {
    const e = chat(evaluateUpTo(1));
    expect(e.value).toBe(3666 / 17218);
    expect(e.status).toBe('pending');
  });

  test('with two periods there is no trend yet', () => {
    expect(chat(evaluateUpTo(2)).status).toBe('pending');
  });

  test('with three periods the trend cannot reach 35 % by the due date: at risk', () => {
    const e = chat(evaluateUpTo(3));
    // independent projection: the least-squares line through the three (end day, share) points
    const pts = SEED.slice(0, 3).map((c) => ({ x: dayNumber(c.period.end), y: c.chat / c.teachers }));
    const mx = pts.reduce((s, p) => s + p.x, 0) / 3;
    const my = pts.reduce((s, p) => s + p.y, 0) / 3;
    const slope = pts.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / pts.reduce((s, p) => s + (p.x - mx) ** 2, 0);
    const projected = my + slope * (dayNumber('2023-09-01') - mx);
    expect(e.status).toBe('at_risk');
    expect(e.projected!).toBeCloseTo(projected, 12);
    expect(projected).toBeLessThan(0.35);
    expect(e.previous_value).toBe(3682 / 16819);
  });

  test('the 2022 registration targets: schools breach, municipalities breach until 33 of 33 in 03.04-07.04', () => {
    const first = evaluateUpTo(1);
    const last = evaluateUpTo(7);
    expect(first.find((e) => e.target.id === 'schools_registered')!.status).toBe('breach');
    expect(first.find((e) => e.target.id === 'mouo_registered')!.status).toBe('breach');
    expect(last.find((e) => e.target.id === 'mouo_registered')!.status).toBe('met');
  });

  test('the seed has no calls column: that target is no data', () => {
    expect(evaluateUpTo(3).find((e) => e.target.id === 'teachers_calls')!.status).toBe('no_data');
  });
});
