// Pure: the region (subject code) of an upload row: from a `Регион`/`Субъект РФ` column
// (name or two-digit code), else from the object key (`uploads/26/...`), else the default.
import { IssueCode } from '../errors.ts';
import { fail, ok, type CellValue, type Result } from '../result.ts';
import { foldText } from './text.ts';

export type RegionInput = {
  readonly columnValue: CellValue | undefined;
  readonly key: string;
  readonly defaultRegion: string | null;
  readonly known: readonly { code: string; name: string }[];
};

export function resolveRegion(input: RegionInput): Result<string> {
  const v = input.columnValue;
  if (v !== undefined && v !== null && v !== '') {
    const s = typeof v === 'number' ? String(v).padStart(2, '0') : foldText(String(v));
    if (/^\d{1,2}$/u.test(s)) return ok(s.padStart(2, '0'));
    const byName = input.known.find((r) => foldText(r.name) === s);
    if (byName) return ok(byName.code);
    return fail(IssueCode.UnknownRegion, 'unknown region: give the two-digit subject code (26) or the name from the reference');
  }
  const fromKey = /(?:^|\/)(\d{2})\//u.exec(input.key)?.[1];
  if (fromKey) return ok(fromKey);
  if (input.defaultRegion) return ok(input.defaultRegion);
  return fail(IssueCode.UnknownRegion, 'no region: add a Регион column, upload under uploads/<code>/, or configure DEFAULT_REGION');
}
