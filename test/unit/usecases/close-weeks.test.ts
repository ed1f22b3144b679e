// Unit: the close_weeks job over doubles of its ports. A provisional week goes back to the
// aggregate stage at its reporting deadline, not a minute before, under the same deadline
// setting the aggregate closes it by; a week aggregated before completeness was stored goes
// back once to gain it; a complete or closed week stays.
import { describe, expect, test } from 'vitest';
import { periodCompleteness, ReportingDeadline } from '../../../shared/domain/completeness.ts';
import type { Period, PeriodChanged } from '../../../shared/domain/schemas.ts';
import type { PeriodCompleteness } from '../../../shared/ports/aggregate-store.ts';
import { closeWeeks, type CloseWeeksDeps } from '../../../shared/usecases/close-weeks.ts';
import { capturedLogger } from '../../support/logs.ts';

const W: Period = { start: '2023-04-10', end: '2023-04-14' };
const EARLIER: Period = { start: '2023-04-03', end: '2023-04-07' };
const OLD: Period = { start: '2023-03-27', end: '2023-03-31' };
const REFERENCE = [
  { id: 'a', name: 'А' },
  { id: 'b', name: 'Б' },
];
const state = (schools: string[], pastDeadline = false) => periodCompleteness({ reference: REFERENCE, schools, municipalities: ['a', 'b'], pastDeadline });

function job(at: string, stored: PeriodCompleteness[], periods: Period[], deadline?: ReportingDeadline) {
  const published: PeriodChanged[] = [];
  const deps: CloseWeeksDeps = {
    aggregates: { completeness: async () => stored, periods: async () => periods },
    periodChanged: { publish: async (changes) => void published.push(...changes) },
    clock: { nowMs: () => Date.parse(at) },
    log: capturedLogger().log,
    ...(deadline ? { reportingDeadline: deadline } : {}),
  };
  return { run: () => closeWeeks(deps, '26'), published };
}

describe('closeWeeks', () => {
  const provisional = [{ period: W, completeness: state(['a']) }];

  test('a provisional week waits until its deadline (the Wednesday after, 21:00 UTC) and goes back at it', async () => {
    const before = job('2023-04-19T20:59:59Z', provisional, [W]);
    expect(await before.run()).toEqual([]);
    expect(before.published).toEqual([]);

    const at = job('2023-04-19T21:00:00Z', provisional, [W]);
    const changes = await at.run();
    expect(changes).toEqual([{ type: 'period_changed', region: '26', period: W, upload_id: 'reporting-deadline', changed_at: '2023-04-19T21:00:00.000Z' }]);
    expect(at.published).toEqual(changes);
  });

  test('the deadline setting the aggregate stage is given decides it here too', async () => {
    const monday = ReportingDeadline.parse('mon 06:30');
    expect(await job('2023-04-17T06:29:00Z', provisional, [W], monday).run()).toEqual([]);
    expect((await job('2023-04-17T06:30:00Z', provisional, [W], monday).run()).map((c) => c.upload_id)).toEqual(['reporting-deadline']);
  });

  test('a complete or closed week stays; a week without stored completeness goes back once as a backfill', async () => {
    const stored = [
      { period: EARLIER, completeness: state(['a', 'b']) },
      { period: W, completeness: state(['a'], true) },
    ];
    const changes = await job('2023-05-01T00:00:00Z', stored, [OLD, EARLIER, W]).run();
    expect(changes.map((c) => [c.period, c.upload_id])).toEqual([[OLD, 'completeness-backfill']]);
  });
});
