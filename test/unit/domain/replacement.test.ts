// Unit: an upload's units against the units its commit took over — replacement before →
// after, an unchanged unit left out, and the shrinking warning's threshold; the fold that
// summarises a unit's rows.
import { describe, expect, test } from 'vitest';
import { duplicateMessage, planReplacements, summariseUnits, UnitDigests, unitKey } from '../../../shared/domain/replacement.ts';
import type { ReplacedUnit } from '../../../shared/domain/store-rules/commit-plan.ts';
import { periodKey } from '../../../shared/domain/schemas.ts';
import { commitUnit, municipalityRow, P1, schoolRow } from '../../support/builders.ts';

const school = (i: number, over = {}) => schoolRow({ municipality_id: 'kursky', school_key: `k${i}`, teachers_total: 10, students_total: 100, ...over });
const rows = (n: number, over = {}) => ({ schools: Array.from({ length: n }, (_, i) => school(i, over)), municipalities: [] });
const key = `${periodKey(P1)}|schools|kursky`;
const taken = (held: ReturnType<typeof rows> | null): ReplacedUnit => {
  const s = held && summariseUnits(held).get(key);
  return { unit: commitUnit('kursky'), uploadId: 'old', batchId: 'old', content: s ? { figures: s.figures, fingerprint: s.fingerprint, receivedAtMs: 0 } : null };
};
const plan = (mine: ReturnType<typeof rows>, held: ReturnType<typeof rows> | null, shrinkFraction = 0.5) =>
  planReplacements({ file: 'f.csv', mine: summariseUnits(mine), replaced: [taken(held)], shrinkFraction });

describe('planReplacements', () => {
  test('21 → 2: a replacement with before → after and the shrinking warning', () => {
    const p = plan(rows(2), rows(21));
    expect(p.replacements).toEqual([
      { period: P1, kind: 'schools', municipality_id: 'kursky', replaced_upload_id: 'old', before: { schools: 21, teachers: 210, students: 2100 }, after: { schools: 2, teachers: 20, students: 200 } },
    ]);
    expect(p.warnings.map((w) => [w.issue.code, w.issue.value])).toEqual([['warn.shrinking_replacement', '21 → 2']]);
  });

  test('exactly half is not "more than half"; the setting moves the threshold', () => {
    expect(plan(rows(10), rows(20)).warnings).toEqual([]);
    expect(plan(rows(9), rows(20)).warnings).toHaveLength(1);
    expect(plan(rows(15), rows(20), 0.2).warnings).toHaveLength(1);
  });

  test('a unit taken with the same rows in another order is no replacement; one changed count is', () => {
    expect(plan({ schools: [...rows(3).schools].reverse(), municipalities: [] }, rows(3))).toEqual({ replacements: [], warnings: [] });
    const changed = rows(3);
    changed.schools[1] = school(1, { teachers_total: 11 });
    expect(plan(rows(3), changed).replacements).toHaveLength(1);
  });

  test('a unit whose earlier content is not known is replaced from nothing', () => {
    expect(plan(rows(3), null).replacements.map((r) => [r.before, r.after.schools])).toEqual([[{ schools: 0, teachers: null, students: null }, 3]]);
  });
});

test('a МОУО unit counts its rows; teachers and pupils are not in that table', () => {
  const figures = (r: Parameters<typeof summariseUnits>[0]) => [...summariseUnits(r).values()].map((u) => u.figures);
  expect(figures({ schools: [], municipalities: [municipalityRow()] })).toEqual([{ schools: 1, teachers: null, students: null }]);
  expect(figures(rows(2, { teachers_total: null }))).toEqual([{ schools: 2, teachers: null, students: 200 }]);
});

test('units folded row by row: the fingerprint ignores order, and any changed value or a missing row changes it', () => {
  const fingerprint = (list: ReturnType<typeof school>[]) => {
    const d = new UnitDigests();
    for (const r of list) d.add('schools', r);
    return d.summaries().get(unitKey({ period: P1, kind: 'schools', municipalityId: 'kursky' }))!.fingerprint;
  };
  const three = rows(3).schools;
  expect(fingerprint([...three].reverse())).toBe(fingerprint(three));
  expect(fingerprint([three[0]!, three[1]!, school(2, { teachers_msg3: 1 })])).not.toBe(fingerprint(three));
  expect(fingerprint(three.slice(0, 2))).not.toBe(fingerprint(three));
  // a row repeated in place of another is not the same content (a sum, not an XOR)
  expect(fingerprint([three[0]!, three[0]!, three[2]!])).not.toBe(fingerprint(three));
  // a value moved to another field, or a null for a zero, is another row
  expect(fingerprint([school(0, { teachers_total: 100, students_total: 10 }), three[1]!, three[2]!])).not.toBe(fingerprint(three));
  expect(fingerprint([school(0, { teachers_msg3: 0 }), three[1]!, three[2]!])).not.toBe(fingerprint([school(0, { teachers_msg3: null }), three[1]!, three[2]!]));
  // the schema's field order, not the object's: a row read back from a store is another object
  const reordered = Object.fromEntries(Object.entries(three[0]!).reverse()) as typeof three[0];
  expect(fingerprint([reordered, three[1]!, three[2]!])).toBe(fingerprint(three));
});

test('the duplicate message names the day the data in force was uploaded', () => {
  expect(duplicateMessage('2023-04-17T09:00:00.000Z')).toBe('этот файл уже загружен 17.04.2023; данные не изменились');
});
