// Pure: a yes/no cell → boolean, or null when empty. Accepts the spellings exports use:
// Да/Нет, 1/0, true/false, yes/no, in any case.
import { IssueCode } from '../errors.ts';
import { fail, ok, type CellValue, type Result } from '../result.ts';
import { foldText } from './text.ts';

const YES = new Set(['да', '1', 'true', 'yes', 'истина', 'д', 'y']);
const NO = new Set(['нет', '0', 'false', 'no', 'ложь', 'н', 'n']);

export function parseYesNo(raw: CellValue): Result<boolean | null> {
  if (raw === null) return ok(null);
  if (typeof raw === 'boolean') return ok(raw);
  if (typeof raw === 'number') {
    if (raw === 1) return ok(true);
    if (raw === 0) return ok(false);
    return fail(IssueCode.BadYesNo, 'expected да/нет, 1/0, true/false or yes/no');
  }
  if (typeof raw !== 'string') return fail(IssueCode.BadYesNo, 'expected да/нет, 1/0, true/false or yes/no');
  const s = foldText(raw);
  if (s === '') return ok(null);
  if (YES.has(s)) return ok(true);
  if (NO.has(s)) return ok(false);
  return fail(IssueCode.BadYesNo, 'expected да/нет, 1/0, true/false or yes/no');
}
