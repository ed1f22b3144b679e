// The ministry's documents as one use case, shared by the API's report routes and the
// CLI's `report`: which weeks a range holds, the inactive-schools list of its last week,
// and (with the renderers) the table, the workbook and the deck. It reads only through a
// ReadView, so the API runs it inside one snapshot and the CLI over the same SQLite read
// model; both validate their parameters with the same schema (params.ts).
import { inactiveSchools, type InactiveSchoolsList } from '../domain/inactive-schools.ts';
import type { Period } from '../domain/schemas.ts';
import type { ReadView } from '../ports/read-model.ts';

/** What the API knows of a region without reading the store: its name and municipalities. */
export type ApiRegion = { readonly code: string; readonly name: string; readonly municipalities: readonly { readonly id: string; readonly name: string }[] };

/** A range of weeks by their start dates, both inclusive; absent ends are open. */
export type WeekRange = { readonly from?: string | undefined; readonly to?: string | undefined };

/** The weeks with aggregates whose start lies in the range, ascending. */
export async function weeksInRange(view: ReadView, region: string, range: WeekRange): Promise<Period[]> {
  const from = range.from ?? '0000-01-01';
  const to = range.to ?? '9999-12-31';
  return (await view.periods(region)).filter((p) => p.start >= from && p.start <= to);
}

/** The action list of one week, municipalities named from the region's reference. */
export async function readInactiveSchools(view: ReadView, region: ApiRegion, period: Period): Promise<InactiveSchoolsList> {
  const names = new Map(region.municipalities.map((m) => [m.id, m.name]));
  return inactiveSchools({ period, schools: await view.schools(region.code, period), municipalityName: (id) => names.get(id) });
}

/** `sferum-pulse-<region>-<first start>_<last end>`, or the range asked for when it holds no week. */
export function documentName(region: string, weeks: readonly Period[], range: WeekRange, what = ''): string {
  const span = weeks.length ? `${weeks[0]!.start}_${weeks.at(-1)!.end}` : `${range.from ?? 'start'}_${range.to ?? 'end'}`;
  return `sferum-pulse-${region}${what ? `-${what}` : ''}-${span}`;
}
