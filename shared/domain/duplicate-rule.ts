// Pure: the duplicate and branch rules of one table's school rows, as decisions. A school
// (period + school key) seen first is kept; an identical repeat is counted once; a
// conflicting repeat rejects both rows. Rows stream out as they are decided, so a conflict
// that arrives after its first row was handed out withdraws that row: the decision names it
// (`withdraws`), with its counts, so the caller takes it out of what it staged and the totals
// check takes it out of its sums. Holding every row back until the table ends instead would
// keep a million rows in memory (compact-keys.ts keeps ~40 bytes a school).
import { HashIndex, SeenSchools } from './compact-keys.ts';
import { periodKey, SCHOOL_COUNT_FIELDS, type Period, type SchoolCountField, type SchoolRow } from './schemas.ts';

/** A school row handed out earlier that a conflicting repeat now rejects. */
export type Withdrawal = { readonly period: Period; readonly schoolKey: string; readonly counts: readonly (number | null)[] };

export type DuplicateDecision =
  | { readonly kind: 'new'; readonly possibleBranch: boolean }
  | { readonly kind: 'too_many' }
  | { readonly kind: 'repeat'; readonly firstRow: number; readonly possibleBranch: boolean }
  /** `firstConflict`: this is the school's first conflict, so its first row is reported (and withdrawn when it was handed out) now */
  | { readonly kind: 'conflict'; readonly firstRow: number; readonly firstConflict: boolean; readonly withdraws: Withdrawal | null; readonly possibleBranch: boolean };

export class DuplicateRule {
  readonly #seen: SeenSchools;
  // the branch rule (no KPP column): INNs seen, and INN + name pairs seen
  readonly #inns = new HashIndex();
  readonly #innNames = new HashIndex();

  /** `counts`: the count columns the table has (their values are kept, in this order, for a withdrawal). */
  constructor(
    readonly counts: readonly SchoolCountField[],
    private readonly hasKpp: boolean,
    private readonly maxSchools: number,
  ) {
    this.#seen = new SeenSchools(counts.length);
  }

  decide(r: SchoolRow, row: number): DuplicateDecision {
    const k = `${periodKey(r.period)}|${r.school_key}`;
    const prev = this.#seen.find(k);
    if (prev < 0 && this.#seen.size >= this.maxSchools) return { kind: 'too_many' };
    const possibleBranch = this.#branch(r);
    const fingerprint = schoolFingerprint(r);
    if (prev < 0) {
      this.#seen.add(k, row, fingerprint, this.counts.map((f) => r[f]));
      return { kind: 'new', possibleBranch };
    }
    const firstRow = this.#seen.row(prev);
    if (!this.#seen.conflicted(prev) && this.#seen.sameValues(prev, fingerprint)) return { kind: 'repeat', firstRow, possibleBranch };
    const firstConflict = !this.#seen.conflicted(prev);
    const withdraws = firstConflict && this.#seen.emitted(prev) ? { period: r.period, schoolKey: r.school_key, counts: this.#seen.counts(prev) } : null;
    if (firstConflict) this.#seen.markConflicted(prev);
    return { kind: 'conflict', firstRow, firstConflict, withdraws, possibleBranch };
  }

  /** Without a KPP column, an INN seen before with another name may be a branch (kept as its own unit). */
  #branch(r: SchoolRow): boolean {
    if (this.hasKpp) return false;
    const innSeen = this.#inns.upsert(r.school_inn).added === false;
    return this.#innNames.upsert(r.school_key).added && innSeen;
  }
}

/** The values that tell an identical repeat from a conflicting one, as one comparable string. */
function schoolFingerprint(r: SchoolRow): string {
  return JSON.stringify([r.municipality_id, r.school_name, r.in_sferum, r.admin_active, ...SCHOOL_COUNT_FIELDS.map((f) => r[f])]);
}
