// Unit: the metric catalog is the one list of metrics, and what reads it agrees with it:
// ids are unique and say their kind, shares carry the report's decimals, the seed's
// regional table is the catalog's seed headers in order, and targets only take shares.
import { describe, expect, test } from 'vitest';
import targetsJson from '../../../shared/domain/data/targets.json' with { type: 'json' };
import { ConfigError } from '../../../shared/domain/errors.ts';
import { MetricId } from '../../../shared/domain/schemas.ts';
import { METRIC_CATALOG, metricInfo } from '../../../shared/domain/metric-catalog.ts';
import { REGION_ONLY_METRICS, SHARE_METRICS } from '../../../shared/domain/metrics.ts';
import { METRIC_HEADERS_RU, REGIONAL_COLUMNS } from '../../../shared/domain/report.ts';
import { parseTargets } from '../../../shared/domain/targets.ts';

describe('metric catalog', () => {
  test('ids are unique, the zod enum is the catalog in order, and a share id ends in _share', () => {
    const ids = METRIC_CATALOG.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(MetricId.options).toEqual(ids);
    for (const m of METRIC_CATALOG) expect(m.id.endsWith('_share'), m.id).toBe(m.kind === 'share');
  });

  test('counts have no decimals, coverage shares 2, KPI shares 3; every entry has its texts', () => {
    for (const m of METRIC_CATALOG) {
      expect(m.decimals, m.id).toBe(m.kind === 'count' ? 0 : m.group === 'kpi' ? 3 : 2);
      for (const text of [m.header, m.label, m.phrase]) expect(text.trim().length, m.id).toBeGreaterThan(0);
    }
  });

  test('the region-only set, the share set and the municipal headers are read from it', () => {
    expect([...REGION_ONLY_METRICS]).toEqual(['mouo_total', 'mouo_in_sferum', 'mouo_inactive', 'mouo_in_sferum_share']);
    expect(SHARE_METRICS).toEqual(METRIC_CATALOG.filter((m) => m.kind === 'share').map((m) => m.id));
    expect(METRIC_HEADERS_RU.teachers_in_sferum).toBe(metricInfo('teachers_in_sferum').header);
  });

  test("the seed's regional table: 16 columns whose headers are the catalog's seed headers", () => {
    expect(REGIONAL_COLUMNS).toHaveLength(16);
    for (const c of REGIONAL_COLUMNS.slice(1)) {
      if (c.kind === 'period') throw new Error('only the first column is the period');
      expect(c.header).toBe(metricInfo(c.metric).seedHeader);
      if (c.kind === 'share') expect(c.decimals).toBe(metricInfo(c.metric).decimals);
    }
    expect(REGIONAL_COLUMNS.map((c) => c.header).slice(13)).toEqual([
      'Кол-во педагогов, создавших как минимум 1 чат в Сфере (с 01.09.2022)',
      'Кол-во педагогов, написавших минимум 3 сообщения в чаты за неделю',
      '% педагогов, написавших минимум 10 сообщений за неделю',
    ]);
  });

  test('a target on a count metric is rejected by name (thresholds are shares)', () => {
    const raw = structuredClone(targetsJson) as { defaults: { metric: string }[] };
    raw.defaults[2]!.metric = 'teachers_chat_creators';
    expect(() => parseTargets(raw)).toThrow(ConfigError);
    expect(() => parseTargets(raw)).toThrow(/defaults\[2\] "teachers_chat_creators"\.metric: a target is on a share metric/);
  });
});
