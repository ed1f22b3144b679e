// Unit: an upload's units against the units in force — duplicate, replacement before → after,
// and the shrinking warning's threshold.
import { describe, expect, test } from 'vitest';
import { duplicateMessage, planReplacements, summariseUnits, UnitDigests } from '../../../shared/domain/replacement.ts';
import { periodKey } from '../../../shared/domain/schemas.ts';
import { municipalityRow, P1, schoolRow } from '../../support/builders.ts';

const school = (i: number, over = {}) => schoolRow({ municipality_id: 'kursky', school_key: `k${i}`, teachers_total: 10, students_total: 100, ...over });
const rows = (n: number, over = {}) => ({ schools: Array.from({ length: n }, (_, i) => school(i, over)), municipalities: [] });
const key = `${periodKey(P1)}|schools|kursky`;
const unit = (n: number, over = {}) => [...summariseUnits(rows(n, over)).values()];
const plan = (mine: ReturnType<typeof unit>, held: ReturnType<typeof rows> | null, shrinkFraction = 0.5) =>
  planReplacements({ file: 'f.csv', uploadId: 'new', units: mine, inForce: new Map(held ? [[key, { uploadId: 'old', summary: summariseUnits(held).get(key) ?? null }]] : []), shrinkFraction });

describe('planReplacements', () => {
  test('21 → 2: a replacement with before → after and the shrinking warning', () => {
    const p = plan(unit(2), rows(21));
    expect(p.duplicate).toBe(false);
    expect(p.replacements).toEqual([
      { period: P1, kind: 'schools', municipality_id: 'kursky', replaced_upload_id: 'old', before: { schools: 21, teachers: 210, students: 2100 }, after: { schools: 2, teachers: 20, students: 200 } },
    ]);
    expect(p.warnings.map((w) => [w.issue.code, w.issue.value])).toEqual([['warn.shrinking_replacement', '21 → 2']]);
  });

  test('exactly half is not "more than half"; the setting moves the threshold', () => {
    expect(plan(unit(10), rows(20)).warnings).toEqual([]);
    expect(plan(unit(9), rows(20)).warnings).toHaveLength(1);
    expect(plan(unit(15), rows(20), 0.2).warnings).toHaveLength(1);
  });

  test('the same rows in another order are a duplicate of the upload in force; one changed count is not', () => {
    const same = plan([...summariseUnits({ schools: [...rows(3).schools].reverse(), municipalities: [] }).values()], rows(3));
    expect(same).toMatchObject({ duplicate: true, duplicateOf: 'old', replacements: [], warnings: [] });
    const changed = rows(3);
    changed.schools[1] = school(1, { teachers_total: 11 });
    expect(plan(unit(3), changed).duplicate).toBe(false);
  });

  test('a unit nothing held before is new: no replacement, and the upload is not a duplicate', () => {
    expect(plan(unit(3), null)).toEqual({ duplicate: false, duplicateOf: null, replacements: [], warnings: [] });
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
    return d.summaries().get(key)!.fingerprint;
  };
  const three = rows(3).schools;
  expect(fingerprint([...three].reverse())).toBe(fingerprint(three));
  expect(fingerprint([three[0]!, three[1]!, school(2, { teachers_msg3: 1 })])).not.toBe(fingerprint(three));
  expect(fingerprint(three.slice(0, 2))).not.toBe(fingerprint(three));
  // a row repeated in place of another is not the same content (a sum, not an XOR)
  expect(fingerprint([three[0]!, three[0]!, three[2]!])).not.toBe(fingerprint(three));
});

test('the duplicate message names the day the data in force was uploaded', () => {
  expect(duplicateMessage('2023-04-17T09:00:00.000Z')).toBe('этот файл уже загружен 17.04.2023; данные не изменились');
});
