// Pure: which reporting week a scheduled check is about. Exports cover a school week
// (Monday to Friday, sometimes irregular); a check run on a configured weekday expects the
// export of that week or of the week before. "Now" is passed in.
import type { Period } from './schemas.ts';

const DAY = 86_400_000;

/**
 * Monday..Friday of the week containing `nowMs` (`current`) or of the week before
 * (`previous`), in UTC calendar days — the check's cron expression is in UTC too.
 */
export function schoolWeek(nowMs: number, which: 'current' | 'previous'): Period {
  const today = Math.floor(nowMs / DAY) * DAY;
  const weekday = (new Date(today).getUTCDay() + 6) % 7; // Monday = 0
  const monday = today - weekday * DAY - (which === 'previous' ? 7 * DAY : 0);
  return { start: isoDay(monday), end: isoDay(monday + 4 * DAY) };
}

export function overlaps(a: Period, b: Period): boolean {
  return a.start <= b.end && b.start <= a.end;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
