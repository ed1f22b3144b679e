// Test helper: YDB result sets built the way the server sends them (typed columns, rows
// as the List<Struct> items the adapters' own encoder produces), for fakes of a session.
import { sdk, type Ydb } from '../../shared/adapters/ydb/sdk.ts';
import { listParam, type Columns, type RowOf } from '../../shared/adapters/ydb/types.ts';

const TYPES: Record<string, Ydb.IType> = {
  Utf8: sdk.Types.UTF8,
  Int64: sdk.Types.INT64,
  Uint64: sdk.Types.UINT64,
  Bool: sdk.Types.BOOL,
  Double: sdk.Types.DOUBLE,
  Date: sdk.Types.DATE,
  Json: sdk.Types.JSON,
};

export function resultSetOf<C extends Columns>(columns: C, rows: readonly RowOf<C>[], truncated = false): Ydb.IResultSet {
  const typed = listParam(columns, rows);
  return {
    columns: Object.entries(columns).map(([name, c]) => ({ name, type: c.optional ? sdk.Types.optional(TYPES[c.kind]!) : TYPES[c.kind]! })),
    rows: typed.value!.items!,
    truncated,
  };
}
