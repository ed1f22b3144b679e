// Pure: the totals rows of one table («Итого», «Всего») are skipped as data and checked
// instead: each count they state against the sum of the rows accepted. A row withdrawn by a
// later conflict (duplicate-rule.ts) leaves the sums again.
import { cellText, type CellValue } from './cell.ts';
import { IssueCode } from './errors.ts';
import { parseCount } from './normalise/count.ts';
import { foldText } from './normalise/text.ts';
import type { IssueAt } from './row-reader.ts';
import type { FieldName, Issue, SchoolCountField, SchoolRow, TableKind } from './schemas.ts';

// Totals rows kept for the sums check: a table has one, a garbage file may have thousands.
const MAX_TOTALS_ROWS = 100;

// A cheap look at the raw text first: folding every row's names just to find the one
// totals row cost a fifth of the ingest's CPU (bench profile).
const TOTALS_HINT = /^[\s\u00a0]*[ИиВв]/u;
const isLabel = (v: CellValue) => {
  const t = cellText(v);
  if (!TOTALS_HINT.test(t)) return false;
  const f = foldText(t);
  return f.startsWith('итого') || f.startsWith('всего');
};

export class TotalsCheck {
  readonly #sums = new Map<SchoolCountField, number>();
  readonly #rows: { row: number; values: Map<SchoolCountField, number | null> }[] = [];

  /** `counts`: the count columns the table has, in the order a withdrawal gives its counts. */
  constructor(
    private readonly kind: TableKind,
    private readonly counts: readonly SchoolCountField[],
    private readonly cell: (cells: readonly CellValue[], f: FieldName) => CellValue,
  ) {}

  /** A labelled row without a school key: a totals row, not a school. */
  isTotalsRow(cells: readonly CellValue[]): boolean {
    const { kind, cell } = this;
    if (!isLabel(cell(cells, kind === 'schools' ? 'school_name' : 'municipality')) && !isLabel(cell(cells, 'municipality'))) return false;
    const key = kind === 'schools' ? cell(cells, 'school_inn') : null;
    return key === null || key === '';
  }

  /** Keeps a totals row's stated counts for the check at the end. */
  note(row: number, cells: readonly CellValue[]): void {
    if (this.#rows.length >= MAX_TOTALS_ROWS) return;
    const values = new Map<SchoolCountField, number | null>();
    for (const f of this.counts) {
      const r = parseCount(this.cell(cells, f));
      values.set(f, r.ok ? r.value : null);
    }
    this.#rows.push({ row, values });
  }

  add(r: SchoolRow): void {
    for (const f of this.counts) {
      const v = r[f];
      if (v !== null) this.#sums.set(f, (this.#sums.get(f) ?? 0) + v);
    }
  }

  /** Takes a withdrawn row out of the sums: its counts as the duplicate rule kept them. */
  withdraw(counts: readonly (number | null)[]): void {
    this.counts.forEach((f, i) => {
      const v = counts[i] ?? null;
      if (v !== null) this.#sums.set(f, (this.#sums.get(f) ?? 0) - v);
    });
  }

  /** The warnings of the check: each stated count that differs from the sum, and that a totals row was skipped. */
  warnings(issue: IssueAt): Issue[] {
    const out: Issue[] = [];
    for (const t of this.#rows) {
      for (const [f, stated] of t.values) {
        const computed = this.#sums.get(f) ?? 0;
        if (stated !== null && stated !== computed) out.push(issue(IssueCode.TotalsMismatch, `totals row says ${f} = ${stated}, the accepted rows sum to ${computed}`, t.row, f, stated));
      }
    }
    if (this.#rows.length > 0) out.push(issue(IssueCode.TotalsRowSkipped, 'a totals row was skipped and checked against the computed sums', this.#rows[0]!.row, null, null));
    return out;
  }
}
