// The codec between native values and YDB typed values, both ways, through the real
// protobuf wire encoding (so 64-bit integers come back as bigints, as they do from a
// server), and the decoding of result sets by column name and type.
import { describe, expect, test } from 'vitest';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { TypeSchema, Type_PrimitiveTypeId, ValueSchema, type Value } from '@ydbjs/api/value';
import { col, columnTypeOf, decodeRows, decodeValue, encodeValue, param, yqlStruct, yqlType, type ColumnType } from '../../../../shared/adapters/ydb/codec.ts';
import { receivedResultSet } from '../../../support/ydb-results.ts';

/** Encodes a value to protobuf bytes and back, as the server would send it. */
function wire(v: Value): Value {
  return fromBinary(ValueSchema, toBinary(ValueSchema, v));
}

const value = (v: Value['value']) => create(ValueSchema, { value: v });
const primitive = (id: Type_PrimitiveTypeId) => create(TypeSchema, { type: { case: 'typeId', value: id } });

function roundTrip(c: ColumnType, v: unknown): unknown {
  return decodeValue(c, wire(encodeValue(c, v)));
}

describe('scalar values', () => {
  test('Utf8 keeps Cyrillic, emoji and empty strings', () => {
    for (const s of ['МБОУ СОШ № 1', '😀 school', '']) expect(roundTrip(col.utf8, s)).toBe(s);
  });

  test('Int64 round-trips negatives, zero, values above 2^32 and the safe-integer edges', () => {
    for (const n of [0, -1, 3_000_000_000, -3_000_000_000, 1_700_000_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      expect(roundTrip(col.int64, n)).toBe(n);
    }
  });

  test('Uint64 round-trips values between 2^31 and 2^32 (where the SDK decoder goes negative)', () => {
    for (const n of [0, 2_147_483_648, 3_000_000_000, 4_294_967_295, 4_294_967_296, Number.MAX_SAFE_INTEGER]) {
      expect(roundTrip(col.uint64, n)).toBe(n);
    }
  });

  test('64-bit values outside the safe range are refused both ways', () => {
    expect(() => encodeValue(col.int64, 2 ** 53)).toThrow(RangeError);
    expect(() => encodeValue(col.uint64, -1)).toThrow(RangeError);
    expect(() => encodeValue(col.int64, 1.5)).toThrow(RangeError);
    expect(() => decodeValue(col.uint64, wire(value({ case: 'uint64Value', value: 2n ** 64n - 1n })))).toThrow(/safe integer/);
    expect(() => decodeValue(col.int64, wire(value({ case: 'int64Value', value: -(2n ** 60n) })))).toThrow(/safe integer/);
  });

  test('Bool and Double round-trip; a non-finite Double is refused', () => {
    expect(roundTrip(col.bool, true)).toBe(true);
    expect(roundTrip(col.bool, false)).toBe(false);
    for (const x of [0, 0.1 + 0.2, -1e-300, 1.0000000000000002]) expect(roundTrip(col.double, x)).toBe(x);
    expect(() => encodeValue(col.double, Number.NaN)).toThrow(RangeError);
  });

  test('Date round-trips civil dates, leap days and the turn of a year as days since 1970', () => {
    for (const d of ['1970-01-01', '2023-03-06', '2024-02-29', '2022-12-31', '2023-01-01', '2105-12-31']) expect(roundTrip(col.date, d)).toBe(d);
    expect(encodeValue(col.date, '2023-03-06').value).toEqual({ case: 'uint32Value', value: 19422 });
  });

  test('impossible or badly formatted dates are refused', () => {
    for (const d of ['2023-02-30', '2023-3-6', '06.03.2023', '1969-12-31', '2106-01-01']) expect(() => encodeValue(col.date, d)).toThrow(RangeError);
  });

  test('Json round-trips objects, arrays and Cyrillic text', () => {
    const v = { a: [1, null, 'Будённовский'], b: { c: true } };
    expect(roundTrip(col.json, v)).toEqual(v);
  });

  test('Optional columns carry null both ways; non-optional ones refuse it', () => {
    for (const c of Object.values(col.opt)) expect(roundTrip(c, null)).toBeNull();
    expect(roundTrip(col.opt.int64, 42)).toBe(42);
    expect(roundTrip(col.opt.utf8, 'x')).toBe('x');
    expect(() => encodeValue(col.utf8, null)).toThrow(/non-optional/);
    expect(() => decodeValue(col.int64, wire(value({ case: 'nullFlagValue', value: 0 as never })))).toThrow(/NULL in a non-optional/);
    expect(() => decodeValue(col.int64, wire(value({ case: 'textValue', value: '5' })))).toThrow(/arrived as textValue/);
  });

  test('wrong native types are refused instead of coerced', () => {
    expect(() => encodeValue(col.utf8, 5)).toThrow(RangeError);
    expect(() => encodeValue(col.bool, 'true')).toThrow(RangeError);
    expect(() => encodeValue(col.int64, '5')).toThrow(RangeError);
  });

  test('types render as YQL spells them', () => {
    expect(yqlType(col.utf8)).toBe('Utf8');
    expect(yqlType(col.opt.int64)).toBe('Optional<Int64>');
    expect(yqlStruct({ a: col.date, b: col.opt.json })).toBe('Struct<a: Date, b: Optional<Json>>');
    const p = param(col.uint64, 7);
    expect(p.type?.type).toEqual({ case: 'typeId', value: Type_PrimitiveTypeId.UINT64 });
    expect(p.value?.value).toEqual({ case: 'uint64Value', value: 7n });
    const optDate = create(TypeSchema, { type: { case: 'optionalType', value: { item: primitive(Type_PrimitiveTypeId.DATE) } } });
    expect(columnTypeOf(optDate)).toEqual({ kind: 'Date', optional: true });
    expect(columnTypeOf(primitive(Type_PrimitiveTypeId.TIMESTAMP))).toBeNull();
  });
});

describe('result sets', () => {
  const cols = { id: col.utf8, n: col.opt.int64, d: col.date };

  test('rows decode by column name, whatever the column order', () => {
    const rs = receivedResultSet({ d: col.date, n: col.opt.int64, id: col.utf8 }, [{ d: '2023-03-06', n: null, id: 'a' }]);
    expect(decodeRows(rs, cols)).toEqual([{ id: 'a', n: null, d: '2023-03-06' }]);
  });

  test('a missing column or a different base type fails loudly', () => {
    const rs = receivedResultSet({ id: col.utf8, n: col.opt.int64 }, [{ id: 'a', n: 1 }]);
    expect(() => decodeRows(rs, cols)).toThrow(/no column d/);
    const wrong = receivedResultSet({ id: col.utf8, n: col.opt.double, d: col.date }, [{ id: 'a', n: 1.5, d: '2023-03-06' }]);
    expect(() => decodeRows(wrong, cols)).toThrow(/column n is Optional<Double>, expected Optional<Int64>/);
  });

  test('a NOT NULL column widened to Optional decodes, but a NULL in it fails', () => {
    const widened = receivedResultSet({ id: col.opt.utf8, n: col.opt.int64, d: col.date }, [{ id: 'a', n: 1, d: '2023-03-06' }]);
    expect(decodeRows(widened, cols)).toEqual([{ id: 'a', n: 1, d: '2023-03-06' }]);
    const nulls = receivedResultSet({ id: col.opt.utf8, n: col.opt.int64, d: col.date }, [{ id: null, n: 1, d: '2023-03-06' }]);
    expect(() => decodeRows(nulls, cols)).toThrow(/column id: NULL/);
  });
});
