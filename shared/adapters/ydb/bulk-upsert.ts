// Adapter support: the table service's BulkUpsert as a one-method gRPC definition, the
// shape the generated `TableServiceDefinition` has, without loading that module (see
// sdk.ts). Only fields 1 (table) and 2 (rows) of Ydb.Table.BulkUpsertRequest are sent and
// only field 1 (operation) of BulkUpsertResponse is read; both are the protocol's own
// field numbers (ydb_table.proto), and the rows and the operation use the generated
// TypedValue and Operation codecs.
import { BinaryReader, BinaryWriter, OperationSchema, TypedValueSchema, WireType, fromBinary, toBinary, type TypedValue } from './sdk.ts';

export type BulkUpsertRequest = { readonly table: string; readonly rows: TypedValue };
export type BulkUpsertResponse = { readonly operation?: ReturnType<typeof fromBinary<typeof OperationSchema>> };

export function encodeBulkUpsertRequest(req: BulkUpsertRequest): Uint8Array {
  return new BinaryWriter().tag(1, WireType.LengthDelimited).string(req.table).tag(2, WireType.LengthDelimited).bytes(toBinary(TypedValueSchema, req.rows)).finish();
}

export function decodeBulkUpsertResponse(bytes: Uint8Array): BulkUpsertResponse {
  const r = new BinaryReader(bytes);
  let operation: BulkUpsertResponse['operation'];
  while (r.pos < r.len) {
    const [field, type] = r.tag();
    if (field === 1 && type === WireType.LengthDelimited) operation = fromBinary(OperationSchema, r.bytes());
    else r.skip(type);
  }
  return { operation };
}

const unsupported = (): never => {
  throw new Error('BulkUpsert definition: client side only');
};

export const BulkUpsertService = {
  bulkUpsert: {
    path: '/Ydb.Table.V1.TableService/BulkUpsert',
    requestStream: false,
    requestSerialize: (req: BulkUpsertRequest) => Buffer.from(encodeBulkUpsertRequest(req)),
    requestDeserialize: unsupported as (bytes: Buffer) => BulkUpsertRequest,
    responseStream: false,
    responseSerialize: unsupported as (res: BulkUpsertResponse) => Buffer,
    responseDeserialize: (bytes: Buffer) => decodeBulkUpsertResponse(bytes),
    options: {},
  },
} as const;
