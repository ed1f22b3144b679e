// Pure: the region (subject code, `26` for Stavropol Krai) of an upload row. The contract's
// order: a `Регион`/`Субъект РФ` column (name or two-digit code), else the object key
// (`uploads/26/...`), else the configured default. A region column that names no known
// region is an error, not a fallback: the key must not silently overrule the data.
import { IssueCode } from '../errors.ts';
import type { CellValue } from '../cell.ts';
import { fail, ok, type Result } from '../result.ts';
import { foldText } from './text.ts';

export type RegionInput = {
  readonly columnValue: CellValue | undefined;
  readonly key: string;
  readonly defaultRegion: string | null;
  /** regions with a reference list; names resolve only through these */
  readonly known: readonly { code: string; name: string }[];
};

export function resolveRegion(input: RegionInput): Result<string> {
  const v = input.columnValue;
  if (v !== undefined && v !== null) {
    if (typeof v !== 'string') return fromCell(v);
    const text = foldText(v);
    if (text !== '') return fromText(text, v.trim(), input.known);
  }
  const fromKey = regionOfKey(input.key);
  if (fromKey !== null) return ok(fromKey);
  if (input.defaultRegion) return ok(input.defaultRegion);
  return fail(IssueCode.UnknownRegion, 'no region: add a Регион column, upload under uploads/<code>/, or configure DEFAULT_REGION');
}

function fromCell(v: number | boolean | Date): Result<string> {
  if (typeof v === 'number' && Number.isInteger(v)) return asCode(String(v));
  return fail(IssueCode.UnknownRegion, `${v instanceof Date ? 'a date' : String(v)} is not a region: give the two-digit subject code (26) or the region's name`);
}

function fromText(text: string, raw: string, known: RegionInput['known']): Result<string> {
  if (/^\d{1,2}$/u.test(text)) return asCode(text);
  const byName = known.find((r) => foldText(r.name) === text);
  if (byName) return ok(byName.code);
  const shown = raw.length > 60 ? `${raw.slice(0, 60)}…` : raw;
  return fail(IssueCode.UnknownRegion, `unknown region "${shown}": give the two-digit subject code (26) or the name from the reference`);
}

/** `7` from a numeric cell is `07`; `0` and three-digit numbers are no subject code. */
function asCode(digits: string): Result<string> {
  const code = digits.padStart(2, '0');
  return /^\d{2}$/u.test(code) && code !== '00' ? ok(code) : fail(IssueCode.UnknownRegion, `${digits} is not a subject code (01-99)`);
}

/**
 * The region folder of a key: the first all-digit folder, when it has two digits
 * (`uploads/26/x.csv`, `26/x.csv`). A key whose first numeric folder is a year
 * (`uploads/2023/03/x.csv`) carries no region: `03` there is a month.
 */
function regionOfKey(key: string): string | null {
  const folders = key.split('/').slice(0, -1);
  const numeric = folders.find((f) => /^\d+$/u.test(f));
  return numeric !== undefined && numeric.length === 2 && numeric !== '00' ? numeric : null;
}
