// Pure: what an upload does to the data in force. For each (period, kind, municipality)
// unit it carries, the unit's rows in the upload are folded into a summary (row count,
// teachers, pupils, fingerprint) while they stream to the store; the commit keeps each
// summary beside the unit's pointer and compares it with the summary in force
// (store-rules/commit-plan.ts): an upload equal to what is in force in every unit is a
// duplicate and changes nothing; otherwise each unit it takes over from an earlier upload
// is a replacement, listed with before → after (schools, teachers, pupils), and a
// replacement that drops a municipality's schools by more than a set fraction still
// applies (the newer upload wins) but carries `warn.shrinking_replacement`.
import type { ReplacedUnit, UnitContent } from './store-rules/commit-plan.ts';
import { MunicipalityRow, periodKey, periodLabel, SchoolRow, type Issue, type Period, type Replacement, type TableKind, type UnitFigures } from './schemas.ts';

export const SHRINKING_REPLACEMENT = 'warn.shrinking_replacement';

/** A unit's rows as one batch holds them. */
export type UnitRows = { readonly schools: readonly SchoolRow[]; readonly municipalities: readonly MunicipalityRow[] };

export type UnitRef = { readonly period: Period; readonly kind: TableKind; readonly municipalityId: string };

/** What the comparison needs of a unit: its figures and an order-free fingerprint of its rows. */
export type UnitSummary = UnitContent;

export const unitKey = (u: UnitRef) => `${periodKey(u.period)}|${u.kind}|${u.municipalityId}`;
const LANE = 2 ** 32;

// The row hash: two 32-bit multiplicative lanes over the row's values, each ended by a
// separator, then mixed (a cyrb53-like finish). About 1 µs a row where JSON and SHA-256 took
// 5–9: every unit of every upload is folded, so that its summary can be stored at commit.
// Not a defence against a crafted collision (whoever could craft one could as well not
// upload); a changed row goes unnoticed with a chance of about 2^-64.
let h1 = 0;
let h2 = 0;
function mixText(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ 0x1f, 2654435761);
  h2 = Math.imul(h2 ^ 0x1f, 1597334677);
}
// the schema's field order, not the object's: a row read back from a store is built in another order
const FIELDS: Readonly<Record<TableKind, readonly string[]>> = { schools: Object.keys(SchoolRow.shape), municipalities: Object.keys(MunicipalityRow.shape) };
function hashRow(kind: TableKind, row: SchoolRow | MunicipalityRow): void {
  h1 = 0xdeadbeef;
  h2 = 0x41c6ce57;
  for (const k of FIELDS[kind]) {
    const v = (row as Record<string, unknown>)[k] ?? null;
    if (v === null) mixText('\u0000');
    else if (typeof v === 'object') {
      const p = v as Period;
      mixText(p.start);
      mixText(p.end);
    } else mixText(typeof v === 'string' ? v : String(v));
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
}

/**
 * Units folded one row at a time, so an upload of a million rows is summarised without
 * holding its rows (they stream to the store as they are read). The fingerprint is the row
 * count and the sum of the rows' hashes, lane by lane modulo 2^32: equal for the same rows in
 * any order, and a changed row changes it.
 */
export class UnitDigests {
  readonly #units = new Map<string, { unit: UnitRef; schools: number; teachers: number | null; students: number | null; a: number; b: number }>();

  add(kind: TableKind, row: SchoolRow | MunicipalityRow): void {
    const k = `${row.period.start}..${row.period.end}|${kind}|${row.municipality_id}`;
    let u = this.#units.get(k);
    if (!u) this.#units.set(k, (u = { unit: { period: row.period, kind, municipalityId: row.municipality_id }, schools: 0, teachers: null, students: null, a: 0, b: 0 }));
    u.schools++;
    if (kind === 'schools') {
      const s = row as SchoolRow;
      if (s.teachers_total !== null) u.teachers = (u.teachers ?? 0) + s.teachers_total;
      if (s.students_total !== null) u.students = (u.students ?? 0) + s.students_total;
    }
    hashRow(kind, row);
    u.a = (u.a + (h1 >>> 0)) % LANE;
    u.b = (u.b + (h2 >>> 0)) % LANE;
  }

  /** Every unit seen, by its key. */
  summaries(): Map<string, UnitSummary> {
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    return new Map(
      [...this.#units].map(([k, u]) => [k, { unit: u.unit, figures: { schools: u.schools, teachers: u.teachers, students: u.students }, fingerprint: `${u.schools}:${hex(u.a)}${hex(u.b)}` }]),
    );
  }
}

/** A batch's rows of one period as unit summaries. */
export function summariseUnits(rows: UnitRows): Map<string, UnitSummary> {
  const d = new UnitDigests();
  for (const s of rows.schools) d.add('schools', s);
  for (const m of rows.municipalities) d.add('municipalities', m);
  return d.summaries();
}

/** A unit in force whose batch holds no rows of it: nothing before. */
const EMPTY: Readonly<Record<TableKind, UnitFigures>> = {
  schools: { schools: 0, teachers: null, students: null },
  municipalities: { schools: 0, teachers: null, students: null },
};

export type ReplacementPlan = {
  /** units taken over from an earlier upload, their content changed */
  readonly replacements: readonly Replacement[];
  /** `warn.shrinking_replacement` of a replacement */
  readonly warnings: readonly { readonly replacement: Replacement; readonly issue: Issue }[];
};

/**
 * The replacements of a commit: each unit it took from another upload (`replaced`, with what
 * that upload held, null when not known) whose content changed, before → after, `after` from
 * the upload's own summaries (`mine`, by unitKey). `shrinkFraction` (0.5: more than half) is
 * the drop in schools that warns.
 */
export function planReplacements(input: {
  readonly file: string;
  readonly mine: ReadonlyMap<string, UnitSummary>;
  readonly replaced: readonly ReplacedUnit[];
  readonly shrinkFraction: number;
}): ReplacementPlan {
  const replacements: Replacement[] = [];
  const warnings: { replacement: Replacement; issue: Issue }[] = [];
  for (const taken of input.replaced) {
    const unit = taken.unit;
    const mine = input.mine.get(unitKey(unit));
    if (!mine) continue;
    // the same rows again in this unit: nothing replaced here
    if (taken.content && taken.content.fingerprint === mine.fingerprint) continue;
    const before = taken.content?.figures ?? EMPTY[unit.kind];
    const after = mine.figures;
    const replacement: Replacement = { period: unit.period, kind: unit.kind, municipality_id: unit.municipalityId, replaced_upload_id: taken.uploadId, before, after };
    replacements.push(replacement);
    if (unit.kind === 'schools' && before.schools - after.schools > before.schools * input.shrinkFraction) {
      warnings.push({ replacement, issue: {
        code: SHRINKING_REPLACEMENT,
        message: `${periodLabel(unit.period)}, ${unit.municipalityId}: школ было ${before.schools}, стало ${after.schools} (замена выгрузки ${taken.uploadId}); данные заменены — проверьте, что файл полный`,
        file: input.file,
        sheet: null,
        row: null,
        column: null,
        value: `${before.schools} → ${after.schools}`,
      } });
    }
  }
  return { replacements, warnings };
}

/** The code of the note a duplicate upload's report carries. */
export const DUPLICATE_UPLOAD = 'warn.duplicate_upload';

/** «этот файл уже загружен 10.04.2023; данные не изменились», dated by the upload in force. */
export function duplicateMessage(receivedAt: string): string {
  const [y, m, d] = receivedAt.slice(0, 10).split('-');
  return `этот файл уже загружен ${d}.${m}.${y}; данные не изменились`;
}
