// The upload report's bounded issue log: each kind of issue has its own budget, so rows that
// warn (real exports warn on many) never push the rejected rows out of the report.
import { describe, expect, test } from 'vitest';
import type { Issue } from '../../../shared/domain/schemas.ts';
import { createIssueLog } from '../../../shared/domain/upload-report.ts';

const issue = (code: string, row: number): Issue => ({ code, message: `row ${row}`, file: 'uploads/26/a.csv', sheet: null, row, column: 'ИНН', value: 'x' });

describe('createIssueLog', () => {
  test('warnings beyond their budget leave the errors theirs', () => {
    const log = createIssueLog(3);
    for (let r = 2; r < 12; r++) log.warn(issue('row.warning', r));
    for (let r = 12; r < 14; r++) log.error(issue('row.error', r));
    expect(log.errors.map((i) => i.row)).toEqual([12, 13]);
    expect(log.warnings.map((i) => i.row)).toEqual([2, 3, 4]);
    expect(log.omitted()).toBe(7);
    expect({ ...log.counts }).toEqual({ 'row.warning': 10, 'row.error': 2 });
  });

  test('errors past the budget are counted, not kept', () => {
    const log = createIssueLog(2);
    for (let r = 2; r < 7; r++) log.error(issue('row.bad_inn', r));
    expect(log.errors).toHaveLength(2);
    expect(log.omitted()).toBe(3);
    expect(log.counts['row.bad_inn']).toBe(5);
  });
});
