// Adapter support: the YDB value codec, generic over any table. A column is a YDB type in
// our vocabulary (`col`); a set of columns gives its row type (`RowOf`), its DECLARE and
// struct texts, its protocol types, the encoding of rows as parameters and the decoding of
// result sets, so a table described once (tables.ts) cannot drift from what is sent and
// read. This file knows no table of ours.
//
// Values are built directly as the protocol's messages (`@ydbjs/api/value`) rather than
// through `@ydbjs/value`: its `fromJs` infers types from JS values (a number becomes Int32),
// its classes build every value with `create()` and load date-fns, and its `toJs` gives
// bigints and Date objects. Here every Int64/Uint64 is a safe JS integer on the way in and
// out (a loud RangeError otherwise), a Date travels as its day number, and a row is one
// message reused for both its size (chunking) and the request.
import { TypeSchema, Type_PrimitiveTypeId as P, TypedValueSchema, create, type ResultSet, type Type, type TypedValue, type Value } from './sdk.ts';

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

// ---------------------------------------------------------------------------------------
// Scalar values

type ValueCase = Value['value'];
type Field = Exclude<ValueCase['case'], undefined>;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** YDB's Date is a day count up to 2105-12-31; a later value would be refused by the server or stored wrapped. */
const LAST_DATE_MS = Date.UTC(2105, 11, 31);

