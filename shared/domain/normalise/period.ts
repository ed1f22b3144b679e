// Pure: reporting periods. Accepts the contract's formats — `dd.mm-dd.mm.yyyy` (a start
// month after the end month means the start is in the previous year), `dd.mm.yyyy-dd.mm.yyyy`,
// ISO `yyyy-mm-dd/yyyy-mm-dd` or with `_` / `..` — with en/em dashes and spaces around the
// separator. Also finds a period inside a file name or object key.
import { IssueCode } from '../errors.ts';
import { fail, ok, type CellValue, type Result } from '../result.ts';
import type { Period } from '../schemas.ts';

const DASH = String.raw`\s*[-–—]\s*`;
const SHORT = new RegExp(String.raw`(\d{1,2})\.(\d{1,2})${DASH}(\d{1,2})\.(\d{1,2})\.(\d{4})`, 'u');
const LONG = new RegExp(String.raw`(\d{1,2})\.(\d{1,2})\.(\d{4})${DASH}(\d{1,2})\.(\d{1,2})\.(\d{4})`, 'u');
const ISO = /(\d{4})-(\d{2})-(\d{2})\s*(?:\/|_|\.\.|\s[-–—]\s|–|—)\s*(\d{4})-(\d{2})-(\d{2})/u;

export function parsePeriod(raw: CellValue): Result<Period> {
  if (raw === null || raw === '') return fail(IssueCode.MissingValue, 'period is empty');
  if (typeof raw !== 'string') return fail(IssueCode.BadPeriod, 'a period is two dates, e.g. 06.03-10.03.2023');
  const s = raw.trim();
  const p = find(s, true);
  if (p === 'invalid') return fail(IssueCode.BadPeriod, 'the period names a date that does not exist or ends before it starts');
  if (p === null) return fail(IssueCode.BadPeriod, 'a period is two dates, e.g. 06.03-10.03.2023 or 2023-03-06/2023-03-10');
  return ok(p);
}

/** The period carried by a file name or object key (`..._06.03-10.03.2023.csv`), or null. */
export function periodFromName(name: string): Period | null {
  const p = find(name, false);
  return p === 'invalid' ? null : p;
}

/** Matches the formats; `whole` demands the period be the entire text. */
function find(s: string, whole: boolean): Period | 'invalid' | null {
  const anchored = (re: RegExp) => (whole ? new RegExp(`^${re.source}$`, re.flags) : re);
  let m = anchored(LONG).exec(s);
  if (m) return build(+m[3]!, +m[2]!, +m[1]!, +m[6]!, +m[5]!, +m[4]!);
  m = anchored(SHORT).exec(s);
  if (m) {
    const year = +m[5]!;
    const startMonth = +m[2]!;
    const endMonth = +m[4]!;
    // `26.12-06.01.2023`: the start month is after the end month, so the start is in 2022.
    return build(startMonth > endMonth ? year - 1 : year, startMonth, +m[1]!, year, endMonth, +m[3]!);
  }
  m = anchored(ISO).exec(s);
  if (m) return build(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return null;
}

function build(sy: number, sm: number, sd: number, ey: number, em: number, ed: number): Period | 'invalid' {
  const start = isoDate(sy, sm, sd);
  const end = isoDate(ey, em, ed);
  if (!start || !end || start > end) return 'invalid';
  return { start, end };
}

function isoDate(y: number, m: number, d: number): string | null {
  if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1) return null;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
