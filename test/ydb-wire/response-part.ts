// The double's ExecuteQuery response parts, encoded without `create()` over the whole part:
// the generated serializer walks every part by reflection, the double's largest protobuf
// cost per request. A result set's column descriptors are encoded once per column list (the
// engine keeps one list per prepared statement) and each cell with the generated Value
// codec; anything else goes the generated way. The bytes are the generated serializer's
// (test/unit/ydb-wire/response-part.test.ts).
import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { IssueMessageSchema } from '@ydbjs/api/operation';
import { ExecuteQueryResponsePartSchema } from '@ydbjs/api/query';
import { ColumnSchema, ValueSchema, type Type, type Value } from '@ydbjs/api/value';

export type WireColumn = { readonly name: string; readonly type: Type };
export type Part = {
  readonly status?: number;
  readonly issues?: readonly { readonly message: string; readonly severity: number }[];
  readonly resultSetIndex?: bigint;
  readonly resultSet?: { readonly columns: readonly WireColumn[]; readonly rows: readonly { readonly items: readonly Value[] }[] };
  readonly txMeta?: { readonly id: string };
};

const PART = new Set(['status', 'issues', 'resultSetIndex', 'resultSet', 'txMeta']);
const RESULT_SET = new Set(['columns', 'rows']);
const generated = (part: Part) => toBinary(ExecuteQueryResponsePartSchema, create(ExecuteQueryResponsePartSchema, part as never));
const columnBytes = new WeakMap<readonly WireColumn[], Uint8Array>();

function columns(list: readonly WireColumn[]): Uint8Array {
  let b = columnBytes.get(list);
  if (!b) {
    const w = new BinaryWriter();
    for (const c of list) w.tag(1, WireType.LengthDelimited).bytes(toBinary(ColumnSchema, create(ColumnSchema, c)));
    columnBytes.set(list, (b = w.finish()));
  }
  return b;
}

export function encodeResponsePart(part: Part): Uint8Array {
  const rs = part.resultSet;
  if (!Object.keys(part).every((k) => PART.has(k)) || (rs && !Object.keys(rs).every((k) => RESULT_SET.has(k)))) return generated(part);
  // in field order, as the generated serializer writes them
  const w = new BinaryWriter();
  if (part.status) w.tag(1, WireType.Varint).int32(part.status);
  for (const i of part.issues ?? []) w.tag(2, WireType.LengthDelimited).bytes(toBinary(IssueMessageSchema, create(IssueMessageSchema, i)));
  if (part.resultSetIndex) w.tag(3, WireType.Varint).int64(part.resultSetIndex);
  if (rs) {
    w.tag(4, WireType.LengthDelimited).fork().raw(columns(rs.columns));
    for (const row of rs.rows) {
      // a row is a Value of items (field 12)
      w.tag(2, WireType.LengthDelimited).fork();
      for (const item of row.items) w.tag(12, WireType.LengthDelimited).bytes(toBinary(ValueSchema, item));
      w.join();
    }
    w.join();
  }
  if (part.txMeta) {
    w.tag(6, WireType.LengthDelimited).fork();
    if (part.txMeta.id) w.tag(1, WireType.LengthDelimited).string(part.txMeta.id);
    w.join();
  }
  return w.finish();
}
