// Unit: the report document — the KPI series the chart draws (KPI shares with data only,
// each with its regional target), the targets' standings (largest gap first, a
// municipality's own threshold setting its gap, missing exports counted as no data), and
// the subtitle in Moscow time.
import { describe, expect, test } from 'vitest';
import type { Evaluation } from '../../../shared/domain/evaluate.ts';
import { furthestFromTargets, reportSubtitle } from '../../../shared/domain/report.ts';
import { defaultTargets, parseTargets } from '../../../shared/domain/targets.ts';
import { seedDocument } from '../../support/seed-document.ts';

const P = { start: '2023-04-03', end: '2023-04-07' };

function evaluation(id: string, value: number | null, threshold = 0.35, inhibited = false): Evaluation {
  return {
    region: '26', period: P, scope: { level: 'municipality', id, name: `МО ${id}` },
    target: { id: 'teachers_chat_creators', metric: 'teachers_chat_creators_share', op: '>=', threshold, due: '2023-09-01' },
    status: 'pending', value, previous_value: null, projected: null, inhibited,
  };
}

describe('reportDocument', () => {
  test('the chart draws the KPI shares that have data, each with its regional target', () => {
    const doc = seedDocument();
    expect(doc.kpis.map((k) => [k.metric, k.target?.threshold])).toEqual([
      ['teachers_chat_creators_share', 0.35],
      ['teachers_msg3_share', 0.25],
      ['teachers_msg10_share', 0.35],
    ]);
    expect(doc.kpis[2]!.values[0]).toBeNull();
    expect(doc.weeks).toHaveLength(7);
  });
});

describe('furthestFromTargets', () => {
  test('largest gap first, ties by name; met, no data and missing exports counted apart', () => {
    const [s] = furthestFromTargets([evaluation('b', 0.1), evaluation('a', 0.1), evaluation('c', 0.3), evaluation('d', 0.4), evaluation('e', null), evaluation('f', 0.01, 0.35, true)], defaultTargets().config, '26', 2);
    expect(s!.furthest.map((g) => [g.id, g.gap])).toEqual([
      ['a', 0.35 - 0.1],
      ['b', 0.35 - 0.1],
    ]);
    expect([s!.missing, s!.met, s!.noData]).toEqual([3, 1, 2]);
    expect(s!.target.threshold).toBe(0.35);
  });

  test('a municipality\'s own threshold sets its gap; the standing states the region\'s', () => {
    const cfg = parseTargets({ ...defaultTargets().config, regions: { '26': { targets: { teachers_chat_creators: { threshold: 0.3 } }, municipalities: {} } } }).config;
    const [s] = furthestFromTargets([evaluation('a', 0.2, 0.3), evaluation('b', 0.15, 0.2)], cfg, '26');
    expect(s!.furthest.map((g) => [g.id, Number(g.gap.toFixed(6))])).toEqual([
      ['a', 0.1],
      ['b', 0.05],
    ]);
    expect(s!.target.threshold).toBe(0.3);
  });
});

describe('reportSubtitle', () => {
  test('names the region, the weeks and when it was made, in Moscow time', () => {
    expect(reportSubtitle('Ставропольский край', [P], new Date('2023-04-10T21:30:00Z'))).toBe('Ставропольский край · неделя 03.04-07.04.2023 · сформировано 11.04.2023 00:30 (МСК)');
    expect(reportSubtitle('Ставропольский край', [], new Date('2023-04-10T09:00:00Z'))).toBe('Ставропольский край · нет недель с данными · сформировано 10.04.2023 12:00 (МСК)');
  });
});
