// Local runtime: Yandex Cloud timer expressions (research §1.2; yc-docs functions/concepts/
// trigger/timer.md). Fields `Minutes Hours Day-of-month Month Day-of-week [Year]`, in UTC,
// case-insensitive; `?` in exactly one of the two day fields; `*`, lists, ranges and steps;
// JAN-DEC and SUN-SAT names; day-of-week numbers are Quartz's (1 = Sunday … 7 = Saturday);
// `L`, `W` (day of month) and `L`, `#` (day of week); years 1970-2099. Pure: no clock here.

type Field = ReadonlySet<number> | 'any';

type DomRule = { kind: 'set'; days: Field } | { kind: 'last'; offset: number } | { kind: 'lastWeekday' } | { kind: 'nearestWeekday'; day: number };
type DowRule = { kind: 'set'; days: Field } | { kind: 'last'; weekday: number } | { kind: 'nth'; weekday: number; n: number };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const YEAR_MIN = 1970;
const YEAR_MAX = 2099;
const MINUTE = 60_000;

export class CronError extends Error {
  override readonly name = 'CronError';
}

function field(text: string, min: number, max: number, names: readonly string[] = []): Field {
  if (text === '*') return 'any';
  const out = new Set<number>();
  const value = (s: string): number => {
    const i = names.indexOf(s.toUpperCase());
    const v = i >= 0 ? i + min : /^\d+$/.test(s) ? Number(s) : Number.NaN;
    if (!Number.isInteger(v) || v < min || v > max) throw new CronError(`"${s}" is not a value in ${min}-${max}${names.length ? ` or ${names[0]}-${names.at(-1)}` : ''}`);
    return v;
  };
  for (const part of text.split(',')) {
    const [range = '', stepText, extra] = part.split('/');
    if (extra !== undefined || range === '') throw new CronError(`bad list item "${part}"`);
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) ? Number(stepText) : Number.NaN;
    if (!Number.isInteger(step) || step < 1) throw new CronError(`bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range.includes('-')) {
      const [a = '', b = '', c] = range.split('-');
      if (c !== undefined) throw new CronError(`bad range "${range}"`);
      [lo, hi] = [value(a), value(b)];
    } else {
      lo = value(range);
      // `5/15` means from 5 to the end in steps of 15
      hi = stepText === undefined ? lo : max;
    }
    if (lo > hi) throw new CronError(`empty range "${part}"`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function domRule(text: string): DomRule {
  const t = text.toUpperCase();
  if (t === '?') return { kind: 'set', days: 'any' };
  if (t === 'LW') return { kind: 'lastWeekday' };
  const last = /^L(?:-(\d+))?$/.exec(t);
  if (last) return { kind: 'last', offset: Number(last[1] ?? 0) };
  const w = /^(\d+)W$/.exec(t);
  if (w) {
    const day = Number(w[1]);
    if (day < 1 || day > 31) throw new CronError(`"${text}": W needs a day 1-31`);
    return { kind: 'nearestWeekday', day };
  }
  return { kind: 'set', days: field(t, 1, 31) };
}

function weekday(s: string): number {
  const i = DAYS.indexOf(s);
  const v = i >= 0 ? i + 1 : /^\d$/.test(s) ? Number(s) : Number.NaN;
  if (!(v >= 1 && v <= 7)) throw new CronError(`"${s}" is not a day of week 1-7 or SUN-SAT`);
  return v - 1; // 0 = Sunday, as Date#getUTCDay
}

function dowRule(text: string): DowRule {
  const t = text.toUpperCase();
  if (t === '?') return { kind: 'set', days: 'any' };
  if (t === 'L') return { kind: 'set', days: new Set([6]) }; // Quartz: L alone is Saturday
  const last = /^([A-Z]{3}|\d)L$/.exec(t);
  if (last) return { kind: 'last', weekday: weekday(last[1]!) };
  const nth = /^([A-Z]{3}|\d)#([1-5])$/.exec(t);
  if (nth) return { kind: 'nth', weekday: weekday(nth[1]!), n: Number(nth[2]) };
  const f = field(t, 1, 7, DAYS);
  return { kind: 'set', days: f === 'any' ? 'any' : new Set([...f].map((d) => d - 1)) };
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate(); // month 1-12
const dowOf = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay();
const has = (f: Field, v: number) => f === 'any' || f.has(v);

export class CronExpression {
  readonly minutes: Field;
  readonly hours: Field;
  readonly months: Field;
  readonly years: Field;
  readonly #dom: DomRule;
  readonly #dow: DowRule;

  constructor(readonly source: string) {
    const parts = source.trim().split(/\s+/);
    if (parts.length < 5 || parts.length > 6) throw new CronError(`"${source}": expected 6 fields "Minutes Hours Day-of-month Month Day-of-week Year" (Year may be left out)`);
    const [mi = '', h = '', dom = '', mo = '', dow = '', y = '*'] = parts;
    if ((dom === '?') === (dow === '?')) throw new CronError(`"${source}": put "?" in exactly one of day-of-month and day-of-week`);
    try {
      this.minutes = field(mi, 0, 59);
      this.hours = field(h, 0, 23);
      this.months = field(mo, 1, 12, MONTHS);
      this.years = field(y, YEAR_MIN, YEAR_MAX);
      this.#dom = domRule(dom);
      this.#dow = dowRule(dow);
    } catch (err) {
      if (err instanceof CronError) throw new CronError(`"${source}": ${err.message}`);
      throw err;
    }
  }

  /** Whether the expression fires on this calendar day (UTC). */
  firesOn(year: number, month: number, day: number): boolean {
    if (!has(this.years, year) || !has(this.months, month)) return false;
    const n = daysIn(year, month);
    const dow = dowOf(year, month, day);
    const dom = this.#dom;
    const okDom =
      dom.kind === 'set'
        ? has(dom.days, day)
        : dom.kind === 'last'
          ? day === n - dom.offset
          : dom.kind === 'lastWeekday'
            ? day === lastWeekday(year, month)
            : day === nearestWeekday(year, month, dom.day);
    if (!okDom) return false;
    const w = this.#dow;
    if (w.kind === 'set') return has(w.days, dow);
    if (dow !== w.weekday) return false;
    return w.kind === 'last' ? day + 7 > n : Math.ceil(day / 7) === w.n;
  }

  matches(at: Date): boolean {
    return (
      has(this.minutes, at.getUTCMinutes()) &&
      has(this.hours, at.getUTCHours()) &&
      this.firesOn(at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate())
    );
  }

  /** The first whole minute strictly after `after` at which the expression fires; null if it never does again. */
  next(after: Date): Date | null {
    const from = Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE;
    const start = new Date(from);
    // A schedule without a year repeats within 28 years (weekday and leap-year cycles).
    const lastYear = this.years === 'any' ? start.getUTCFullYear() + 28 : Math.max(...this.years);
    let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
    for (;;) {
      const d = new Date(day);
      const year = d.getUTCFullYear();
      if (year > lastYear || year > YEAR_MAX) return null;
      if (this.firesOn(year, d.getUTCMonth() + 1, d.getUTCDate())) {
        for (let h = 0; h < 24; h++) {
          if (!has(this.hours, h)) continue;
          for (let m = 0; m < 60; m++) {
            const t = day + h * 3_600_000 + m * MINUTE;
            if (t >= from && has(this.minutes, m)) return new Date(t);
          }
        }
      }
      day += 86_400_000;
    }
  }

  /** Every firing minute in (after, until], in order. */
  *between(after: Date, until: Date): Generator<Date> {
    for (let t = this.next(after); t && t.getTime() <= until.getTime(); t = this.next(t)) yield t;
  }
}

function lastWeekday(year: number, month: number): number {
  let d = daysIn(year, month);
  while ([0, 6].includes(dowOf(year, month, d))) d--;
  return d;
}

/** Quartz `nW`: the weekday nearest to day n, never crossing into another month. */
function nearestWeekday(year: number, month: number, n: number): number {
  const last = daysIn(year, month);
  const day = Math.min(n, last);
  const dow = dowOf(year, month, day);
  if (dow === 6) return day === 1 ? 3 : day - 1;
  if (dow === 0) return day === last ? day - 2 : day + 1;
  return day;
}

export function parseCron(expression: string): CronExpression {
  return new CronExpression(expression);
}
