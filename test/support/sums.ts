// Test helper: a table's totals summed by hand from its rows, named as the sample manifest
// and the metric ids name them. Expected values for checks of the pipeline's metrics, so
// nothing here may come from shared/domain/metrics.ts.
import { SCHOOL_COUNT_FIELDS, type SchoolCountField } from '../../shared/domain/schemas.ts';

type Flags = { readonly in_sferum: boolean; readonly admin_active: boolean };
type Counted = Flags & { readonly [K in SchoolCountField]?: number | null };

/** Schools, registered and inactive ones, and each count summed; a count no row has is null. */
export function schoolSums(rows: readonly Counted[]) {
  const sum = (k: SchoolCountField) => (rows.some((r) => typeof r[k] === 'number') ? rows.reduce((s, r) => s + (r[k] ?? 0), 0) : null);
  return {
    schools_total: rows.length,
    schools_in_sferum: rows.filter((r) => r.in_sferum).length,
    schools_inactive: rows.filter((r) => r.in_sferum && !r.admin_active).length,
    ...(Object.fromEntries(SCHOOL_COUNT_FIELDS.map((k) => [k, sum(k)])) as Record<SchoolCountField, number | null>),
  };
}

/** Authorities, registered and inactive ones. */
export function municipalitySums(rows: readonly Flags[]) {
  return {
    mouo_total: rows.length,
    mouo_in_sferum: rows.filter((r) => r.in_sferum).length,
    mouo_inactive: rows.filter((r) => r.in_sferum && !r.admin_active).length,
  };
}
