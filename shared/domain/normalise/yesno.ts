// Pure: a yes/no cell → boolean, or null when empty. Accepts the contract's spellings
// (Да/Нет, 1/0, true/false, yes/no, any case) plus ИСТИНА/ЛОЖЬ, which is how Russian
// Excel writes a boolean cell out to CSV. Anything else is a row error, never a guess.
import { IssueCode } from '../errors.ts';
import type { CellValue } from '../cell.ts';
import { fail, ok, type Ok, type Result } from '../result.ts';
import { foldText } from './text.ts';

const YES: Ok<boolean> = Object.freeze(ok(true));
const NO: Ok<boolean> = Object.freeze(ok(false));
const EMPTY: Ok<null> = Object.freeze(ok(null));

// Keys are folded text; the common spellings hit before any folding is done.
const WORDS: ReadonlyMap<string, Ok<boolean>> = new Map([
  ...['да', '1', 'true', 'yes', 'истина'].map((w) => [w, YES] as const),
  ...['нет', '0', 'false', 'no', 'ложь'].map((w) => [w, NO] as const),
  ...[['Да', YES], ['Нет', NO], ['ДА', YES], ['НЕТ', NO]] as const,
]);

const EXPECTED = 'expected да/нет, 1/0, true/false or yes/no';

export function parseYesNo(raw: CellValue): Result<boolean | null> {
  if (raw === null) return EMPTY;
  if (typeof raw === 'boolean') return raw ? YES : NO;
  if (typeof raw === 'number') {
    if (raw === 1) return YES;
    if (raw === 0) return NO;
    return fail(IssueCode.BadYesNo, `${raw} is not a yes/no value; ${EXPECTED}`);
  }
  if (typeof raw !== 'string') return fail(IssueCode.BadYesNo, `a date is not a yes/no value; ${EXPECTED}`);
  const direct = WORDS.get(raw);
  if (direct) return direct;
  const folded = foldText(raw);
  if (folded === '') return EMPTY;
  const hit = WORDS.get(folded);
  if (hit) return hit;
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return fail(IssueCode.BadYesNo, `"${shown}" is not a yes/no value; ${EXPECTED}`);
}
