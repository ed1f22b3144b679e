// The double's hand-encoded ExecuteQuery response parts against the generated serializer:
// the same bytes for every shape the double answers, the first time and from the cached
// column descriptors.
import { create, toBinary } from '@bufbuild/protobuf';
import { StatusIds_StatusCode as S } from '@ydbjs/api/operation';
import { ExecuteQueryResponsePartSchema } from '@ydbjs/api/query';
import { describe, expect, test } from 'vitest';
import { encodeResponsePart, type Part } from '../../ydb-wire/response-part.ts';
import { encodeValue, parseType } from '../../ydb-wire/types.ts';

const generated = (part: Part) => Buffer.from(toBinary(ExecuteQueryResponsePartSchema, create(ExecuteQueryResponsePartSchema, part as never)));
const columns = ['Utf8', 'Optional<Date>', 'Uint64', 'Optional<Json>', 'List<Struct<a:Utf8,b:Optional<Int64>>>'].map((t, i) => ({ name: `c${i}`, type: parseType(t) }));
const row = (i: number) => ({
  items: [
    encodeValue(columns[0]!.type, `text ${i} ёж`),
    encodeValue(columns[1]!.type, i % 2 ? null : new Date(Date.UTC(2023, 2, 6 + i))),
    encodeValue(columns[2]!.type, BigInt(i) * 3_000_000_000n),
    encodeValue(columns[3]!.type, i % 2 ? '{"a":1}' : null),
    encodeValue(columns[4]!.type, [{ a: 'x', b: null }, { a: 'y', b: BigInt(-i) }]),
  ],
});

describe('ExecuteQuery response parts of the double', () => {
  const parts: [string, () => Part][] = [
    ['a result set, its transaction named', () => ({ status: S.SUCCESS, resultSetIndex: 0n, resultSet: { columns, rows: [row(0), row(1), row(2)] }, txMeta: { id: 'wire-tx-7' } })],
    ['a later result set with no rows', () => ({ status: S.SUCCESS, resultSetIndex: 2n, resultSet: { columns, rows: [] } })],
    ['no result set', () => ({ status: S.SUCCESS })],
    ['a failure with its issue', () => ({ status: S.PRECONDITION_FAILED, issues: [{ message: 'Conflict with existing key.', severity: 1 }] })],
    ['a field the double never sets (the generated way)', () => ({ status: S.SUCCESS, resultSet: { columns, rows: [row(3)], truncated: true } }) as Part],
  ];
  for (const [name, make] of parts) {
    test(`${name}: the generated serializer's bytes, first and again`, () => {
      expect(Buffer.from(encodeResponsePart(make()))).toEqual(generated(make()));
      expect(Buffer.from(encodeResponsePart(make()))).toEqual(generated(make()));
    });
  }
});
