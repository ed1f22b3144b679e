// YDB types as the text YQL writes them ("Optional<Int64>", "List<Struct<a:Utf8>>"), to and
// from their protobuf form, and JS values encoded into result rows of a given type.
import { create } from '@bufbuild/protobuf';
import { type Type, TypeSchema, Type_PrimitiveTypeId as P, type Value, ValueSchema } from '@ydbjs/api/value';
import { fromYdb, toJs } from '@ydbjs/value';

const PRIMITIVES: Readonly<Record<string, P>> = {
  Bool: P.BOOL, Int8: P.INT8, Uint8: P.UINT8, Int16: P.INT16, Uint16: P.UINT16, Int32: P.INT32, Uint32: P.UINT32,
  Int64: P.INT64, Uint64: P.UINT64, Float: P.FLOAT, Double: P.DOUBLE, Date: P.DATE, Datetime: P.DATETIME,
  Timestamp: P.TIMESTAMP, Interval: P.INTERVAL, String: P.STRING, Utf8: P.UTF8, Yson: P.YSON, Json: P.JSON,
  Uuid: P.UUID, JsonDocument: P.JSON_DOCUMENT,
};
const PRIMITIVE_NAMES = new Map(Object.entries(PRIMITIVES).map(([n, id]) => [id, n]));

/** The YQL text of a protobuf type, in the form `@ydbjs/value` prints it. */
export function typeText(t: Type | undefined): string {
  const k = t?.type;
  switch (k?.case) {
    case 'typeId':
      return PRIMITIVE_NAMES.get(k.value) ?? `Primitive${k.value}`;
    case 'optionalType':
      return `Optional<${typeText(k.value.item)}>`;
    case 'listType':
      return `List<${typeText(k.value.item)}>`;
    case 'structType':
      return `Struct<${k.value.members.map((m) => `${m.name}:${typeText(m.type)}`).join(',')}>`;
    case 'tupleType':
      return `Tuple<${k.value.elements.map(typeText).join(',')}>`;
    case 'dictType':
      return `Dict<${typeText(k.value.key)},${typeText(k.value.payload)}>`;
    case 'decimalType':
      return `Decimal(${k.value.precision},${k.value.scale})`;
    case 'voidType':
      return 'Void';
    case 'nullType':
      return 'Null';
    case 'emptyListType':
      return 'EmptyList';
    default:
      return k?.case ?? 'Unknown';
  }
}

/** Splits `a:X<b,c>,d:Y` at its top-level commas. */
export function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '<' || ch === '(') depth++;
    if (ch === '>' || ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** Parses YQL type text (`Optional<Int64>`, `List<Struct<a:Utf8,b:Date>>`, `Int64?`). */
export function parseType(text: string): Type {
  const s = text.replace(/\s+/g, '');
  if (s.endsWith('?')) return create(TypeSchema, { type: { case: 'optionalType', value: { item: parseType(s.slice(0, -1)) } } });
  const m = /^(\w+)<(.*)>$/.exec(s);
  if (!m) {
    const id = PRIMITIVES[s];
    if (id === undefined) throw new TypeError(`unknown YDB type ${text}`);
    return create(TypeSchema, { type: { case: 'typeId', value: id } });
  }
  const [, head, inner] = m as unknown as [string, string, string];
  if (head === 'Optional') return create(TypeSchema, { type: { case: 'optionalType', value: { item: parseType(inner) } } });
  if (head === 'List') return create(TypeSchema, { type: { case: 'listType', value: { item: parseType(inner) } } });
  if (head === 'Tuple') return create(TypeSchema, { type: { case: 'tupleType', value: { elements: splitTop(inner).map(parseType) } } });
  if (head === 'Struct') {
    const members = splitTop(inner).map((f) => {
      const at = f.indexOf(':');
      return { name: f.slice(0, at), type: parseType(f.slice(at + 1)) };
    });
    return create(TypeSchema, { type: { case: 'structType', value: { members } } });
  }
  throw new TypeError(`unsupported YDB type ${text}`);
}

const DAY_MS = 86_400_000;

function toDate(v: unknown, what: string): Date {
  const d = v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) throw new TypeError(`${what}: ${String(v)} is not a date`);
  return d;
}

