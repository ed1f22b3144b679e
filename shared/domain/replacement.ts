// Pure: what an upload does to the data in force, decided before its commit. For each
// (period, kind, municipality) unit it carries, the unit's rows in the upload are compared
// with the rows of the batch in force: an upload equal to what is in force in every unit
// is a duplicate and changes nothing; otherwise each unit it takes over from an earlier
// upload is a replacement, listed with before → after (schools, teachers, pupils), and a
// replacement that drops a municipality's schools by more than a set fraction still
// applies (the newer upload wins) but carries `warn.shrinking_replacement`.
import { createHash } from 'node:crypto';
import { periodKey, periodLabel, type Issue, type MunicipalityRow, type Period, type Replacement, type SchoolRow, type TableKind, type UnitFigures } from './schemas.ts';

export const SHRINKING_REPLACEMENT = 'warn.shrinking_replacement';

/** A unit's rows as one batch holds them. */
export type UnitRows = { readonly schools: readonly SchoolRow[]; readonly municipalities: readonly MunicipalityRow[] };

export type UnitRef = { readonly period: Period; readonly kind: TableKind; readonly municipalityId: string };

/** What the comparison needs of a unit: its figures and an order-free fingerprint of its rows. */
export type UnitSummary = { readonly unit: UnitRef; readonly figures: UnitFigures; readonly fingerprint: string };

const unitKey = (u: UnitRef) => `${periodKey(u.period)}|${u.kind}|${u.municipalityId}`;
const MOD = 1n << 256n;

/**
 * Units folded one row at a time, so an upload of a million rows is compared with what is in
 * force without holding its rows (they stream to the store as they are read). The fingerprint
 * is the row count and the sum of the rows' SHA-256 modulo 2^256: equal for the same rows in
 * any order, and a changed row changes it.
 */
export class UnitDigests {
  readonly #units = new Map<string, { unit: UnitRef; schools: number; teachers: number | null; students: number | null; sum: bigint }>();

  add(kind: TableKind, row: SchoolRow | MunicipalityRow): void {
    const unit = { period: row.period, kind, municipalityId: row.municipality_id };
    const k = unitKey(unit);
    let u = this.#units.get(k);
    if (!u) this.#units.set(k, (u = { unit, schools: 0, teachers: null, students: null, sum: 0n }));
    u.schools++;
    if (kind === 'schools') {
      const s = row as SchoolRow;
      if (s.teachers_total !== null) u.teachers = (u.teachers ?? 0) + s.teachers_total;
      if (s.students_total !== null) u.students = (u.students ?? 0) + s.students_total;
    }
    u.sum = (u.sum + BigInt(`0x${createHash('sha256').update(JSON.stringify(row)).digest('hex')}`)) % MOD;
  }

  /** Every unit seen, by its key. */
  summaries(): Map<string, UnitSummary> {
    return new Map(
      [...this.#units].map(([k, u]) => [k, { unit: u.unit, figures: { schools: u.schools, teachers: u.teachers, students: u.students }, fingerprint: `${u.schools}:${u.sum.toString(16)}` }]),
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
  readonly units: readonly UnitSummary[];
  readonly inForce: ReadonlyMap<string, { readonly uploadId: string; readonly summary: UnitSummary | null }>;
  readonly shrinkFraction: number;
}): ReplacementPlan {
  const replacements: Replacement[] = [];
  const warnings: { replacement: Replacement; issue: Issue }[] = [];
  let equal = input.units.length > 0;
  let duplicateOf: string | null = null;
  for (const mine of input.units) {
    const unit = mine.unit;
    const held = input.inForce.get(unitKey(unit));
    if (!held || held.uploadId === input.uploadId) {
      equal = false;
      continue;
    }
    const before = held.summary?.figures ?? EMPTY[unit.kind];
    if (held.summary && held.summary.fingerprint === mine.fingerprint) {
      duplicateOf ??= held.uploadId;
      continue;
    }
    equal = false;
    const after = mine.figures;
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
