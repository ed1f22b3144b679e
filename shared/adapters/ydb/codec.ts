// Adapter support: the YDB value codec, generic over any table. A column is a YDB type in
// our vocabulary (`col`); a set of columns gives its row type (`RowOf`), its DECLARE and
// struct texts, its protocol types, the encoding of rows as parameters and the decoding of
// result sets, so a table described once (tables.ts) cannot drift from what is sent and
// read. This file knows no table of ours. No decorators, no TypedData subclasses.
//
// Values are built directly as the protocol's messages (`@ydbjs/api/value`) rather than
// through `@ydbjs/value`'s classes: every Int64/Uint64 here is a safe JS integer on the way
// in and out (a loud RangeError otherwise), a Date travels as its day number, and a row is
// one message reused for both its size (chunking) and the request.
import { TypeSchema, Type_PrimitiveTypeId, TypedValueSchema, ValueSchema, create, type ResultSet, type Type, type TypedValue, type Value } from './sdk.ts';

// ---------------------------------------------------------------------------------------
// Column types

export type ScalarKind = 'Utf8' | 'Int64' | 'Uint64' | 'Bool' | 'Double' | 'Date' | 'Json';
export type ColumnType<K extends ScalarKind = ScalarKind, O extends boolean = boolean> = {
  readonly kind: K;
  readonly optional: O;
};

type NativeBase = { Utf8: string; Int64: number; Uint64: number; Bool: boolean; Double: number; Date: string; Json: unknown };
export type NativeOf<C extends ColumnType> =
  C extends ColumnType<infer K, infer O> ? (O extends true ? NativeBase[K] | null : NativeBase[K]) : never;
export type Columns = Readonly<Record<string, ColumnType>>;
export type RowOf<C extends Columns> = { -readonly [K in keyof C]: NativeOf<C[K]> };

const req = <K extends ScalarKind>(kind: K): ColumnType<K, false> => ({ kind, optional: false });
const opt = <K extends ScalarKind>(kind: K): ColumnType<K, true> => ({ kind, optional: true });

export const col = {
  utf8: req('Utf8'),
  int64: req('Int64'),
  uint64: req('Uint64'),
  bool: req('Bool'),
  double: req('Double'),
  date: req('Date'),
  json: req('Json'),
  opt: {
    utf8: opt('Utf8'),
    int64: opt('Int64'),
    uint64: opt('Uint64'),
    bool: opt('Bool'),
    double: opt('Double'),
    date: opt('Date'),
    json: opt('Json'),
  },
} as const;

const TYPE_IDS: Record<ScalarKind, Type_PrimitiveTypeId> = {
  Utf8: Type_PrimitiveTypeId.UTF8,
  Int64: Type_PrimitiveTypeId.INT64,
  Uint64: Type_PrimitiveTypeId.UINT64,
  Bool: Type_PrimitiveTypeId.BOOL,
  Double: Type_PrimitiveTypeId.DOUBLE,
  Date: Type_PrimitiveTypeId.DATE,
  Json: Type_PrimitiveTypeId.JSON,
};

const KIND_BY_TYPE_ID = new Map<number, ScalarKind>((Object.entries(TYPE_IDS) as [ScalarKind, number][]).map(([k, t]) => [t, k]));

const typeCache = new Map<string, Type>();

/** The protocol type of a column (one message per type, built once). */
export function ydbType(c: ColumnType): Type {
  const key = yqlType(c);
  let t = typeCache.get(key);
  if (!t) {
    const base = create(TypeSchema, { type: { case: 'typeId', value: TYPE_IDS[c.kind] } });
    t = c.optional ? create(TypeSchema, { type: { case: 'optionalType', value: { item: base } } }) : base;
    typeCache.set(key, t);
  }
  return t;
}

/** The type as YQL spells it in DECLARE and CREATE TABLE: `Utf8`, `Optional<Int64>`. */
export function yqlType(c: ColumnType): string {
  return c.optional ? `Optional<${c.kind}>` : c.kind;
}

export function yqlStruct(columns: Columns): string {
  return `Struct<${Object.entries(columns)
    .map(([n, c]) => `${n}: ${yqlType(c)}`)
    .join(', ')}>`;
}

export function structType(columns: Columns): Type {
  return create(TypeSchema, {
    type: { case: 'structType', value: { members: Object.entries(columns).map(([name, c]) => ({ name, type: ydbType(c) })) } },
  });
}

/** Reads a result column's type back into our vocabulary; null for types we never use. */
export function columnTypeOf(t: Type | null | undefined): ColumnType | null {
  if (!t) return null;
  if (t.type.case === 'optionalType') {
    const inner = columnTypeOf(t.type.value.item);
    return inner && !inner.optional ? { kind: inner.kind, optional: true } : null;
  }
  const kind = t.type.case === 'typeId' ? KIND_BY_TYPE_ID.get(t.type.value) : undefined;
  return kind ? { kind, optional: false } : null;
}

