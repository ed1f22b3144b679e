// Test helper: YDB result sets built the way the server sends them (typed columns, rows
// as the List<Struct> items the adapters' own encoder produces), for fakes of a session.
import type { Params } from '../../shared/adapters/ydb/client.ts';
import type { Paged } from '../../shared/adapters/ydb/queries.ts';
import type { Ydb } from '../../shared/adapters/ydb/sdk.ts';
import { col, decodeValue, listParam, ydbType, type ColumnType, type Columns, type RowOf } from '../../shared/adapters/ydb/types.ts';

export function resultSetOf<C extends Columns>(columns: C, rows: readonly RowOf<C>[], truncated = false): Ydb.IResultSet {
  return {
    columns: Object.entries(columns).map(([name, c]) => ({ name, type: ydbType(c) })),
    rows: listParam(columns, rows).value!.items!,
    truncated,
  };
}

/**
 * The page a paged statement (`q.first` or `q.next`) would return from `rows`, which are
 * sorted by `q.keys`: at most `$limit` rows, strictly after the `$after_<key>` values.
 */
export function pageOf<R extends Record<string, unknown>>(q: Paged, text: string, params: Params, rows: readonly R[], keyTypes: Readonly<Record<string, ColumnType>>): R[] {
  const limit = decodeValue(col.uint64, params.$limit!.value!) as number;
  if (text !== q.first && text !== q.next) throw new Error(`not a statement of this paged read: ${text.slice(0, 80)}`);
  if (text === q.first) return rows.slice(0, limit);
  const after = q.keys.map((k) => decodeValue(keyTypes[k]!, params[`$after_${k}`]!.value!) as string);
  const isAfter = (r: R) => {
    for (const [i, k] of q.keys.entries()) {
      const v = r[k] as string;
      if (v !== after[i]) return v > after[i]!;
    }
    return false;
  };
  const from = rows.findIndex(isAfter);
  return from < 0 ? [] : rows.slice(from, from + limit);
}
