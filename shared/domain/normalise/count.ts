// Pure: a count cell → non-negative integer, or null when missing. Called per cell on
// million-row files, so the common case is a char-code loop with no regex and no allocation.
import { IssueCode } from '../errors.ts';
import { fail, ok, type CellValue, type Result } from '../result.ts';

const MISSING = new Set(['-', '—', '–', '−']);

export function parseCount(raw: CellValue): Result<number | null> {
  if (raw === null) return ok(null);
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return fail(IssueCode.BadCount, 'count is not a number');
    if (raw < 0) return fail(IssueCode.BadCount, 'count is negative');
    if (!Number.isInteger(raw)) return fail(IssueCode.BadCount, 'count is fractional');
    if (!Number.isSafeInteger(raw)) return fail(IssueCode.BadCount, 'count is too large');
    return ok(raw);
  }
  if (typeof raw !== 'string') return fail(IssueCode.BadCount, 'count must be a number');
  let n = 0;
  let digits = 0;
  let i = 0;
  const len = raw.length;
  // Leading/trailing blanks are common in hand-edited sheets.
  while (i < len && isBlank(raw.charCodeAt(i))) i++;
  let end = len;
  while (end > i && isBlank(raw.charCodeAt(end - 1))) end--;
  if (i === end) return ok(null);
  for (let j = i; j < end; j++) {
    const c = raw.charCodeAt(j);
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      digits++;
    } else if (c === 32 || c === 0xa0 || c === 0x202f || c === 0x2009) {
      // thousands separators: space, NBSP, narrow NBSP, thin space
      if (digits === 0 || j + 1 >= end) return slowPath(raw.slice(i, end));
    } else {
      return slowPath(raw.slice(i, end));
    }
  }
  if (digits > 15) return fail(IssueCode.BadCount, 'count is too large');
  return ok(n);
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 0xa0 || c === 0x202f || c === 10 || c === 13;
}

/** Rare shapes: `17218.0` from a numeric cell exported as text, `-`, negatives, fractions. */
function slowPath(s: string): Result<number | null> {
  if (MISSING.has(s)) return ok(null);
  const compact = s.replace(/[\s\u00a0\u202f\u2009]/gu, '');
  if (/^[-−]\d/u.test(compact)) return fail(IssueCode.BadCount, 'count is negative');
  const m = /^(\d+)(?:[.,](\d+))?$/u.exec(compact);
  if (!m) return fail(IssueCode.BadCount, 'count is not a whole number');
  if (m[2] !== undefined && /[1-9]/u.test(m[2])) return fail(IssueCode.BadCount, 'count is fractional');
  const v = Number(m[1]);
  if (!Number.isSafeInteger(v)) return fail(IssueCode.BadCount, 'count is too large');
  return ok(v);
}
