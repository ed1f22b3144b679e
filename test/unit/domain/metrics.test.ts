// Unit: the contract's metrics from snapshot rows (pure): counts, shares, null rules,
// data-quality warnings, missing exports, deltas, and the region = Σ municipalities property.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  COUNT_METRICS,
  computeMetrics,
  metricDeltas,
  aggregateNotes,
  parseAggregateNotes,
  REGION_ONLY_METRICS,
  SHARE_METRICS,
  UNBOUNDED_SHARES,
  emptyMetricValues,
} from '../../../shared/domain/metrics.ts';
import { MetricId, type MunicipalityRow, type SchoolRow } from '../../../shared/domain/schemas.ts';
import { SEED, municipalityIds, seedMunicipalities, seedSchools } from '../../support/aggregate.ts';
import { municipalityRow, P1, schoolRow } from '../../support/builders.ts';

const REF = [
  { id: 'a', name: 'Александровский муниципальный округ' },
  { id: 'b', name: 'Будённовский муниципальный округ' },
  { id: 'c', name: 'Георгиевский городской округ' },
];

function school(over: Partial<SchoolRow> = {}): SchoolRow {
  const inn = over.school_inn ?? '2600000001';
  return schoolRow({
    municipality_id: 'a',
    school_key: inn,
    school_inn: inn,
    teachers_total: 10,
    teachers_in_sferum: 8,
    students_total: 100,
    students_in_sferum: 70,
    teachers_chat_creators: 3,
    ...over,
  });
}

const run = (schools: SchoolRow[], municipalities: MunicipalityRow[] = []) =>
  computeMetrics({ region: '26', regionName: 'Ставропольский край', period: P1, schools, municipalities, reference: REF });

describe('shares over all schools, with data coverage (hand-computed table)', () => {
  // Prepare: five schools, two municipalities; a dash already parsed to 0 (s2's calls).
  //   school  mun  teachers  msg3   calls  chat
  //   s1      a        40      10      4     3
  //   s2      a        60    null      0     3
  //   s3      a       100       5   null     3
  //   s4      b        50    null   null     3
  //   s5      b      null       7      3     3     (no total: its counts have nothing to divide)
  //   region: Σ teachers = 250; msg3 15/250 (coverage 140/250); calls 4/250 (coverage 100/250)
  //   a:      Σ teachers = 200; msg3 15/200 (coverage 140/200); calls 4/200 (coverage 100/200)
  //   b:      Σ teachers =  50; msg3 and calls: no school with both → null, coverage null
  const rows = [
    school({ school_inn: '2600000001', teachers_total: 40, teachers_msg3: 10, teachers_calls: 4 }),
    school({ school_inn: '2600000002', teachers_total: 60, teachers_msg3: null, teachers_calls: 0 }),
    school({ school_inn: '2600000003', teachers_total: 100, teachers_msg3: 5, teachers_calls: null }),
    school({ school_inn: '2600000004', municipality_id: 'b', teachers_total: 50, teachers_msg3: null, teachers_calls: null }),
    school({ school_inn: '2600000005', municipality_id: 'b', teachers_total: null, teachers_msg3: 7, teachers_calls: 3 }),
  ].map((r) => ({ ...r, teachers_chat_creators: 3 }));
  const m = run(rows);
  const a = m.municipalities.find((x) => x.scope.id === 'a')!;
  const b = m.municipalities.find((x) => x.scope.id === 'b')!;
  const c = m.municipalities.find((x) => x.scope.id === 'c')!;

  test('a missing count adds nothing to the numerator and its school stays in the denominator', () => {
    expect(m.region_scope.values.teachers_msg3_share).toBe(15 / 250);
    expect(m.region_scope.values.teachers_calls_share).toBe(4 / 250);
    expect(a.values.teachers_msg3_share).toBe(15 / 200);
    expect(a.values.teachers_calls_share).toBe(4 / 200);
    // the rule this replaces divided by the reporting schools' teachers only: 15 / 140
    expect(m.region_scope.values.teachers_msg3_share).not.toBe(15 / 140);
  });

  test('data_coverage is the fraction of the denominator from schools that reported the count', () => {
    expect(m.region_scope.data_coverage).toMatchObject({ teachers_msg3_share: 140 / 250, teachers_calls_share: 100 / 250, teachers_chat_creators_share: 1 });
    expect(a.data_coverage).toMatchObject({ teachers_msg3_share: 140 / 200, teachers_calls_share: 100 / 200, teachers_chat_creators_share: 1 });
    expect(b.data_coverage).toMatchObject({ teachers_msg3_share: null, teachers_calls_share: null });
    expect(b.values.teachers_msg3_share).toBeNull();
  });

  test('every share metric of a scope has one coverage entry; region-only shares only on the region', () => {
    const regionShares = SHARE_METRICS;
    expect(Object.keys(m.region_scope.data_coverage).sort()).toEqual([...regionShares].sort());
    expect(Object.keys(c.data_coverage).sort()).toEqual(regionShares.filter((x) => !REGION_ONLY_METRICS.has(x)).sort());
    expect(Object.values(c.data_coverage).every((x) => x === null)).toBe(true);
    expect(m.region_scope.data_coverage.schools_in_sferum_share).toBe(1);
  });

  test('the seed reproduces with full coverage: 3666 / 17 218', () => {
    const ids = municipalityIds(33);
    const seed = SEED[0]!;
    const r = computeMetrics({ region: '26', regionName: 'Ставропольский край', period: seed.period, schools: seedSchools(seed, ids), municipalities: seedMunicipalities(seed, ids), reference: ids.map((id) => ({ id, name: id })) });
    expect(r.region_scope.values.teachers_chat_creators_share).toBe(3666 / 17218);
    expect(r.region_scope.data_coverage.teachers_chat_creators_share).toBe(1);
  });
});