function toBig(v: unknown, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new TypeError(`${what}: ${String(v)} is not an integer`);
}

/** Encodes a JS value as a YDB value of type `t` (null/undefined only where the type is Optional). */
export function encodeValue(t: Type, v: unknown, what = 'value'): Value {
  const k = t.type;
  if (k.case === 'optionalType') {
    if (v === null || v === undefined) return create(ValueSchema, { value: { case: 'nullFlagValue', value: 0 } });
    const inner = encodeValue(k.value.item!, v, what);
    return k.value.item?.type.case === 'optionalType' ? create(ValueSchema, { value: { case: 'nestedValue', value: inner } }) : inner;
  }
  if (v === null || v === undefined) throw new TypeError(`${what}: null for non-optional ${typeText(t)}`);
  if (k.case === 'listType') {
    if (!Array.isArray(v)) throw new TypeError(`${what}: ${typeText(t)} needs an array`);
    return create(ValueSchema, { items: v.map((x, i) => encodeValue(k.value.item!, x, `${what}[${i}]`)) });
  }
  if (k.case === 'structType') {
    const o = v as Record<string, unknown>;
    return create(ValueSchema, { items: k.value.members.map((m) => encodeValue(m.type!, o[m.name], `${what}.${m.name}`)) });
  }
  if (k.case === 'tupleType') {
    const a = v as unknown[];
    return create(ValueSchema, { items: k.value.elements.map((e, i) => encodeValue(e, a[i], `${what}[${i}]`)) });
  }
  if (k.case !== 'typeId') throw new TypeError(`${what}: cannot encode ${typeText(t)}`);
  const id = k.value;
  const val = (c: Value['value']): Value => create(ValueSchema, { value: c });
  switch (id) {
    case P.BOOL:
      if (typeof v !== 'boolean') throw new TypeError(`${what}: ${String(v)} is not a Bool`);
      return val({ case: 'boolValue', value: v });
    case P.INT8: case P.INT16: case P.INT32:
      return val({ case: 'int32Value', value: Number(toBig(v, what)) });
    case P.UINT8: case P.UINT16: case P.UINT32:
      return val({ case: 'uint32Value', value: Number(toBig(v, what)) });
    case P.INT64: case P.INTERVAL:
      return val({ case: 'int64Value', value: toBig(v, what) });
    case P.UINT64:
      return val({ case: 'uint64Value', value: toBig(v, what) });
    case P.FLOAT:
      return val({ case: 'floatValue', value: Number(v) });
    case P.DOUBLE:
      if (typeof v !== 'number') throw new TypeError(`${what}: ${String(v)} is not a Double`);
      return val({ case: 'doubleValue', value: v });
    case P.DATE:
      return val({ case: 'uint32Value', value: Math.floor(toDate(v, what).getTime() / DAY_MS) });
    case P.DATETIME:
      return val({ case: 'uint32Value', value: Math.floor(toDate(v, what).getTime() / 1000) });
    case P.TIMESTAMP:
      return val({ case: 'uint64Value', value: BigInt(toDate(v, what).getTime()) * 1000n });
    case P.STRING:
      return val({ case: 'bytesValue', value: typeof v === 'string' ? new TextEncoder().encode(v) : (v as Uint8Array) });
    case P.JSON: case P.JSON_DOCUMENT:
      return val({ case: 'textValue', value: typeof v === 'string' ? v : JSON.stringify(v) });
    case P.UTF8: case P.YSON: case P.UUID:
      if (typeof v !== 'string') throw new TypeError(`${what}: ${String(v)} is not a ${typeText(t)} string`);
      return val({ case: 'textValue', value: v });
    default:
      throw new TypeError(`${what}: cannot encode ${typeText(t)}`);
  }
}

/** A YDB value as JS, the way `@ydbjs/query` hands it to the adapters. */
export function decodeValue(t: Type, v: Value): unknown {
  return toJs(fromYdb(v, t));
}
