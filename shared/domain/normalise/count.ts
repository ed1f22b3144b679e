// Pure: a count cell → a non-negative integer, or null when the value is missing.
// Rosstat's convention (export contract, "Values" → count): a dash alone (`-`, `–`, `—`)
// marks a phenomenon that is absent, so it is 0; empty, `…`, `...`, `н/д`, `нет данных` and
// `x` mean no data, so null — a missing count is never 0. Called for every count cell of million-row files,
// so text goes through one char-code loop with no regex and no intermediate strings;
// only a rejected value builds a message.
import { IssueCode } from '../errors.ts';
import type { CellValue } from '../cell.ts';
import { fail, ok, type Fail, type Ok, type Result } from '../result.ts';

const MISSING: Ok<null> = Object.freeze(ok(null));
const ZERO: Ok<number> = Object.freeze(ok(0));

/** The no-data marks after trimming and lower-casing (`Н/Д`, `X` and the Cyrillic `х` too). */
const NO_DATA: ReadonlySet<string> = new Set(['…', '...', 'н/д', 'нет данных', 'x', 'х']);

function isNoData(s: string, start: number, end: number): boolean {
  if (end - start > 10) return false;
  return NO_DATA.has(s.slice(start, end).toLowerCase().replace(/\s+/gu, ' '));
}

export function parseCount(raw: CellValue): Result<number | null> {
  if (raw === null) return MISSING;
  if (typeof raw === 'string') return fromText(raw);
  if (typeof raw === 'number') return fromNumber(raw);
  return fail(IssueCode.BadCount, raw instanceof Date ? 'a date is not a count' : 'a yes/no value is not a count');
}

function fromNumber(n: number): Result<number | null> {
  if (!Number.isFinite(n)) return fail(IssueCode.BadCount, `${n} is not a count`);
  if (n < 0) return fail(IssueCode.BadCount, `${n} is negative; a count is a whole number ≥ 0`);
  if (!Number.isInteger(n)) return fail(IssueCode.BadCount, `${n} is fractional; a count is a whole number`);
  if (n > Number.MAX_SAFE_INTEGER) return fail(IssueCode.BadCount, `${n} is too large for a count`);
  // `+ 0` turns -0 into 0.
  return ok(n + 0);
}

function fromText(s: string): Result<number | null> {
  let start = 0;
  let end = s.length;
  while (start < end && isBlank(s.charCodeAt(start))) start++;
  while (end > start && isBlank(s.charCodeAt(end - 1))) end--;
  if (start === end) return MISSING;
  const first = s.charCodeAt(start);
  if (end - start === 1 && isDash(first)) return ZERO;
  // Only a value that starts with no digit can be a no-data mark; digits take the fast loop.
  if (!isDigit(first) && isNoData(s, start, end)) return MISSING;

  let n = 0;
  // Digits in the current group; a separator must follow 1-3 digits, and after the first
  // separator every group has exactly three (`17 218`, not `1 72 18`).
  let group = 0;
  let grouped = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      group++;
    } else if (isSeparator(c)) {
      if (group === 0 || group > 3 || (grouped && group !== 3)) return badGroups(s, start, end);
      grouped = true;
      group = 0;
    } else if ((c === 46 || c === 44) && group > 0) {
      // `17218.0` / `17218,0`: a numeric cell written out as text; only zeros may follow.
      if (grouped && group !== 3) return badGroups(s, start, end);
      return zeroFraction(s, i + 1, end) ? safe(n, s, start, end) : rejectText(s, start, end);
    } else {
      return rejectText(s, start, end);
    }
  }
  if (grouped && group !== 3) return badGroups(s, start, end);
  return safe(n, s, start, end);
}

function safe(n: number, s: string, start: number, end: number): Result<number> {
  // Rounding is monotonic, so an accumulated value above the limit can never round back under it.
  return n <= Number.MAX_SAFE_INTEGER ? ok(n) : fail(IssueCode.BadCount, `"${shown(s, start, end)}" is too large for a count`);
}

function zeroFraction(s: string, from: number, end: number): boolean {
  if (from === end) return false;
  for (let i = from; i < end; i++) if (s.charCodeAt(i) !== 48) return false;
  return true;
}

/** The slow path: only a rejected value pays for classifying it and building a message. */
function rejectText(s: string, start: number, end: number): Fail {
  const text = shown(s, start, end);
  if (isDash(s.charCodeAt(start)) && isDigit(s.charCodeAt(start + 1))) {
    return fail(IssueCode.BadCount, `"${text}" is negative; a count is a whole number ≥ 0`);
  }
  const sep = s.slice(start, end).search(/[.,]\d*[1-9]/u);
  if (sep > 0 && isDigit(s.charCodeAt(start))) {
    return fail(IssueCode.BadCount, `"${text}" is fractional (or uses . or , between thousands); a count is a whole number`);
  }
  return fail(IssueCode.BadCount, `"${text}" is not a count; expected a whole number such as 17218 or 17 218`);
}

function badGroups(s: string, start: number, end: number): Fail {
  return fail(IssueCode.BadCount, `"${shown(s, start, end)}" is not a count: after a thousands separator come groups of three digits`);
}

/** The value as it appears in a message: trimmed, and cut so a huge cell cannot flood the report. */
function shown(s: string, start: number, end: number): string {
  return end - start > 40 ? `${s.slice(start, start + 40)}…` : s.slice(start, end);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Space, NBSP, narrow NBSP and thin space: the thousands separators of Russian number formats. */
function isSeparator(c: number): boolean {
  return c === 32 || c === 0xa0 || c === 0x202f || c === 0x2009;
}

function isBlank(c: number): boolean {
  return isSeparator(c) || c === 9 || c === 10 || c === 13 || c === 0xfeff;
}

/** `-`, `–`, `—` and the minus sign `−`: alone they mean 0 (nothing to count), before digits a negative number. */
function isDash(c: number): boolean {
  return c === 45 || c === 0x2013 || c === 0x2014 || c === 0x2212;
}
