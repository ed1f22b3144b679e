// Pure: where a table's header is. Exports as people make them put a title, a period line
// and blank rows above the header, and split a header over up to four rows — a group cell
// («Педагоги», merged in XLSX, followed by empty cells in CSV) over its sub-headers
// («всего», «в Сфере»), and a units row («чел.», «%»). The header is the row, among the
// first HEADER_SEARCH_ROWS, that maps the most contract fields, alone or combined with
// the rows below it.
import type { HeaderMapping } from './headers.ts';

/** Rows searched for the header, title rows included. */
export const HEADER_SEARCH_ROWS = 30;

/** The most rows one header spans: group, sub-group, sub-header and a units row. */
export const MAX_HEADER_ROWS = 4;

export type HeaderRow = {
  /** index into the rows searched of the (first) header row */
  readonly index: number;
  /** 1 to MAX_HEADER_ROWS: group rows over sub-headers, a units row included */
  readonly height: number;
  readonly headers: string[];
  /** `mapping.notes` holds the columns matched only by combining rows (and by folding look-alikes) */
  readonly mapping: HeaderMapping;
};

type MapHeaders = (headers: readonly string[]) => HeaderMapping;

/**
 * The header among `rows` (their cells as text). Each row is tried alone and over up to
 * three rows below it (a units row among them is recognised and never data); a taller
 * header must map more fields than a shorter one at the same row. When no row maps a
 * field, or two rows map equally many, the first row is the header: the caller's header
 * rules then give the same clear error as for a file whose first row is not a header.
 */
export function locateHeader(rows: readonly (readonly string[])[], mapHeaders: MapHeaders): HeaderRow {
  let best: HeaderRow | null = null;
  let bestScore = 0;
  let tied = false;
  const n = Math.min(rows.length, HEADER_SEARCH_ROWS);
  for (let i = 0; i < n; i++) {
    if (isUnitsRow(rows[i]!)) continue;
    let c = candidate(i, 1, [...rows[i]!], mapHeaders);
    let combined = [...rows[i]!];
    let fromTop = combined.map((c) => c.trim() !== '');
    let notes: HeaderMapping['notes'] = [];
    // Rows below are added one by one; the header only grows while that maps more fields,
    // so a header followed by data never reads as a header with values appended.
    for (let h = 2; h <= MAX_HEADER_ROWS && i + h - 1 < n; h++) {
      const next = rows[i + h - 1]!;
      if (isUnitsRow(next)) {
        if (h - 1 === c.height) c = { ...c, height: h };
        continue;
      }
      // a row of numbers and dates is data: the header ends above it
      if (looksLikeData(next)) break;
      const step = combineMapped(combined, next, fromTop, mapHeaders);
      combined = step.headers;
      fromTop = step.fromTop;
      notes = [...notes.filter((x) => !step.replaced.has(x.index)), ...step.notes];
      const mapping = mapHeaders(combined);
      const tall = { index: i, height: h, headers: combined, mapping: { ...mapping, notes: [...mapping.notes, ...notes] } };
      // The top row must still be part of some mapped header: a title above a complete
      // header adds nothing, and the header is found one row lower.
      const topCounts = mapping.columns.some((f, j) => f !== null && fromTop[j]);
      if (topCounts && score(tall.mapping) > score(c.mapping)) c = tall;
    }
    const s = score(c.mapping);
    if (s > bestScore) {
      best = c;
      bestScore = s;
      tied = false;
    } else if (s === bestScore && s > 0 && best !== null && i >= best.index + best.height) {
      tied = true;
    }
  }
  if (best === null || tied) return candidate(0, 1, [...(rows[0] ?? [])], mapHeaders);
  return best;
}

function candidate(index: number, height: number, headers: string[], mapHeaders: MapHeaders): HeaderRow {
  return { index, height, headers, mapping: mapHeaders(headers) };
}

/** Distinct contract fields a header maps; a header whose kind is unknown maps none that count. */
function score(m: HeaderMapping): number {
  if (m.kind === null) return 0;
  return new Set(m.columns.filter((f) => f !== null)).size;
}

const NUMERIC = /^[\d\s\u00a0.,:/–—-]+$/u;

/** Most of the row's non-empty cells are numbers, INNs or dates: a data row, never a header row. */
function looksLikeData(cells: readonly string[]): boolean {
  let filled = 0;
  let numeric = 0;
  for (const c of cells) {
    if (c === '') continue;
    filled++;
    if (NUMERIC.test(c)) numeric++;
  }
  return filled > 0 && numeric * 2 >= filled;
}

/** What a units row holds: «чел.», «%», «ед.», «шт.», alone or in brackets. */
const UNITS: ReadonlySet<string> = new Set(['чел', 'человек', '%', 'ед', 'шт', 'да/нет', 'кол-во']);

