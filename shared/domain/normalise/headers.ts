// Pure: maps a table's header row onto contract fields through the alias table (data, in
// data/header-aliases.json, so an admin extends it without code changes) and recognises
// the table's kind from the headers, never from the file name. Matching is exact after
// foldHeader, never by substring. Which fields a kind requires is the contract's rule and
// stays here in code. Header text is only ever a Map key, so `__proto__` or `constructor`
// is just an unknown header.
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { FieldName, SCHOOL_COUNT_FIELDS, type TableKind } from '../schemas.ts';
import { detached, foldHeader, foldHomoglyphs } from './text.ts';

type AliasLists = Readonly<Record<FieldName, readonly string[]>>;

export const HeaderAliases = z
  .object({
    note: z.string().optional(),
    // An enum-keyed record is exhaustive in zod 4: every field must have its aliases.
    fields: z.record(FieldName, z.array(z.string()).min(1)),
  })
  .superRefine((value, ctx) => {
    for (const message of indexAliases(value.fields).problems) ctx.addIssue({ code: 'custom', path: ['fields'], message });
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
  /**
   * Columns matched by a guess the admin should hear about: `homoglyph` — only after Latin
   * look-alikes were read as the Cyrillic letters they imitate; `combined` — only after a
   * group label above was joined to the sub-header (header-row.ts adds those).
   */
  notes: { index: number; header: string; field: FieldName; code: 'homoglyph' | 'combined' }[];
};

// The contract's required columns. Period is never missing here: it may come from the
// file name, the key or the metadata, which only the caller knows.
const REQUIRED: Readonly<Record<TableKind, readonly FieldName[]>> = {
  schools: ['municipality', 'school_name', 'school_inn', 'in_sferum', 'admin_active', 'teachers_total', 'teachers_in_sferum', 'students_total', 'students_in_sferum'],
  municipalities: ['municipality', 'in_sferum', 'admin_active'],
};

/** Distinct header texts remembered by one mapper (it lives as long as the warm function). */
const MEMO_LIMIT = 20_000;

/** Headers of columns that carry no data: blank spacers and numbering columns. */
const SILENT: ReadonlySet<string> = new Set(['', '№', '№ п/п', '№п/п', 'N', 'N п/п', 'No', 'п/п', '#'].map((h) => foldHeader(h)));

/** Any of these makes a table a schools table. */
const SCHOOL_COLUMNS: readonly FieldName[] = ['school_name', 'school_inn', 'school_kpp', ...SCHOOL_COUNT_FIELDS];

/** Throws ConfigError when the table is contradictory (validate it with HeaderAliases first for a readable report). */
export function createHeaderMapper(aliases: HeaderAliases): ((headers: readonly string[]) => HeaderMapping) & { fieldOf(header: string): FieldName | null } {
  const { index, problems } = indexAliases(aliases.fields);
  if (problems.length > 0) throw new ConfigError(`header aliases: ${problems.join('; ')}`);

  // The header search maps the same cells many times (each row alone and combined with the
  // rows below it, for every table): each distinct text is folded once.
  const memo = new Map<string, { field: FieldName | null; homoglyph: boolean }>();
  function lookup(h: string): { field: FieldName | null; homoglyph: boolean } {
    let m = memo.get(h);
    if (m) return m;
    const folded = foldHeader(h);
    const exact = index.get(folded);
    // A Latin «e», «a», «o» typed inside a Cyrillic word looks exactly like the alias:
    // matched, and said so, instead of a silently null column.
    const guessed = exact === undefined ? index.get(foldHomoglyphs(folded)) : undefined;
    m = exact !== undefined ? { field: exact, homoglyph: false } : { field: guessed ?? null, homoglyph: guessed !== undefined };
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(detached(h), m);
    return m;
  }

  const silent = new Map<string, boolean>();
  function isSilent(h: string): boolean {
    let v = silent.get(h);
    if (v === undefined) {
      v = SILENT.has(foldHeader(h));
      if (silent.size >= MEMO_LIMIT) silent.clear();
      silent.set(detached(h), v);
    }
    return v;
  }

  function mapHeaders(headers: readonly string[]): HeaderMapping {
    const notes: HeaderMapping['notes'] = [];
    const columns = headers.map((h, i) => {
      const m = lookup(h);
      if (m.homoglyph && m.field !== null) notes.push({ index: i, header: h, field: m.field, code: 'homoglyph' });
      return m.field;
    });
    const positions = new Map<FieldName, number[]>();
    const unknown: HeaderMapping['unknown'] = [];
    columns.forEach((field, i) => {
      if (field !== null) positions.set(field, [...(positions.get(field) ?? []), i]);
      // A blank header is an empty spacer column and `№ п/п` a row number: neither is
      // something the admin needs to hear about.
      else if (!isSilent(headers[i]!)) unknown.push({ index: i, header: headers[i]! });
    });
    const kind = kindOf(positions);
    return {
      kind,
      columns,
      missing: kind === null ? [] : REQUIRED[kind].filter((f) => !positions.has(f)),
      unknown,
      duplicates: [...positions].filter(([, at]) => at.length > 1).map(([field, indexes]) => ({ field, indexes })),
      notes,
    };
  }
  // the header search asks about single cells many times; it needs no whole mapping for that
  return Object.assign(mapHeaders, { fieldOf: (h: string) => lookup(h).field });
}

function kindOf(present: ReadonlyMap<FieldName, unknown>): TableKind | null {
  if (SCHOOL_COLUMNS.some((f) => present.has(f))) return 'schools';
  if (present.has('municipality') && (present.has('in_sferum') || present.has('admin_active'))) return 'municipalities';
  return null;
}

/** Folded alias → field, and what makes the table unusable: empty aliases, one alias for two fields. */
function indexAliases(fields: AliasLists): { index: Map<string, FieldName>; problems: string[] } {
  const index = new Map<string, FieldName>();
  const problems: string[] = [];
  for (const field of FieldName.options) {
    for (const alias of fields[field]) {
      const key = foldHeader(alias);
      const other = index.get(key);
      if (key === '') problems.push(`an alias of ${field} is empty`);
      else if (other !== undefined && other !== field) problems.push(`"${alias}" is an alias of both ${other} and ${field}`);
      else index.set(key, field);
    }
  }
  return { index, problems };
}

// What the second byte of a UTF-8 Cyrillic letter (0x80-0xBF) becomes when read as
// Windows-1251: Ђ…џ, Ў…ї, Ґґ, ‚„…†‡€‰‹‘’“”•–—™›, NBSP…» and №. Ordinary Russian never puts
// these after `Р` or `С` (ё aside, which mojibake of `и` also produces).
const SECOND_BYTE = /[\u0080-\u00bf\u0401-\u040f\u0451-\u045f\u0490\u0491\u2013-\u203a\u20ac\u2116\u2122]/u;

/**
 * True when the headers look like UTF-8 Cyrillic that was decoded as Windows-1251 and
 * saved again (`РџРµРґР°РіРѕРіРѕРІ РІСЃРµРіРѕ`), so a reader can report an encoding error
 * instead of "missing column". Each garbled letter is `Р` or `С` plus a character from
 * SECOND_BYTE; the headers qualify when such pairs are at least half as many as the
 * ordinary Russian letters left over.
 */
export function looksLikeMojibake(headers: readonly string[]): boolean {
  let pairs = 0;
  let letters = 0;
  for (const h of headers) {
    for (let i = 0; i < h.length; i++) {
      const c = h.charCodeAt(i);
      if ((c === 0x420 || c === 0x421) && i + 1 < h.length && SECOND_BYTE.test(h[i + 1]!)) {
        pairs++;
        i++;
      } else if ((c >= 0x410 && c <= 0x44f) || c === 0x401 || c === 0x451) {
        letters++;
      }
    }
  }
  return pairs >= 3 && pairs * 2 >= letters;
}
