// Pure: what an upload does to the data in force, decided before its commit. For each
// (period, kind, municipality) unit it carries, the unit's rows in the upload are compared
// with the rows of the batch in force: an upload equal to what is in force in every unit
// is a duplicate and changes nothing; otherwise each unit it takes over from an earlier
// upload is a replacement, listed with before → after (schools, teachers, pupils), and a
// replacement that drops a municipality's schools by more than a set fraction still
// applies (the newer upload wins) but carries `warn.shrinking_replacement`.
import { periodKey, periodLabel, type Issue, type MunicipalityRow, type Period, type Replacement, type SchoolRow, type TableKind, type UnitFigures } from './schemas.ts';

export const SHRINKING_REPLACEMENT = 'warn.shrinking_replacement';

/** A unit's rows as one batch holds them. */
export type UnitRows = { readonly schools: readonly SchoolRow[]; readonly municipalities: readonly MunicipalityRow[] };

export type UnitRef = { readonly period: Period; readonly kind: TableKind; readonly municipalityId: string };

const unitKey = (u: UnitRef) => `${periodKey(u.period)}|${u.kind}|${u.municipalityId}`;

/** Schools (or МОУО rows), teachers and pupils of a unit; a count no row carries is null. */
export function unitFigures(kind: TableKind, rows: UnitRows): UnitFigures {
  if (kind === 'municipalities') return { schools: rows.municipalities.length, teachers: null, students: null };
  const sum = (f: 'teachers_total' | 'students_total') => {
    const carried = rows.schools.filter((s) => s[f] !== null);
    return carried.length === 0 ? null : carried.reduce((n, s) => n + s[f]!, 0);
  };
  return { schools: rows.schools.length, teachers: sum('teachers_total'), students: sum('students_total') };
}

/** The unit's content, order-free: two batches with equal content hold the same rows. */
function content(kind: TableKind, rows: UnitRows): string {
  const list = kind === 'schools' ? rows.schools.map((r) => JSON.stringify(r)) : rows.municipalities.map((r) => JSON.stringify(r));
  return list.sort().join('\n');
}

/** Splits a batch's rows of one period into its units. */
export function rowsByUnit(period: Period, rows: UnitRows): Map<string, { unit: UnitRef; rows: UnitRows }> {
  const out = new Map<string, { unit: UnitRef; rows: { schools: SchoolRow[]; municipalities: MunicipalityRow[] } }>();
  const entry = (kind: TableKind, municipalityId: string) => {
    const unit = { period, kind, municipalityId };
    const k = unitKey(unit);
    let e = out.get(k);
    if (!e) out.set(k, (e = { unit, rows: { schools: [], municipalities: [] } }));
    return e.rows;
  };
  for (const s of rows.schools) entry('schools', s.municipality_id).schools.push(s);
  for (const m of rows.municipalities) entry('municipalities', m.municipality_id).municipalities.push(m);
  return out;
}

export type ReplacementPlan = {
  /** every unit equals the unit in force: nothing would change */
  readonly duplicate: boolean;
  /** the upload in force whose content this one repeats (the first unit's), when duplicate */
  readonly duplicateOf: string | null;
  /** units taken over from an earlier upload, if this upload's commit applies them */
  readonly replacements: readonly Replacement[];
  /** `warn.shrinking_replacement` of a replacement, reported when that replacement applies */
  readonly warnings: readonly { readonly replacement: Replacement; readonly issue: Issue }[];
};

/**
 * Compares an upload's units with the units in force. `inForce` names, per unit key, the
 * upload in force and its rows of that unit; a unit without one is new. `shrinkFraction`
 * (0.5: more than half) is the drop in schools that warns.
 */
export function planReplacements(input: {
  readonly file: string;
  readonly uploadId: string;
  readonly units: readonly { readonly unit: UnitRef; readonly rows: UnitRows }[];
  readonly inForce: ReadonlyMap<string, { readonly uploadId: string; readonly rows: UnitRows }>;
  readonly shrinkFraction: number;
}): ReplacementPlan {
  const replacements: Replacement[] = [];
  const warnings: { replacement: Replacement; issue: Issue }[] = [];
  let equal = input.units.length > 0;
  let duplicateOf: string | null = null;
  for (const { unit, rows } of input.units) {
    const held = input.inForce.get(unitKey(unit));
    if (!held || held.uploadId === input.uploadId) {
      equal = false;
      continue;
    }
    if (content(unit.kind, rows) === content(unit.kind, held.rows)) {
      duplicateOf ??= held.uploadId;
      continue;
    }
    equal = false;
    const before = unitFigures(unit.kind, held.rows);
    const after = unitFigures(unit.kind, rows);
    const replacement: Replacement = { period: unit.period, kind: unit.kind, municipality_id: unit.municipalityId, replaced_upload_id: held.uploadId, before, after };
    replacements.push(replacement);
    if (unit.kind === 'schools' && before.schools - after.schools > before.schools * input.shrinkFraction) {
      warnings.push({ replacement, issue: {
        code: SHRINKING_REPLACEMENT,
        message: `${periodLabel(unit.period)}, ${unit.municipalityId}: школ было ${before.schools}, стало ${after.schools} (замена выгрузки ${held.uploadId}); данные заменены — проверьте, что файл полный`,
        file: input.file,
        sheet: null,
        row: null,
        column: null,
        value: `${before.schools} → ${after.schools}`,
      } });
    }
  }
  return { duplicate: equal, duplicateOf: equal ? duplicateOf : null, replacements: equal ? [] : replacements, warnings: equal ? [] : warnings };
}

/** The code of the note a duplicate upload's report carries. */
export const DUPLICATE_UPLOAD = 'warn.duplicate_upload';

/** «этот файл уже загружен 10.04.2023; данные не изменились», dated by the upload in force. */
export function duplicateMessage(receivedAt: string): string {
  const [y, m, d] = receivedAt.slice(0, 10).split('-');
  return `этот файл уже загружен ${d}.${m}.${y}; данные не изменились`;
}