/** A row of units under a header («чел.», «%»): at least one, and nothing else but blanks. */
export function isUnitsRow(cells: readonly string[]): boolean {
  let units = 0;
  for (const c of cells) {
    const t = c.trim().toLowerCase().replace(/^\(|\)$/gu, '').replace(/\.$/u, '').trim();
    if (t === '') continue;
    if (!UNITS.has(t)) return false;
    units++;
  }
  return units > 0;
}

/**
 * One more header row under `top`, column by column: a sub-header alone when it maps a
 * field, the group label before it only where that maps a field better — the sub-header
 * alone maps nothing («Период» + «с» → «Период с»), or a field another column already has
 * («Педагоги» + «в Сфере» beside a school's own «В Сфере»). «Активность педагогов за
 * неделю» over «Педагогов, создавших ≥1 чат» stays the sub-header. A blank under a group
 * keeps the group (a merged group cell). `notes` names the columns that matched only
 * after combining; `fromTop[j]` stays true while column j's text still includes the top row.
 */
function combineMapped(
  top: readonly string[],
  sub: readonly string[],
  fromTop: readonly boolean[],
  mapHeaders: MapHeaders,
): { headers: string[]; notes: HeaderMapping['notes']; replaced: Set<number>; fromTop: boolean[] } {
  const glued = combineHeaderRows(top, sub);
  const kept = glued.map((_, j) => {
    const s = (sub[j] ?? '').trim();
    return s === '' || s === (top[j] ?? '').trim();
  });
  const alone = glued.map((g, j) => (kept[j] ? g : (sub[j] ?? '').trim()));
  const fieldOf = fieldLookup(mapHeaders);
  const byAlone = alone.map((h, j) => (kept[j] ? null : fieldOf(h)));
  const byGlued = glued.map(fieldOf);
  // First choice per column: the sub-header alone if it maps, else the glued text.
  const useGlued = glued.map((_, j) => !kept[j] && byAlone[j] == null);
  const chosen = (j: number) => (kept[j] || useGlued[j] ? byGlued[j] : byAlone[j]) ?? null;
  const count = new Map<string, number>();
  for (let j = 0; j < glued.length; j++) {
    const f = chosen(j);
    if (f) count.set(f, (count.get(f) ?? 0) + 1);
  }
  for (let j = 0; j < glued.length; j++) {
    const a = byAlone[j];
    const g = byGlued[j];
    if (kept[j] || useGlued[j] || a == null || g == null || g === a) continue;
    if ((count.get(a) ?? 0) > 1 && !count.has(g)) {
      useGlued[j] = true;
      count.set(a, count.get(a)! - 1);
      count.set(g, 1);
    }
  }
  const headers: string[] = [];
  const notes: HeaderMapping['notes'] = [];
  const replaced = new Set<number>();
  const nextFromTop: boolean[] = [];
  for (let j = 0; j < glued.length; j++) {
    if (kept[j]) {
      headers.push(glued[j]!);
      nextFromTop.push(fromTop[j] ?? false);
      continue;
    }
    replaced.add(j);
    if (useGlued[j]) {
      headers.push(glued[j]!);
      nextFromTop.push((fromTop[j] ?? false) && glued[j] !== alone[j]);
      if (byGlued[j] != null) notes.push({ index: j, header: glued[j]!, field: byGlued[j]!, code: 'combined' });
    } else {
      headers.push(alone[j]!);
      nextFromTop.push(false);
    }
  }
  return { headers, notes, replaced, fromTop: nextFromTop };
}

/** One header's field: the mapper's own per-text lookup when it has one, else a one-column mapping. */
function fieldLookup(mapHeaders: MapHeaders): (h: string) => HeaderMapping['columns'][number] {
  const own = (mapHeaders as MapHeaders & { fieldOf?: (h: string) => HeaderMapping['columns'][number] }).fieldOf;
  return own ?? ((h) => (h.trim() === '' ? null : (mapHeaders([h]).columns[0] ?? null)));
}

/**
 * A group row over a sub-header row, as one header: a sub-header takes the group cell
 * above it or, where that is empty, the nearest group cell to its left («Педагоги» +
 * «всего» → «Педагоги всего»); a column without a sub-header keeps its own cell (a cell
 * merged down over both rows, or repeated in both, is taken once).
 */
export function combineHeaderRows(top: readonly string[], sub: readonly string[]): string[] {
  const out: string[] = [];
  let group = '';
  for (let j = 0; j < Math.max(top.length, sub.length); j++) {
    const t = (top[j] ?? '').trim();
    const s = (sub[j] ?? '').trim();
    if (t !== '') group = t;
    else if (s === '') group = '';
    if (s === '' || s === t) out.push(t);
    else out.push(group === '' ? s : `${group} ${s}`);
  }
  return out;
}
