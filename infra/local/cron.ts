// Yandex Cloud timer expressions: six fields `Minutes Hours Day-of-month Month Day-of-week
// Year` (Year optional) in UTC, with `?` in one of the two day fields, `*`, lists, ranges,
// steps and MON-SUN / JAN-DEC names. Day-of-week numbers follow Quartz (1 = Sunday).
// The local runtime uses this to fire the cron triggers declared in serverless.yml.

type Field = ReadonlySet<number> | 'any';

export type Cron = {
  readonly source: string;
  readonly minutes: Field;
  readonly hours: Field;
  readonly dayOfMonth: Field;
  readonly month: Field;
  readonly dayOfWeek: Field; // 0 = Sunday … 6 = Saturday
  readonly year: Field;
};

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export class CronError extends Error {
  override readonly name = 'CronError';
}

function field(text: string, min: number, max: number, names: readonly string[] = [], nameBase = min): Field {
  if (text === '*' || text === '?') return 'any';
  const out = new Set<number>();
  const value = (s: string): number => {
    const i = names.indexOf(s.toUpperCase());
    const v = i >= 0 ? i + nameBase : Number(s);
    if (!Number.isInteger(v) || v < min || v > max) throw new CronError(`"${s}" is outside ${min}-${max}`);
    return v;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronError(`bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === undefined) [lo, hi] = [min, max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [lo, hi] = [value(a!), value(b!)];
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max;
    }
    if (lo > hi) throw new CronError(`empty range "${part}"`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(expression: string): Cron {
  const parts = expression.trim().split(/\s+/);
  if (parts.length < 5 || parts.length > 6) throw new CronError(`"${expression}": expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year)`);
  const [mi, h, dom, mo, dow, y = '*'] = parts as [string, string, string, string, string, string?];
  if ((dom === '?') === (dow === '?')) throw new CronError(`"${expression}": exactly one of day-of-month and day-of-week must be "?"`);
  const weekday = field(dow, 1, 7, DAYS, 1);
  return {
    source: expression,
    minutes: field(mi, 0, 59),
    hours: field(h, 0, 23),
    dayOfMonth: field(dom, 1, 31),
    month: field(mo, 1, 12, MONTHS, 1),
    dayOfWeek: weekday === 'any' ? 'any' : new Set([...weekday].map((d) => d - 1)),
    year: field(y, 1970, 2199),
  };
}

const has = (f: Field, v: number) => f === 'any' || f.has(v);

export function matches(c: Cron, at: Date): boolean {
  return (
    has(c.minutes, at.getUTCMinutes()) &&
    has(c.hours, at.getUTCHours()) &&
    has(c.dayOfMonth, at.getUTCDate()) &&
    has(c.month, at.getUTCMonth() + 1) &&
    has(c.dayOfWeek, at.getUTCDay()) &&
    has(c.year, at.getUTCFullYear())
  );
}

/** The first whole minute strictly after `after` that the expression fires at, or null within ~5 years. */
export function nextFire(c: Cron, after: Date): Date | null {
  let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 5 * 366 * 24 * 60; i++, t += 60_000) {
    const d = new Date(t);
    if (matches(c, d)) return d;
  }
  return null;
}
