// Pure: reporting periods, as civil dates without time zones. Accepts the contract's
// formats — `dd.mm-dd.mm.yyyy` (a start month after the end month means the start is in
// the previous year), `dd.mm.yyyy-dd.mm.yyyy`, ISO `yyyy-mm-dd/yyyy-mm-dd`, `_` or `..` —
// with hyphens, en/em dashes and spaces around the separator, and finds a period inside a
// file name, an object key or a title line («Период: 20.02.2023 – 22.02.2023»). Impossible
// dates, a start after the end and a period longer than MAX_PERIOD_DAYS are rejected, never
// rolled over into the next month or read as most of a year.
import { IssueCode } from '../errors.ts';
import type { CellValue } from '../cell.ts';
import { fail, ok, type Result } from '../result.ts';
import type { Period } from '../schemas.ts';

type Format = { readonly cell: RegExp; readonly inName: RegExp; readonly build: (m: RegExpMatchArray) => Period | null; readonly rollover?: boolean };

/** A reporting period is a week; a month is the longest an export plausibly covers. */
export const MAX_PERIOD_DAYS = 31;

/** Where a table's period came from, in order of precedence. */
export type PeriodSource = 'column' | 'title' | 'file_name' | 'object_key' | 'metadata';

const DM = String.raw`(\d{1,2})\.(\d{1,2})`;
const YMD = String.raw`(\d{4})-(\d{2})-(\d{2})`;
// hyphen, the Unicode hyphens and dashes, the minus sign; `_` for file names; `по` as in «с … по …»
const DASH = String.raw`(?:\s*[-_‐‑‒–—―−]\s*|\s+по\s+)`;
const ISO_SEP = String.raw`\s*(?:\/|_|\.\.|[-‐‑‒–—―−])\s*`;

/** A cell is the period and nothing else, give or take «с» before and «г.» after it. */
const whole = (core: string) => new RegExp(String.raw`^(?:с\s*)?${core}(?:\s*гг?\.?)?$`, 'iu');
/** In a name the period stands between non-digits: `ОО_06.03-10.03.2023.csv`. */
const inside = (core: string) => new RegExp(String.raw`(?<![\d.])${core}(?!\d)`, 'gu');

const format = (core: string, build: Format['build'], rollover = false): Format => ({ cell: whole(core), inName: inside(core), build, rollover });

// Most specific first: the short form would otherwise match the tail of the long one.
const FORMATS: readonly Format[] = [
  format(String.raw`${DM}\.(\d{4})${DASH}${DM}\.(\d{4})`, (m) => period(n(m[3]), n(m[2]), n(m[1]), n(m[6]), n(m[5]), n(m[4]))),
  format(String.raw`${DM}${DASH}${DM}\.(\d{4})`, (m) => {
    const year = n(m[5]);
    const startMonth = n(m[2]);
    const endMonth = n(m[4]);
    // `26.12-06.01.2023`: the start month is after the end month, so the start is in 2022.
    return period(startMonth > endMonth ? year - 1 : year, startMonth, n(m[1]), year, endMonth, n(m[3]));
  }, true),
  format(`${YMD}${ISO_SEP}${YMD}`, (m) => period(n(m[1]), n(m[2]), n(m[3]), n(m[4]), n(m[5]), n(m[6]))),
];

const FORMATS_HINT = 'e.g. 06.03-10.03.2023, 06.03.2023-10.03.2023 or 2023-03-06/2023-03-10';

export function parsePeriod(raw: CellValue): Result<Period> {
  if (raw === null) return fail(IssueCode.MissingValue, 'period is empty');
  // One date is not a period: which week it starts, or whether it is the start at all, is
  // a guess (a date taken for Monday–Friday of its week filed 23.02–03.03 under 20.02–24.02).
  // The caller may still find the week stated elsewhere in the file.
  const day = parseDay(raw);
  if (day.ok && day.value !== null) {
    return fail(IssueCode.PeriodSingleDate, `одна дата (${day.value.split('-').reverse().join('.')}) — не период: нужны начало и конец недели (${FORMATS_HINT}) или столбцы «с» и «по»`);
  }
  if (typeof raw !== 'string') {
    return fail(IssueCode.BadPeriod, `a period is two dates written as text (${FORMATS_HINT}) or the date of its week; the cell holds ${typeof raw === 'number' ? `the number ${raw}` : `a ${typeof raw}`}`);
  }
  const s = raw.trim();
  if (s === '') return fail(IssueCode.MissingValue, 'period is empty');
  const shown = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  for (const f of FORMATS) {
    const m = f.cell.exec(s);
    if (!m) continue;
    const p = f.build(m);
    if (!p) return fail(IssueCode.BadPeriod, `"${shown}" names a date that does not exist or ends before it starts`);
    const days = periodDays(p);
    if (days > MAX_PERIOD_DAYS) {
      const why = f.rollover && p.start.slice(0, 4) !== p.end.slice(0, 4) ? ` (its start month is after its end month, so it would start in ${p.start.slice(0, 4)})` : '';
      return fail(IssueCode.BadPeriod, `"${shown}" spans ${days} days${why}; a reporting period is at most ${MAX_PERIOD_DAYS} days`);
    }
    return ok(p);
  }
  return fail(IssueCode.BadPeriod, `"${shown}" is not a period (${FORMATS_HINT})`);
}

const DAY_TEXT = [
  { re: /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s*г\.?)?$/u, ymd: (m: RegExpExecArray) => [n(m[3]), n(m[2]), n(m[1])] as const },
  { re: /^(\d{4})-(\d{2})-(\d{2})$/u, ymd: (m: RegExpExecArray) => [n(m[1]), n(m[2]), n(m[3])] as const },
];

