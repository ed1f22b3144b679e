// Pure: where a table's header is. Exports as people make them put a title, a period line
// and blank rows above the header, and split a header over two rows — a group cell
// («Педагоги», merged in XLSX, followed by empty cells in CSV) over its sub-headers
// («всего», «в Сфере»). The header is the row, among the first HEADER_SEARCH_ROWS, that
// maps the most contract fields, alone or combined with the row below it.
import type { HeaderMapping } from './headers.ts';

/** Rows searched for the header, title rows included. */
export const HEADER_SEARCH_ROWS = 30;

export type HeaderRow = {
  /** index into the rows searched of the (first) header row */
  readonly index: number;
  /** 1, or 2 for a group row over a sub-header row */
  readonly height: 1 | 2;
  readonly headers: string[];
  readonly mapping: HeaderMapping;
};

/**
 * The header among `rows` (their cells as text). When no row maps a field, or two rows
 * map equally many, the first row is the header: the caller's header rules then give
 * the same clear error as for a file whose first row is not a header.
 */
export function locateHeader(rows: readonly (readonly string[])[], mapHeaders: (headers: readonly string[]) => HeaderMapping): HeaderRow {
  let best: HeaderRow | null = null;
  let bestScore = 0;
  let tied = false;
  const n = Math.min(rows.length, HEADER_SEARCH_ROWS);
  for (let i = 0; i < n; i++) {
    const single = candidate(i, 1, [...rows[i]!], mapHeaders);
    // Two rows only when the pair maps more than the row alone: a header row followed by
    // data would otherwise read as a header with values appended.
    const pair = i + 1 < rows.length ? candidate(i, 2, combineHeaderRows(rows[i]!, rows[i + 1]!), mapHeaders) : null;
    const c = pair && score(pair.mapping) > score(single.mapping) ? pair : single;
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

function candidate(index: number, height: 1 | 2, headers: string[], mapHeaders: (h: readonly string[]) => HeaderMapping): HeaderRow {
  return { index, height, headers, mapping: mapHeaders(headers) };
}

/** Distinct contract fields a header maps; a header whose kind is unknown maps none that count. */
function score(m: HeaderMapping): number {
  if (m.kind === null) return 0;
  return new Set(m.columns.filter((f) => f !== null)).size;
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
