// Pure: maps a table's header row onto contract fields through the alias data file, and
// recognises the table's kind from the headers (never from the file name). Lookups go
// through a Map, so a header called `__proto__` or `constructor` is just unknown.
import { z } from 'zod';
import { FieldName, SCHOOL_COUNT_FIELDS, TableKind } from '../schemas.ts';
import { foldHeader } from './text.ts';

export const HeaderAliases = z.object({
  note: z.string().optional(),
  fields: z.record(
    FieldName,
    z.object({ tables: z.array(TableKind).min(1), required: z.array(TableKind), aliases: z.array(z.string().min(1)).min(1) }),
  ),
});
export type HeaderAliases = z.infer<typeof HeaderAliases>;

export type HeaderMapping = {
  kind: TableKind | null;
  /** one entry per header index */
  columns: (FieldName | null)[];
  /** required fields of the detected kind that no header maps to */
  missing: FieldName[];
  unknown: { index: number; header: string }[];
  duplicates: { field: FieldName; indexes: number[] }[];
};

/** Fields whose presence makes a table a schools table. */
const SCHOOL_MARKERS: ReadonlySet<FieldName> = new Set<FieldName>(['school_name', 'school_inn', 'school_kpp', ...SCHOOL_COUNT_FIELDS]);

export function createHeaderMapper(aliases: HeaderAliases): (headers: readonly string[]) => HeaderMapping {
  const index = new Map<string, FieldName>();
  for (const [field, def] of Object.entries(aliases.fields) as [FieldName, HeaderAliases['fields'][FieldName]][]) {
    for (const a of def.aliases) {
      const key = foldHeader(a);
      const prev = index.get(key);
      if (prev && prev !== field) throw new Error(`header alias "${a}" is given for both ${prev} and ${field}`);
      index.set(key, field);
    }
  }
  return (headers) => {
    const columns = headers.map((h) => index.get(foldHeader(h)) ?? null);
    const present = new Set(columns.filter((c): c is FieldName => c !== null));
    const isSchools = [...present].some((f) => SCHOOL_MARKERS.has(f));
    const isMunicipalities = !isSchools && present.has('municipality') && (present.has('in_sferum') || present.has('admin_active'));
    const kind: TableKind | null = isSchools ? 'schools' : isMunicipalities ? 'municipalities' : null;
    const missing =
      kind === null
        ? []
        : (Object.entries(aliases.fields) as [FieldName, HeaderAliases['fields'][FieldName]][])
            .filter(([f, def]) => def.required.includes(kind) && !present.has(f))
            .map(([f]) => f);
    const unknown = headers.flatMap((header, i) => (columns[i] === null && header.trim() !== '' ? [{ index: i, header }] : []));
    const positions = new Map<FieldName, number[]>();
    columns.forEach((f, i) => {
      if (f !== null) positions.set(f, [...(positions.get(f) ?? []), i]);
    });
    const duplicates = [...positions].filter(([, ix]) => ix.length > 1).map(([field, indexes]) => ({ field, indexes }));
    return { kind, columns, missing, unknown, duplicates };
  };
}

/**
 * UTF-8 Cyrillic that was decoded as Windows-1251 and saved again reads `РџРµРґР°РіРѕРіРѕРІ`:
 * almost every other letter is `Р` or `С` followed by a letter from the 1251 upper half.
 * A header row like that is an encoding problem, not a missing column.
 */
export function looksLikeMojibake(headers: readonly string[]): boolean {
  const text = headers.join(' ');
  const pairs = text.match(/[РС][\u0400-\u045f\u2018-\u203a\u00a0-\u00bf]/gu)?.length ?? 0;
  const cyrillic = text.match(/[\u0400-\u04ff]/gu)?.length ?? 0;
  return cyrillic >= 6 && (pairs * 2) / cyrillic > 0.6;
}
