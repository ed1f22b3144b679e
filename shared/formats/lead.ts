// A table's first rows held back for the header search (the header may sit below a title),
// and the rows after them continuing the reader's single-pass stream.
import type { RawRow, RawTable } from './raw-table.ts';

/** The reader's header row and up to `n - 1` rows after it, and the rows after those. */
export async function readLead(table: RawTable, n: number): Promise<{ lead: RawRow[]; rest: AsyncIterable<RawRow> | Iterable<RawRow> }> {
  const it = table.rows[Symbol.asyncIterator]();
  const lead: RawRow[] = [{ row: table.headerRow, cells: table.headers }];
  while (lead.length < n) {
    const r = await it.next();
    if (r.done) return { lead, rest: [] };
    lead.push(r.value);
  }
  return { lead, rest: { [Symbol.asyncIterator]: () => it } };
}

/** `first` then `rest`, as one stream. */
export async function* concatRows(first: readonly RawRow[], rest: AsyncIterable<RawRow> | Iterable<RawRow>): AsyncGenerator<RawRow> {
  yield* first;
  yield* rest;
}