/**
 * One date (`YYYY-MM-DD`) from a cell: an Excel date, its serial number in a cell without a
 * date format, or text `06.03.2023` / `2023-03-06`; null for an empty cell. Used for the
 * two columns of a split period and to recognise a lone date in a period column.
 */
export function parseDay(raw: CellValue): Result<string | null> {
  if (raw === null) return ok(null);
  const ms = raw instanceof Date ? raw.getTime() : typeof raw === 'number' ? excelSerialMs(raw) : null;
  if (ms !== null) {
    if (ms >= FIRST_DAY_MS && ms <= LAST_DAY_MS) return ok(new Date(ms).toISOString().slice(0, 10));
    return fail(IssueCode.BadPeriod, `${typeof raw === 'number' ? `the number ${raw}` : 'the date'} is not a plausible date`);
  }
  if (typeof raw !== 'string') return fail(IssueCode.BadPeriod, 'a yes/no value is not a date');
  const s = raw.trim().replace(/^(?:с|по)\s+/iu, '');
  if (s === '') return ok(null);
  for (const f of DAY_TEXT) {
    const m = f.re.exec(s);
    if (!m) continue;
    const [y, mo, d] = f.ymd(m);
    const iso = isoDate(y, mo, d);
    return iso ? ok(iso) : fail(IssueCode.BadPeriod, `"${s.slice(0, 40)}" names a date that does not exist`);
  }
  return fail(IssueCode.BadPeriod, `"${s.slice(0, 40)}" is not a date (e.g. 06.03.2023 or 2023-03-06)`);
}

/** A period from its two ends, each already a `YYYY-MM-DD` date. */
export function periodOfDays(start: string, end: string): Result<Period> {
  const p = { start, end };
  if (end < start) return fail(IssueCode.BadPeriod, `the period ends (${end}) before it starts (${start})`);
  const days = periodDays(p);
  if (days > MAX_PERIOD_DAYS) return fail(IssueCode.BadPeriod, `${start} – ${end} spans ${days} days; a reporting period is at most ${MAX_PERIOD_DAYS} days`);
  return ok(p);
}

/**
 * The period carried by a file name or object key (`uploads/26/ОО_06.03-10.03.2023.csv`,
 * `schools_2023-03-06_2023-03-10.xlsx`), or null. The file name is searched before the
 * whole key, since it is more specific than a folder.
 */
export function periodFromName(name: string): Period | null {
  return periodFromKey(name)?.period ?? null;
}

/**
 * The period rows fall back to when a table has no period column, with where it came
 * from, by the contract's precedence: a title line above the header, the file name, the
 * object key, the object's metadata.
 */
export function fallbackPeriod(o: {
  titleLines: readonly string[];
  key: string;
  metadata: string | undefined;
}): { period: Period; source: Exclude<PeriodSource, 'column'>; line?: number } | null {
  for (let line = 0; line < o.titleLines.length; line++) {
    const p = periodInText(o.titleLines[line]!);
    if (p) return { period: p, source: 'title', line };
  }
  const fromKey = periodFromKey(o.key);
  if (fromKey) return fromKey;
  if (!o.metadata) return null;
  const r = parsePeriod(o.metadata);
  return r.ok ? { period: r.value, source: 'metadata' } : null;
}

/** Where a key's period is: its file name, else the folders of the key. */
export function periodFromKey(key: string): { period: Period; source: 'file_name' | 'object_key' } | null {
  const slash = key.lastIndexOf('/');
  const inName = periodInText(key.slice(slash + 1));
  if (inName) return { period: inName, source: 'file_name' };
  // the whole key: an ISO period written with `/` spans a folder and the file name
  const inKey = slash >= 0 ? periodInText(key) : null;
  return inKey ? { period: inKey, source: 'object_key' } : null;
}

/**
 * The first plausible period written anywhere in a text: a file name, or a title line —
 * «Период: 20.02.2023 – 22.02.2023», «за период с 20.02.2023 по 22.02.2023»,
 * «Неделя 20.02-22.02.2023».
 */
export function periodInText(text: string): Period | null {
  for (const f of FORMATS) {
    for (const m of text.matchAll(f.inName)) {
      const p = f.build(m);
      if (p && periodDays(p) <= MAX_PERIOD_DAYS) return p;
    }
  }
  return null;
}

/** Days in a period, both ends included. */
export function periodDays(p: Period): number {
  return Math.round((Date.parse(p.end) - Date.parse(p.start)) / 86_400_000) + 1;
}

// Sferum exists since 2020; a date outside this window is a typo, not a period.
const FIRST_DAY_MS = Date.UTC(2000, 0, 3);
const LAST_DAY_MS = Date.UTC(2100, 11, 31);

// Excel's day 25569 is 1970-01-01; only whole days in Sferum's years are dates, not counts.
function excelSerialMs(n: number): number | null {
  return Number.isInteger(n) && n >= 36_526 && n <= 73_415 ? (n - 25_569) * 86_400_000 : null;
}

function n(digits: string | undefined): number {
  return Number(digits);
}

function period(sy: number, sm: number, sd: number, ey: number, em: number, ed: number): Period | null {
  const start = isoDate(sy, sm, sd);
  const end = isoDate(ey, em, ed);
  return start !== null && end !== null && start <= end ? { start, end } : null;
}

function isoDate(y: number, m: number, d: number): string | null {
  // the same window as FIRST_DAY_MS..LAST_DAY_MS
  if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1) return null;
  // Day 0 of the next month is the last day of this one (Date.UTC months are 0-based).
  if (d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
