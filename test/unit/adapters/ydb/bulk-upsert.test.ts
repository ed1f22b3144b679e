// The hand-written BulkUpsert definition against the generated table-service codecs: the
// bytes it sends decode as the BulkUpsertRequest the generated schema describes, and a
// response the generated schema encodes decodes to the same operation.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { StatusIds_StatusCode } from '@ydbjs/api/operation';
import { BulkUpsertRequestSchema, BulkUpsertResponseSchema, TableServiceDefinition } from '@ydbjs/api/table';
import { describe, expect, test } from 'vitest';
import { BulkUpsertService, decodeBulkUpsertResponse, encodeBulkUpsertRequest } from '../../../../shared/adapters/ydb/bulk-upsert.ts';
import { listParam } from '../../../../shared/adapters/ydb/codec.ts';
import { T } from '../../../../shared/adapters/ydb/tables.ts';

describe('BulkUpsert without the table-service module', () => {
  test('the path is the table service method', () => {
    expect(BulkUpsertService.bulkUpsert.path).toBe(TableServiceDefinition.bulkUpsert.path);
  });

  test('the request decodes with the generated schema to the same table and rows', () => {
    const rows = listParam(T.sequenceCounter.columns, [{ counter_name: 'upload_ledger', last_value: 3_000_000_000 }]);
    const decoded = fromBinary(BulkUpsertRequestSchema, encodeBulkUpsertRequest({ table: '/local/sequence_counter', rows }));
    expect(decoded.table).toBe('/local/sequence_counter');
    expect(toBinary(BulkUpsertRequestSchema, decoded)).toEqual(toBinary(BulkUpsertRequestSchema, create(BulkUpsertRequestSchema, { table: '/local/sequence_counter', rows })));
  });

  test('the response yields the operation the generated schema encoded, unknown fields skipped', () => {
    const bytes = toBinary(BulkUpsertResponseSchema, create(BulkUpsertResponseSchema, { operation: { ready: true, status: StatusIds_StatusCode.OVERLOADED, issues: [{ message: 'Throughput limit exceeded' }] } }));
    const withExtra = new Uint8Array([...bytes, 0x18, 0x05]); // field 3, varint 5
    const op = decodeBulkUpsertResponse(withExtra).operation!;
    expect(op.status).toBe(StatusIds_StatusCode.OVERLOADED);
    expect(op.issues[0]!.message).toBe('Throughput limit exceeded');
  });
});