function dateToDays(s: string): number {
  const m = ISO_DATE.exec(s);
  if (!m) throw new RangeError(`expected a YYYY-MM-DD date, got ${JSON.stringify(s)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2023-02-30 over into March; a date that does not round-trip is invalid.
  if (daysToDate(ms / DAY_MS) !== s) throw new RangeError(`not a calendar date: ${s}`);
  if (ms < 0) throw new RangeError(`YDB Date starts at 1970-01-01, got ${s}`);
  if (ms > LAST_DATE_MS) throw new RangeError(`YDB Date ends at 2105-12-31, got ${s}`);
  return ms / DAY_MS;
}

function daysToDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** 64-bit integers arrive as bigint; only safe integers become numbers. */
function safeNumber(v: unknown): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`64-bit value ${String(v)} is outside the safe integer range`);
  return n;
}

function refuse(kind: ScalarKind, expected: string, v: unknown): never {
  throw new RangeError(`${kind} expects ${expected}, got ${typeof v === 'number' ? v : typeof v}`);
}

const isSafe = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** Each kind: its protocol type id, the Value field it travels in, and its checked conversions. */
const SCALARS: { readonly [K in ScalarKind]: { id: P; field: Field; encode(v: unknown): unknown; decode(v: unknown): NativeBase[K] } } = {
  Utf8: { id: P.UTF8, field: 'textValue', encode: (v) => (typeof v === 'string' ? v : refuse('Utf8', 'a string', v)), decode: (v) => v as string },
  Json: { id: P.JSON, field: 'textValue', encode: (v) => JSON.stringify(v), decode: (v) => JSON.parse(v as string) },
  Bool: { id: P.BOOL, field: 'boolValue', encode: (v) => (typeof v === 'boolean' ? v : refuse('Bool', 'a boolean', v)), decode: (v) => v as boolean },
  Double: {
    id: P.DOUBLE,
    field: 'doubleValue',
    encode: (v) => (typeof v === 'number' && Number.isFinite(v) ? v : refuse('Double', 'a finite number', v)),
    decode: (v) => v as number,
  },
  Int64: { id: P.INT64, field: 'int64Value', encode: (v) => (isSafe(v) ? BigInt(v) : refuse('Int64', 'a safe integer', v)), decode: safeNumber },
  Uint64: {
    id: P.UINT64,
    field: 'uint64Value',
    encode: (v) => (isSafe(v) && v >= 0 ? BigInt(v) : refuse('Uint64', 'a non-negative safe integer', v)),
    decode: safeNumber,
  },
  Date: { id: P.DATE, field: 'uint32Value', encode: (v) => (typeof v === 'string' ? dateToDays(v) : refuse('Date', 'a YYYY-MM-DD string', v)), decode: (v) => daysToDate(v as number) },
};

const KIND_BY_TYPE_ID = new Map((Object.keys(SCALARS) as ScalarKind[]).map((k) => [SCALARS[k].id as number, k]));

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
  const s = SCALARS[c.kind];
  return valueMessage({ case: s.field, value: s.encode(v) } as ValueCase);
}

/** Decodes a value of the column's type (as sent on the wire) back to its native form. */
export function decodeValue(c: ColumnType, v: Value): unknown {
  if (v.value.case === 'nullFlagValue') {
    if (!c.optional) throw new RangeError(`NULL in a non-optional ${c.kind} column`);
    return null;
  }
  // Optional<T> values arrive unwrapped unless T is itself optional, which we never use.
  const inner = v.value.case === 'nestedValue' ? v.value.value.value : v.value;
  const s = SCALARS[c.kind];
  if (inner.case !== s.field) throw new RangeError(`a ${c.kind} value arrived as ${inner.case ?? 'no value'}`);
  return s.decode(inner.value);
}

// ---------------------------------------------------------------------------------------
// Protocol and YQL types

const typeCache = new Map<string, Type>();

/** The protocol type of a column (one message per type, built once). */
export function ydbType(c: ColumnType): Type {
  const key = yqlType(c);
  let t = typeCache.get(key);
  if (!t) {
    const base = create(TypeSchema, { type: { case: 'typeId', value: SCALARS[c.kind].id } });
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

function structType(columns: Columns): Type {
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
// Parameters and rows

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

function listOf(item: Type, items: Value[]): TypedValue {
  return create(TypedValueSchema, { type: create(TypeSchema, { type: { case: 'listType', value: { item } } }), value: valueMessage({ case: undefined }, items) });
}

/** A `List<Struct<...>>` parameter (AS_TABLE input and BulkUpsert rows) of already encoded rows. */
export function listOfEncoded(columns: Columns, rows: readonly Value[]): TypedValue {
  return listOf(structType(columns), [...rows]);
}

/** A `List<Struct<...>>` parameter (AS_TABLE input and BulkUpsert rows). */
export function listParam<C extends Columns>(columns: C, rows: readonly RowOf<C>[]): TypedValue {
  return listOfEncoded(columns, rows.map((r) => encodeRow(columns, r)));
}

/** A `List<T>` parameter of scalars (for `IN $list`). */
export function scalarListParam<C extends ColumnType>(c: C, values: readonly NativeOf<C>[]): TypedValue {
  return listOf(ydbType(c), values.map((v) => encodeValue(c, v)));
}

function varintBytes(n: number): number {
  let b = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    b++;
  }
  return b;
}

/** Exact protobuf size of a scalar Value with its one-byte tag (fields 1–12): bool and null flag are varints, fixed32, fixed64. */
const FIXED_BYTES: Partial<Record<Field, number>> = { boolValue: 2, nullFlagValue: 2, uint32Value: 5, int64Value: 9, uint64Value: 9, doubleValue: 9 };

function scalarBytes(v: Value): number {
  if (v.value.case === 'textValue') {
    const n = Buffer.byteLength(v.value.value, 'utf8');
    return 1 + varintBytes(n) + n;
  }
  const b = v.value.case && FIXED_BYTES[v.value.case];
  if (!b) throw new RangeError(`no size rule for a ${v.value.case ?? 'empty'} value`);
  return b;
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

/** Checks a description while keeping its columns' literal types; no `indexes`: none. */
export function table<C extends Columns>(spec: Omit<TableSpec<C>, 'indexes'> & Partial<Pick<TableSpec<C>, 'indexes'>>): TableSpec<C> {
  return { ...spec, indexes: spec.indexes ?? [] };
}

/** A subset of a table's columns, keeping their types (for SELECT lists and AS_TABLE structs). */
export function pick<C extends Columns, K extends keyof C & string>(columns: C, ...names: K[]): Pick<C, K> {
  return Object.fromEntries(names.map((n) => [n, columns[n]])) as Pick<C, K>;
}

/** Text in code-unit order, as the SQLite adapters' BINARY collation sorts it: the adapters order what they read in memory by it. */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