describe('stored notes (missing_json)', () => {
  test('missing and data_coverage round-trip through one JSON document', () => {
    const notes = { missing: { teachers_calls: 2 }, data_coverage: { teachers_calls_share: 0.5, teachers_msg3_share: null } };
    expect(parseAggregateNotes(JSON.parse(JSON.stringify(aggregateNotes(notes))))).toEqual(notes);
  });

  test('a row stored before data_coverage existed reads back with its missing counts and no coverage', () => {
    expect(parseAggregateNotes({ teachers_calls: 2 })).toEqual({ missing: { teachers_calls: 2 }, data_coverage: {} });
  });
});

describe('computeMetrics', () => {
  test('reproduces the seed counts and the 3666 / 17 218 chat-creator share of 20.02-22.02.2023', () => {
    // Prepare
    const ids = municipalityIds(33);
    const c = SEED[0]!;
    // Act
    const m = computeMetrics({
      region: '26',
      regionName: 'Ставропольский край',
      period: c.period,
      schools: seedSchools(c, ids),
      municipalities: seedMunicipalities(c, ids),
      reference: ids.map((id) => ({ id, name: id })),
    });
    // Assess
    const v = m.region_scope.values;
    expect([v.schools_total, v.schools_in_sferum, v.schools_inactive]).toEqual([636, 617, 50]);
    expect([v.teachers_total, v.teachers_in_sferum, v.students_total, v.students_in_sferum]).toEqual([17218, 18013, 312014, 237466]);
    expect([v.mouo_total, v.mouo_in_sferum, v.mouo_inactive]).toEqual([33, 31, 21]);
    expect(v.teachers_chat_creators).toBe(3666);
    expect(v.teachers_chat_creators_share).toBe(3666 / 17218);
    expect(v.teachers_msg10).toBeNull();
    expect(v.teachers_msg10_share).toBeNull();
    expect(v.mouo_in_sferum_share).toBe(31 / 33);
  });

  test('a column no row carries is null, not 0, and no missing-count warning is raised for it', () => {
    const m = run([school(), school({ school_inn: '2600000002', school_key: 'k2' })]);
    expect(m.region_scope.values.teachers_calls).toBeNull();
    expect(m.region_scope.values.teachers_calls_share).toBeNull();
    expect(m.region_scope.missing).toEqual({});
  });

  test('a column some rows lack sums the others and reports the gap per scope', () => {
    const m = run([school({ teachers_msg3: 5 }), school({ school_inn: '2600000002', school_key: 'k2', teachers_msg3: null })]);
    expect(m.region_scope.values.teachers_msg3).toBe(5);
    expect(m.region_scope.missing).toEqual({ teachers_msg3: 1 });
    expect(m.region_scope.warnings.map((w) => [w.code, w.field])).toContainEqual(['warn.missing_counts', 'teachers_msg3']);
    expect(m.municipalities.find((x) => x.scope.id === 'a')!.missing).toEqual({ teachers_msg3: 1 });
  });

  test('a school without its total adds its count to no share, and its total gap is reported', () => {
    const m = run([
      school({ teachers_total: 10, teachers_calls: 4 }),
      school({ school_inn: '2600000002', school_key: 'k2', teachers_total: null, teachers_calls: 9 }),
    ]);
    expect(m.region_scope.values.teachers_calls).toBe(13);
    expect(m.region_scope.values.teachers_total).toBe(10);
    expect(m.region_scope.values.teachers_calls_share).toBe(4 / 10);
    expect(m.region_scope.data_coverage.teachers_calls_share).toBe(1);
    expect(m.region_scope.missing).toEqual({ teachers_total: 1 });
  });

  test('teachers in Sferum above the total is a warning per school and per scope, and the share exceeds 1', () => {
    const m = run([school({ teachers_total: 10, teachers_in_sferum: 12 })]);
    const a = m.municipalities.find((x) => x.scope.id === 'a')!;
    expect(a.values.teachers_in_sferum_share).toBe(1.2);
    expect(a.warnings.filter((w) => w.code === 'warn.teachers_in_sferum_above_total').map((w) => w.level).sort()).toEqual(['school', 'scope']);
    expect(m.region_scope.warnings.some((w) => w.code === 'warn.teachers_in_sferum_above_total' && w.level === 'scope')).toBe(true);
  });

  test('an INN outside the region is a school warning of its municipality', () => {
    const m = run([school({ school_inn: '7700000001', school_key: '7700000001' })]);
    const w = m.municipalities.find((x) => x.scope.id === 'a')!.warnings.filter((x) => x.code === 'warn.inn_outside_region');
    expect(w).toHaveLength(1);
    expect(w[0]!.school_key).toBe('7700000001');
  });

  test('a municipality without rows while others have them has no export, null counts and a warning', () => {
    const m = run([school({ municipality_id: 'a' }), school({ school_inn: '2600000002', school_key: 'k2', municipality_id: 'b' })]);
    const c = m.municipalities.find((x) => x.scope.id === 'c')!;
    expect(c.has_export).toBe(false);
    expect(c.values.schools_total).toBeNull();
    expect(c.warnings.map((w) => w.code)).toEqual(['warn.export_missing']);
    expect(m.region_scope.warnings.find((w) => w.code === 'warn.export_missing')!.message).toContain('c');
  });

  test('a period with only the МОУО table raises no missing-export warnings and keeps school metrics null', () => {
    const m = run([], [municipalityRow({ municipality_id: 'a', admin_active: false })]);
    expect(m.municipalities.every((x) => x.warnings.length === 0)).toBe(true);
    expect(m.region_scope.values.schools_total).toBeNull();
    expect([m.region_scope.values.mouo_total, m.region_scope.values.mouo_inactive]).toEqual([1, 1]);
  });

  test('МОУО metrics exist at region scope only', () => {
    const m = run([school()], [municipalityRow({ municipality_id: 'a', admin_active: true })]);
    for (const s of m.municipalities) for (const id of REGION_ONLY_METRICS) expect(s.values[id]).toBeNull();
    expect(m.region_scope.values.mouo_total).toBe(1);
  });

  test('rows of another period or region are ignored', () => {
    const m = run([school(), school({ school_key: 'x', period: { start: '2023-03-13', end: '2023-03-17' } }), school({ school_key: 'y', region: '27' })]);
    expect(m.region_scope.values.schools_total).toBe(1);
  });

  test('region counts equal the sum of municipality counts and bounded shares lie in [0, 1] (property)', () => {
    const count = fc.option(fc.nat({ max: 5000 }), { nil: null, freq: 4 });
    const arbSchool = fc.record({
      municipality_id: fc.constantFrom('a', 'b', 'c'),
      in_sferum: fc.boolean(),
      admin_active: fc.boolean(),
      teachers_total: count,
      teachers_in_sferum: count,
      students_total: count,
      students_in_sferum: count,
      teachers_chat_creators: count,
      teachers_msg3: count,
      teachers_msg10: count,
      teachers_calls: count,
    });
    fc.assert(
      fc.property(fc.array(arbSchool, { maxLength: 40 }), (raw) => {
        // Prepare: sub-counts never exceed their totals, except teachers in Sferum (documented)
        const rows = raw.map((r, i) => {
          const t = r.teachers_total;
          const cap = (v: number | null) => (v === null || t === null ? v : Math.min(v, t));
          const st = r.students_total;
          return school({
            ...r,
            school_inn: `26${String(i).padStart(8, '0')}`,
            school_key: `k${i}`,
            students_in_sferum: r.students_in_sferum === null || st === null ? r.students_in_sferum : Math.min(r.students_in_sferum, st),
            teachers_chat_creators: cap(r.teachers_chat_creators),
            teachers_msg3: cap(r.teachers_msg3),
            teachers_msg10: cap(r.teachers_msg10),
            teachers_calls: cap(r.teachers_calls),
          });
        });
        // Act
        const m = run(rows);
        // Assess
        for (const id of COUNT_METRICS.filter((x) => !REGION_ONLY_METRICS.has(x))) {
          const parts = m.municipalities.map((s) => s.values[id]);
          const expected = parts.every((x) => x === null) ? null : parts.reduce<number>((s, x) => s + (x ?? 0), 0);
          expect(m.region_scope.values[id], id).toBe(expected);
        }
        for (const s of [m.region_scope, ...m.municipalities]) {
          for (const id of SHARE_METRICS.filter((x) => !UNBOUNDED_SHARES.has(x))) {
            const v = s.values[id];
            if (v !== null) expect(v >= 0 && v <= 1, `${s.scope.id} ${id} = ${v}`).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('metricDeltas', () => {
  test('subtracts the previous value per metric, null where either side is null', () => {
    const cur = { ...emptyMetricValues(), teachers_total: 16819, teachers_chat_creators_share: 0.22 };
    const prev = { ...emptyMetricValues(), teachers_total: 17218, teachers_chat_creators_share: 0.2, schools_total: 636 };
    const d = metricDeltas(cur, prev);
    expect(d.teachers_total).toBe(-399);
    expect(d.teachers_chat_creators_share).toBeCloseTo(0.02, 12);
    expect(d.schools_total).toBeNull();
    expect(Object.keys(d).sort()).toEqual([...MetricId.options].sort());
  });

  test('without a previous period every delta is null', () => {
    const d = metricDeltas({ ...emptyMetricValues(), schools_total: 1 }, null);
    expect(Object.values(d).every((x) => x === null)).toBe(true);
  });
});
