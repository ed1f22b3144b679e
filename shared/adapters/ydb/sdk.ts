// Adapter support: the one module that loads the YDB SDK (ydb-js-sdk v6, `@ydbjs/*`) and
// its protobuf runtime. Every other YDB adapter file imports the SDK through here, so the
// build can put exactly this module's graph into its own vendor file (scripts/build.mjs),
// which a cloud instance compiles on its first store call and a local run never loads.
//
// Only the low layers are used: the driver (discovery, channels, credentials middleware),
// the generated gRPC service definitions and messages, and the error classes. The
// high-level `@ydbjs/query` client is not: in 6.0.4 it creates, attaches and deletes a
// session for every statement, opens each transaction with its own BeginTransaction and
// closes it with CommitTransaction, and retries without a time budget (see client.ts).
export { Driver, type DriverOptions } from '@ydbjs/core';
export { CredentialsProvider } from '@ydbjs/auth';
export { AnonymousCredentialsProvider } from '@ydbjs/auth/anonymous';
export { AccessTokenCredentialsProvider } from '@ydbjs/auth/access-token';
export { QueryServiceDefinition, ExecMode, Syntax, StatsMode } from '@ydbjs/api/query';
export type { ExecuteQueryResponsePart, TransactionControl } from '@ydbjs/api/query';
export { TableServiceDefinition } from '@ydbjs/api/table';
export { StatusIds_StatusCode } from '@ydbjs/api/operation';
export { ValueSchema, TypeSchema, TypedValueSchema, Type_PrimitiveTypeId } from '@ydbjs/api/value';
export type { Value, Type, TypedValue, ResultSet, Column } from '@ydbjs/api/value';
export { YDBError } from '@ydbjs/error';
export { toBinary, create, type MessageInitShape } from '@bufbuild/protobuf';