// ---------------------------------------------------------------------------------------
// Scalar values

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

function dateToDays(s: string): number {
  const m = ISO_DATE.exec(s);
  if (!m) throw new RangeError(`expected a YYYY-MM-DD date, got ${JSON.stringify(s)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2023-02-30 over into March; a date that does not round-trip is invalid.
  if (daysToDate(ms / DAY_MS) !== s) throw new RangeError(`not a calendar date: ${s}`);
  if (ms < 0) throw new RangeError(`YDB Date starts at 1970-01-01, got ${s}`);
  return ms / DAY_MS;
}

function daysToDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** 64-bit integers arrive as bigint; only safe integers become numbers. */
function int64ToNumber(v: unknown): number {
  const big = typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : null;
  if (big === null) throw new RangeError(`not a 64-bit integer: ${String(v)}`);
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`64-bit value ${big} is outside the safe integer range`);
  }
  return Number(big);
}

type ValueCase = Value['value'];

function scalar(c: ColumnType, v: unknown): ValueCase {
  switch (c.kind) {
    case 'Utf8':
      if (typeof v !== 'string') throw new RangeError(`Utf8 expects a string, got ${typeof v}`);
      return { case: 'textValue', value: v };
    case 'Json':
      return { case: 'textValue', value: JSON.stringify(v) };
    case 'Bool':
      if (typeof v !== 'boolean') throw new RangeError(`Bool expects a boolean, got ${typeof v}`);
      return { case: 'boolValue', value: v };
    case 'Double':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`Double expects a finite number, got ${String(v)}`);
      return { case: 'doubleValue', value: v };
    case 'Int64':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new RangeError(`Int64 expects a safe integer, got ${String(v)}`);
      return { case: 'int64Value', value: BigInt(v) };
    case 'Uint64':
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new RangeError(`Uint64 expects a non-negative safe integer, got ${String(v)}`);
      return { case: 'uint64Value', value: BigInt(v) };
    case 'Date':
      if (typeof v !== 'string') throw new RangeError(`Date expects a YYYY-MM-DD string, got ${typeof v}`);
      return { case: 'uint32Value', value: dateToDays(v) };
  }
}

/**
 * A Value message built as the literal protobuf-es would build it: `create()` walks the
 * schema for every value, which costs more than the rest of staging a row.
 */
function valueMessage(value: ValueCase, items: Value[] = []): Value {
  return { $typeName: 'Ydb.Value', value, items, pairs: [], variantIndex: 0, high128: 0n };
}

const NULL: ValueCase = { case: 'nullFlagValue', value: 0 as never };

/** Encodes one native value as a value of the column's type; rejects what does not fit. */
export function encodeValue(c: ColumnType, v: unknown): Value {
  if (v === null || v === undefined) {
    if (!c.optional) throw new RangeError(`null for a non-optional ${c.kind} value`);
    return valueMessage(NULL);
  }
  return valueMessage(scalar(c, v));
}

function varintBytes(n: number): number {
  let b = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    b++;
  }
  return b;
}

/** Exact protobuf size of a scalar Value (field numbers 1–12 take a one-byte tag). */
function scalarBytes(v: Value): number {
  switch (v.value.case) {
    case 'boolValue':
    case 'nullFlagValue':
      return 2;
    case 'uint32Value':
      return 5; // fixed32
    case 'int64Value':
    case 'uint64Value':
    case 'doubleValue':
      return 9; // sfixed64 / fixed64 / double
    case 'textValue': {
      const n = Buffer.byteLength(v.value.value, 'utf8');
      return 1 + varintBytes(n) + n;
    }
    default:
      throw new RangeError(`no size rule for a ${v.value.case ?? 'empty'} value`);
  }
}

/** Exact protobuf size of an encoded row as one item of a List<Struct> (its framing included). */
export function rowBytes(row: Value): number {
  let n = 0;
  for (const item of row.items) {
    const b = scalarBytes(item);
    n += 1 + varintBytes(b) + b;
  }
  return 1 + varintBytes(n) + n;
}

/** Decodes a value of the column's type (as sent on the wire) back to its native form. */
export function decodeValue(c: ColumnType, v: Value): unknown {
  if (v.value.case === 'nullFlagValue') {
    if (!c.optional) throw new RangeError(`NULL in a non-optional ${c.kind} column`);
    return null;
  }
  // Optional<T> values arrive unwrapped unless T is itself optional, which we never use.
  const inner = v.value.case === 'nestedValue' ? v.value.value.value : v.value;
  const want: Record<ScalarKind, ValueCase['case']> = {
    Utf8: 'textValue',
    Json: 'textValue',
    Bool: 'boolValue',
    Double: 'doubleValue',
    Int64: 'int64Value',
    Uint64: 'uint64Value',
    Date: 'uint32Value',
  };
  if (inner.case !== want[c.kind]) throw new RangeError(`a ${c.kind} value arrived as ${inner.case ?? 'no value'}`);
  switch (c.kind) {
    case 'Utf8':
      return inner.value as string;
    case 'Json':
      return JSON.parse(inner.value as string);
    case 'Bool':
      return inner.value as boolean;
    case 'Double':
      return inner.value as number;
    case 'Int64':
    case 'Uint64':
      return int64ToNumber(inner.value);
    case 'Date':
      return daysToDate(inner.value as number);
  }
}

/** One typed query parameter. */
export function param<C extends ColumnType>(c: C, v: NativeOf<C>): TypedValue {
  return create(TypedValueSchema, { type: ydbType(c), value: encodeValue(c, v) });
}

export function encodeRow<C extends Columns>(columns: C, row: RowOf<C>): Value {
  const items: Value[] = [];
  for (const name in columns) {
    try {
      items.push(encodeValue(columns[name]!, (row as Record<string, unknown>)[name]));
    } catch (err) {
      throw new RangeError(`column ${name}: ${(err as Error).message}`, { cause: err });
    }
  }
  return valueMessage({ case: undefined }, items);
}

/** A `List<Struct<...>>` parameter (AS_TABLE input and BulkUpsert rows) of already encoded rows. */
export function listOfEncoded(columns: Columns, rows: readonly Value[]): TypedValue {
  return create(TypedValueSchema, {
    type: create(TypeSchema, { type: { case: 'listType', value: { item: structType(columns) } } }),
    value: valueMessage({ case: undefined }, [...rows]),
  });
}

/** A `List<Struct<...>>` parameter (AS_TABLE input and BulkUpsert rows). */
export function listParam<C extends Columns>(columns: C, rows: readonly RowOf<C>[]): TypedValue {
  return listOfEncoded(columns, rows.map((r) => encodeRow(columns, r)));
}

/** A `List<T>` parameter of scalars (for `IN $list`). */
export function scalarListParam<C extends ColumnType>(c: C, values: readonly NativeOf<C>[]): TypedValue {
  return create(TypedValueSchema, {
    type: create(TypeSchema, { type: { case: 'listType', value: { item: ydbType(c) } } }),
    value: create(ValueSchema, { items: values.map((v) => encodeValue(c, v)) }),
  });
}

/**
 * Decodes the rows of a result set into `columns`. Every named column must be present with
 * the same base type; a NOT NULL column may come back as Optional (expressions widen), but
 * then a NULL in it is an error, not a silent null.
 */
export function decodeRows<C extends Columns>(rs: Pick<ResultSet, 'columns' | 'rows'>, columns: C): RowOf<C>[] {
  if (rs.rows.length === 0) return [];
  const index = new Map<string, { i: number; type: ColumnType | null }>();
  rs.columns.forEach((c, i) => index.set(c.name, { i, type: columnTypeOf(c.type) }));
  const plan = Object.entries(columns).map(([name, spec]) => {
    const found = index.get(name);
    if (!found) throw new RangeError(`result set has no column ${name}`);
    if (!found.type || found.type.kind !== spec.kind) {
      throw new RangeError(`column ${name} is ${found.type ? yqlType(found.type) : 'of an unknown type'}, expected ${yqlType(spec)}`);
    }
    if (found.type.optional && !spec.optional) return { name, i: found.i, spec: { kind: spec.kind, optional: false } as ColumnType };
    return { name, i: found.i, spec };
  });
  return rs.rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const p of plan) {
      const v = row.items[p.i];
      if (!v) throw new RangeError(`row has no value for column ${p.name}`);
      try {
        out[p.name] = decodeValue(p.spec, v);
      } catch (err) {
        throw new RangeError(`column ${p.name}: ${(err as Error).message}`, { cause: err });
      }
    }
    return out as RowOf<C>;
  });
}

// ---------------------------------------------------------------------------------------
// Table descriptions

/** A table: its columns, their order and types, its primary key and secondary indexes. */
export type TableSpec<C extends Columns = Columns> = {
  readonly name: string;
  readonly columns: C;
  readonly primaryKey: readonly (keyof C & string)[];
  readonly indexes: readonly { readonly name: string; readonly columns: readonly (keyof C & string)[] }[];
};

/**
 * Any table description, whatever its columns (what generic helpers and checks take):
 * TableSpec<C> does not widen to TableSpec<Columns>, as C's keys are also its key lists'.
 */
export type AnyTable = {
  readonly name: string;
  readonly columns: Columns;
  readonly primaryKey: readonly string[];
  readonly indexes: readonly { readonly name: string; readonly columns: readonly string[] }[];
};

/** Checks a description while keeping its columns' literal types. */
export function table<C extends Columns>(spec: TableSpec<C>): TableSpec<C> {
  return spec;
}

/** A subset of a table's columns, keeping their types (for SELECT lists and AS_TABLE structs). */
export function pick<C extends Columns, K extends keyof C & string>(columns: C, ...names: K[]): Pick<C, K> {
  return Object.fromEntries(names.map((n) => [n, columns[n]])) as Pick<C, K>;
}
