// Pure: INN (ИНН) and KPP (КПП) of a legal entity. The checksum is the FNS algorithm for
// 10-digit INNs: weights 2,4,10,3,5,9,4,6,8 on digits 1-9, (sum mod 11) mod 10 = digit 10.
import { IssueCode } from '../errors.ts';
import type { CellValue } from '../cell.ts';
import { fail, ok, type Result } from '../result.ts';

const WEIGHTS = [2, 4, 10, 3, 5, 9, 4, 6, 8] as const;

/** The control digit for the first nine digits of a legal entity's INN. */
export function innCheckDigit(first9: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (first9.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return (sum % 11) % 10;
}

/**
 * Accepts a numeric XLSX cell, spaces and NBSPs, and an `ИНН` prefix; returns the
 * 10-digit string. A wrong length or checksum is a row error naming the value.
 */
export function parseInn(raw: CellValue): Result<string> {
  if (raw === null || (typeof raw === 'string' && raw.trim() === '')) return fail(IssueCode.MissingValue, 'INN is empty');
  let s: string;
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) return fail(IssueCode.BadInn, `INN ${String(raw)} is not a whole number`);
    // A numeric cell drops leading zeros: INNs of regions 01-09 start with 0.
    s = String(raw).padStart(10, '0');
  } else if (typeof raw === 'string') {
    s = raw.replace(/^\s*инн[\s:№]*/iu, '').replace(/[\s\u00a0\u202f]/gu, '');
  } else {
    return fail(IssueCode.BadInn, 'INN must be text or a number');
  }
  if (!/^\d{10}$/.test(s)) {
    return fail(IssueCode.BadInn, /^\d{12}$/.test(s) ? 'a 12-digit INN belongs to a person, not a school' : 'INN must have 10 digits');
  }
  if (innCheckDigit(s) !== s.charCodeAt(9) - 48) return fail(IssueCode.BadInn, 'INN checksum is wrong');
  return ok(s);
}

/** KPP: 9 characters (digits, or digits with two capital letters in positions 5-6), optional. */
export function parseKpp(raw: CellValue): Result<string | null> {
  if (raw === null || raw === '') return ok(null);
  let s: string;
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) return fail(IssueCode.BadKpp, 'KPP must be 9 characters');
    s = String(raw).padStart(9, '0');
  } else if (typeof raw === 'string') {
    s = raw.replace(/^\s*кпп[\s:№]*/iu, '').replace(/[\s\u00a0\u202f]/gu, '').toUpperCase();
    if (s === '' || s === '-' || s === '—') return ok(null);
  } else {
    return fail(IssueCode.BadKpp, 'KPP must be text or a number');
  }
  if (!/^\d{4}[0-9A-Z]{2}\d{3}$/.test(s)) return fail(IssueCode.BadKpp, 'KPP must be 9 characters');
  return ok(s);
}
