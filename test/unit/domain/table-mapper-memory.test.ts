// Unit: the table mapper's per-upload memory. The duplicate and branch rules remember every
// school of a table; as strings in Maps that was ~500 bytes a school (300 000 rows: +201 MiB
// RSS, issue 24). Held as 64-bit hashes in typed arrays it is a few dozen bytes, and a table
// with more schools than the limit ends as a file error at the first school over it.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, test } from 'vitest';
import type { CellValue } from '../../../shared/domain/cell.ts';
import { HashIndex, SeenSchools } from '../../../shared/domain/compact-keys.ts';
import { IssueCode } from '../../../shared/domain/errors.ts';
import { P1, withCheckDigit } from '../../support/builders.ts';
import { tableMapper } from '../../support/mapper.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const HEADERS = ['МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагогов всего', 'Педагогов в Сфере', 'Обучающихся всего', 'Обучающихся в Сфере'];
const MUNICIPALITIES = ['Курский МО', 'Буденновский МО', 'Изобильненский МО', 'Кировский МО'];

function mapper(maxSchools?: number) {
  return tableMapper(HEADERS, maxSchools === undefined ? {} : { maxSchools });
}

const innOf = (n: number) => withCheckDigit(`26${String(n).padStart(7, '0')}`);
const school = (n: number): CellValue[] => [MUNICIPALITIES[n % 4]!, `МБОУ «Средняя общеобразовательная школа № ${n}» имени героя`, innOf(n), 'да', 'да', 40 + (n % 50), 38, 500 + (n % 900), 400];

describe('the mapper’s memory of the schools it has seen', () => {
  test('50 000 schools retain under 20 MiB (measured 5–11; the Maps of strings held 47.5)', { timeout: 60_000 }, () => {
    const N = 50_000;
    // the typed arrays' memory is outside the heap: count both
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    // warm up first (compiled code, the normalisers' memos count as heap too)
    const warm = mapper();
    for (let n = 1; n <= 2_000; n++) warm.accept(n + 1, school(n));
    gc();
    const before = used();
    const m = mapper();
    for (let n = 1; n <= N; n++) {
      if (m.accept(n + 1, school(n)).type !== 'row') throw new Error(`row ${n + 1} was not accepted: ${JSON.stringify(m.errors.at(-1))}`);
    }
    gc();
    const retained = used() - before;
    // the rules still work at that size: a repeat is recognised, a conflict withdraws the first row
    expect(m.accept(N + 2, school(7)).type).toBe('skipped');
    expect(m.accept(N + 3, [...school(8).slice(0, 5), 99, 38, 508, 400])).toMatchObject({
      type: 'rejected',
      withdraws: { period: P1, schoolKey: `${innOf(8)}#${'мбоу «средняя общеобразовательная школа № 8» имени героя'}` },
    });
    expect(m.finish()).toMatchObject({ accepted: N - 1, rejected: 2 });
    expect(retained / 2 ** 20).toBeLessThan(20);
  });

  test('a table with more schools than the limit is a file error at the first school over it', () => {
    const m = mapper(3);
    for (let n = 1; n <= 3; n++) expect(m.accept(n + 1, school(n)).type).toBe('row');
    // a repeat of a known school is not a new one
    expect(m.accept(5, school(2)).type).toBe('skipped');
    const over = m.accept(6, school(4));
    expect(over).toMatchObject({ type: 'file_error', issue: { code: IssueCode.TooManyRows, row: 6 } });
    expect(over.type === 'file_error' && over.issue.message).toMatch(/more than 3 schools .*INGEST_MAX_SCHOOLS/);
  });
});

describe('HashIndex and SeenSchools', () => {
  test('every key is found again after the index grows; absent keys are not', () => {
    const idx = new HashIndex();
    const added = Array.from({ length: 20_000 }, (_, i) => idx.upsert(`k${i}`));
    expect(added.every((a, i) => a.added && a.entry === i)).toBe(true);
    expect(idx.size).toBe(20_000);
    expect(Array.from({ length: 20_000 }, (_, i) => idx.find(`k${i}`)).every((e, i) => e === i)).toBe(true);
    expect(idx.upsert('k123')).toEqual({ entry: 123, added: false });
    expect(idx.find('k20000')).toBe(-1);
    expect(idx.find('')).toBe(-1);
  });

  test('counts come back as stored: nulls, the 16-bit edge and larger values', () => {
    const seen = new SeenSchools(4);
    const rows = [
      [0, null, 65_534, 7],
      [65_535, 1, null, null],
      [2_000_000_000, 3, 4, 5],
    ];
    rows.forEach((c, i) => seen.add(`s${i}`, i + 2, `fp${i}`, c));
    rows.forEach((c, i) => {
      const e = seen.find(`s${i}`);
      expect(seen.counts(e)).toEqual(c);
      expect(seen.row(e)).toBe(i + 2);
      expect(seen.sameValues(e, `fp${i}`)).toBe(true);
      expect(seen.sameValues(e, `fp${i + 1}`)).toBe(false);
      expect([seen.emitted(e), seen.conflicted(e)]).toEqual([true, false]);
    });
    seen.markConflicted(seen.find('s1'));
    expect([seen.emitted(seen.find('s1')), seen.conflicted(seen.find('s1'))]).toEqual([false, true]);
  });
});
