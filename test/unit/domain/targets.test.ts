// Unit: the targets file: defaults from the seed, validation messages that name the bad
// entry, region and municipality overrides, and the inconsistent-pair warning.
import { describe, expect, test } from 'vitest';
import targetsJson from '../../../shared/domain/data/targets.json' with { type: 'json' };
import { ConfigError } from '../../../shared/domain/errors.ts';
import { defaultTargets, parseTargets, targetsFor, targetWarnings } from '../../../shared/domain/targets.ts';

const clone = () => structuredClone(targetsJson) as unknown as { defaults: Record<string, unknown>[]; regions: Record<string, unknown> };

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('targets configuration', () => {
  test('the shipped file holds the contract six targets with their due dates', () => {
    const { config } = defaultTargets();
    expect(config.defaults.map((t) => [t.metric, t.op, t.threshold, t.due])).toEqual([
      ['schools_in_sferum_share', '=', 1, '2022-12-31'],
      ['mouo_in_sferum_share', '=', 1, '2022-12-31'],
      ['teachers_chat_creators_share', '>=', 0.35, '2023-09-01'],
      ['teachers_msg3_share', '>=', 0.25, '2023-09-01'],
      ['teachers_msg10_share', '>=', 0.35, '2023-09-01'],
      ['teachers_calls_share', '>=', 0.3, '2023-09-01'],
    ]);
  });

  test('the seed pair (≥10 messages 35 % above ≥3 messages 25 %) is warned about once', () => {
    const { warnings } = defaultTargets();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('teachers_msg10');
    expect(warnings[0]!.message).toContain('teachers_msg3');
  });

  test('a consistent pair raises no warning, and a municipality override that breaks it does', () => {
    const raw = clone();
    raw.defaults[4]!.threshold = 0.1;
    raw.regions['26'] = { targets: {}, municipalities: { budennovsky: { teachers_msg10: { threshold: 0.3 } } } };
    const { config, warnings } = parseTargets(raw);
    expect(warnings.map((w) => w.municipality_id)).toEqual(['budennovsky']);
    expect(targetWarnings(config)).toEqual(warnings);
  });

  test('a bad threshold is reported with the entry index and id', () => {
    const raw = clone();
    raw.defaults[3]!.threshold = 25;
    const e = errorOf(() => parseTargets(raw, { source: 'targets.json' }));
    expect(e.code).toBe('config.invalid');
    expect(e.message).toContain('defaults[3] "teachers_msg3".threshold');
  });

  test('an unknown metric and a non-date due are each named', () => {
    const raw = clone();
    raw.defaults[0]!.metric = 'teachers_share';
    raw.defaults[1]!.due = '2022-02-30';
    const e = errorOf(() => parseTargets(raw));
    expect(e.message).toContain('defaults[0] "schools_registered".metric');
    expect(e.message).toContain('defaults[1] "mouo_registered".due');
  });

  test('a duplicate target id is named with its entry', () => {
    const raw = clone();
    raw.defaults[5]!.id = 'teachers_msg3';
    expect(errorOf(() => parseTargets(raw)).message).toContain('defaults[5] "teachers_msg3".id: duplicate target id "teachers_msg3"');
  });

  test('an override of an unknown target or municipality is rejected by name', () => {
    const raw = clone();
    raw.regions['26'] = { targets: { teachers_chats: { threshold: 0.4 } }, municipalities: {} };
    expect(errorOf(() => parseTargets(raw)).message).toContain('regions.26.targets.teachers_chats: unknown target id');
    const raw2 = clone();
    raw2.regions['26'] = { targets: {}, municipalities: { atlantis: { teachers_msg3: { threshold: 0.2 } } } };
    const known = new Map([['26', new Set(['budennovsky'])]]);
    expect(errorOf(() => parseTargets(raw2, { known })).message).toContain('unknown municipality id "atlantis"');
  });

  test('region and municipality overrides apply in that order; mouo targets apply to the region only', () => {
    const raw = clone();
    raw.regions['26'] = {
      targets: { teachers_chat_creators: { threshold: 0.3 } },
      municipalities: { budennovsky: { teachers_chat_creators: { due: '2024-01-01' }, teachers_calls: { disabled: true } } },
    };
    const { config } = parseTargets(raw);
    const region = targetsFor(config, '26', { level: 'region', id: '26' });
    const bud = targetsFor(config, '26', { level: 'municipality', id: 'budennovsky' });
    const other = targetsFor(config, '26', { level: 'municipality', id: 'arzgirsky' });
    expect(region.map((t) => t.id)).toContain('mouo_registered');
    expect(bud.map((t) => t.id)).not.toContain('mouo_registered');
    expect(region.find((t) => t.id === 'teachers_chat_creators')).toMatchObject({ threshold: 0.3, due: '2023-09-01' });
    expect(bud.find((t) => t.id === 'teachers_chat_creators')).toMatchObject({ threshold: 0.3, due: '2024-01-01' });
    expect(bud.map((t) => t.id)).not.toContain('teachers_calls');
    expect(other.map((t) => t.id)).toContain('teachers_calls');
    expect(targetsFor(config, '27', { level: 'region', id: '27' }).find((t) => t.id === 'teachers_chat_creators')!.threshold).toBe(0.35);
  });
});
