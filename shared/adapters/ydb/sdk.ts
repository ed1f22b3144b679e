// Adapter support: the one module that loads the YDB SDK (ydb-js-sdk v6, `@ydbjs/*`) and
// its protobuf runtime. Every other YDB adapter file imports the SDK through here, so the
// build can put exactly this module's graph into its own vendor file (scripts/build.mjs),
// which a cloud instance compiles on its first store call and a local run never loads.
//
// Only the low layers are used: the driver (channels, credentials middleware), the
// generated query service and messages, and the error class — not `@ydbjs/query` nor
// `@ydbjs/value` (client.ts and codec.ts say why), nor `@ydbjs/api/table`: the adapters
// call one method of the table service (BulkUpsert, bulk-upsert.ts), and loading that
// module builds the descriptors of the whole table and topic protocols, the largest part
// of a cold start's YDB cost.
export { Driver, type DriverOptions } from '@ydbjs/core';
export { CredentialsProvider } from '@ydbjs/auth';
export { AnonymousCredentialsProvider } from '@ydbjs/auth/anonymous';
export { AccessTokenCredentialsProvider } from '@ydbjs/auth/access-token';
export { QueryServiceDefinition, ExecMode, Syntax, type TransactionControl } from '@ydbjs/api/query';
export { StatusIds_StatusCode, OperationSchema } from '@ydbjs/api/operation';
export { TypeSchema, TypedValueSchema, Type_PrimitiveTypeId } from '@ydbjs/api/value';
export type { Value, Type, TypedValue, ResultSet } from '@ydbjs/api/value';
export { YDBError } from '@ydbjs/error';
export { toBinary, fromBinary, create } from '@bufbuild/protobuf';
export { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
