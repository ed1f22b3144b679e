// Adapter support: every conversion between the pipeline's zod-inferred row types and YDB
// typed values, in one place. A table is described once (its columns, their YDB types and
// its primary key); the DECLARE texts, the struct types sent with BulkUpsert and AS_TABLE,
// the decoding of result sets and the migration check all derive from that description,
// so they cannot drift apart. No decorators, no TypedData subclasses.
//
// Values are built directly as the protocol's messages (`@ydbjs/api/value`) rather than
// through `@ydbjs/value`'s classes: every Int64/Uint64 here is a safe JS integer on the way
// in and out (a loud RangeError otherwise), a Date travels as its day number, and a row is
// one message reused for both its size (chunking) and the request.
import { z } from 'zod';
import { alertRecord } from '../alert-rows.ts';
import { municipalityFromRecord, municipalityRecord, schoolFromRecord, schoolRecord } from '../snapshot-rows.ts';
import { AlertState } from '../../domain/alerts.ts';
import { MetricId, NotificationEvent } from '../../domain/events.ts';
import { COUNT_METRICS, DataQualityWarning, type AggregateRow } from '../../domain/metrics.ts';
import {
  UploadReport,
  periodLabel,
  type MunicipalityRow,
  type Period,
  type SchoolRow,
  type TableKind,
} from '../../domain/schemas.ts';
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
// Tables: the single description every query, migration check and mapper uses

export type TableSpec<C extends Columns = Columns> = {
  readonly name: string;
  readonly columns: C;
  readonly primaryKey: readonly (keyof C & string)[];
  readonly indexes: readonly { readonly name: string; readonly columns: readonly (keyof C & string)[] }[];
};

/** Any table description, whatever its columns (what generic helpers and checks take). */
export type AnyTable = {
  readonly name: string;
  readonly columns: Columns;
  readonly primaryKey: readonly string[];
  readonly indexes: readonly { readonly name: string; readonly columns: readonly string[] }[];
};

function table<C extends Columns>(spec: TableSpec<C>): TableSpec<C> {
  return spec;
}

const COUNT_SET: ReadonlySet<string> = new Set(COUNT_METRICS);
/** Counts (and their deltas, which may be negative) are Int64; shares are Double. */
export const METRIC_COLUMNS: Record<string, ColumnType> = Object.fromEntries(
  MetricId.options.flatMap((m) => {
    const t = COUNT_SET.has(m) ? col.opt.int64 : col.opt.double;
    return [
      [m, t],
      [`${m}_delta`, t],
    ];
  }),
);

export const T = {
  uploadLedger: table({
    name: 'upload_ledger',
    columns: {
      upload_id: col.utf8,
      bucket: col.utf8,
      object_key: col.utf8,
      sha256: col.utf8,
      status: col.utf8,
      lease_until_ms: col.opt.int64,
      ingest_sequence: col.uint64,
      acquired_at_ms: col.int64,
      completed_at_ms: col.opt.int64,
      report_status: col.opt.utf8,
      report_json: col.opt.json,
    },
    primaryKey: ['upload_id'],
    indexes: [
      { name: 'by_object', columns: ['bucket', 'object_key'] },
      { name: 'by_status_sequence', columns: ['status', 'ingest_sequence'] },
    ],
  }),
  sequenceCounter: table({
    name: 'sequence_counter',
    columns: { counter_name: col.utf8, last_value: col.uint64 },
    primaryKey: ['counter_name'],
    indexes: [],
  }),
  schoolSnapshot: table({
    name: 'school_snapshot',
    columns: {
      region: col.utf8,
      period_start: col.date,
      period_end: col.date,
      batch_id: col.utf8,
      municipality_id: col.utf8,
      school_key: col.utf8,
      school_inn: col.utf8,
      school_kpp: col.opt.utf8,
      school_name: col.utf8,
      in_sferum: col.bool,
      admin_active: col.bool,
      teachers_total: col.opt.int64,
      teachers_in_sferum: col.opt.int64,
      students_total: col.opt.int64,
      students_in_sferum: col.opt.int64,
      teachers_chat_creators: col.opt.int64,
      teachers_msg3: col.opt.int64,
      teachers_msg10: col.opt.int64,
      teachers_calls: col.opt.int64,
    },
    primaryKey: ['region', 'period_start', 'period_end', 'batch_id', 'municipality_id', 'school_key'],
    indexes: [],
  }),
  municipalitySnapshot: table({
    name: 'municipality_snapshot',
    columns: {
      region: col.utf8,
      period_start: col.date,
      period_end: col.date,
      batch_id: col.utf8,
      municipality_id: col.utf8,
      in_sferum: col.bool,
      admin_active: col.bool,
    },
    primaryKey: ['region', 'period_start', 'period_end', 'batch_id', 'municipality_id'],
    indexes: [],
  }),
  batchUnit: table({
    name: 'snapshot_batch_unit',
    columns: {
      batch_id: col.utf8,
      region: col.utf8,
      period_start: col.date,
      period_end: col.date,
      kind: col.utf8,
      municipality_id: col.utf8,
    },
    // batch_id is the upload id (a content hash): uniformly spread, never increasing
    primaryKey: ['batch_id', 'region', 'period_start', 'period_end', 'kind', 'municipality_id'],
    indexes: [],
  }),
  currentBatch: table({
    name: 'current_batch',
    columns: {
      region: col.utf8,
      period_start: col.date,
      period_end: col.date,
      kind: col.utf8,
      municipality_id: col.utf8,
      batch_id: col.utf8,
      upload_id: col.utf8,
      source_modified_ms: col.int64,
      source_sequence: col.uint64,
      version: col.uint64,
    },
    primaryKey: ['region', 'period_start', 'period_end', 'kind', 'municipality_id'],
    indexes: [],
  }),
  aggregateMetrics: table({
    name: 'aggregate_metrics',
    columns: {
      region: col.utf8,
      period_start: col.date,
      period_end: col.date,
      period_label: col.utf8,
      level: col.utf8,
      unit: col.utf8,
      unit_name: col.utf8,
      has_export: col.bool,
      ...METRIC_COLUMNS,
      missing_json: col.json,
      warnings_json: col.json,
    } as Columns,
    primaryKey: ['region', 'period_start', 'period_end', 'level', 'unit'],
    indexes: [{ name: 'by_scope', columns: ['region', 'level', 'unit', 'period_start'] }],
  }),
  alertState: table({
    name: 'alert_state',
    columns: {
      region: col.utf8,
      alert_id: col.utf8,
      level: col.utf8,
      unit: col.utf8,
      status: col.utf8,
      period_start: col.date,
      period_end: col.date,
      changed_at: col.utf8,
      state_json: col.json,
    },
    primaryKey: ['region', 'alert_id', 'level', 'unit'],
    indexes: [],
  }),
  notifyDelivery: table({
    name: 'notify_delivery',
    columns: {
      delivery_id: col.utf8,
      channel_id: col.utf8,
      group_key: col.utf8,
      state: col.utf8,
      sealed: col.bool,
      attempts: col.uint64,
      last_error: col.opt.utf8,
      next_attempt_at_ms: col.opt.int64,
      lease_until_ms: col.opt.int64,
      lease_token: col.opt.utf8,
      created_at_ms: col.int64,
      schedule_start_ms: col.int64,
      updated_at_ms: col.int64,
      delivered_at_ms: col.opt.int64,
    },
    primaryKey: ['delivery_id'],
    indexes: [
      { name: 'by_due', columns: ['state', 'next_attempt_at_ms'] },
      { name: 'by_group', columns: ['channel_id', 'group_key'] },
      { name: 'by_state_updated', columns: ['state', 'updated_at_ms'] },
    ],
  }),
  notifyDeliveryItem: table({
    name: 'notify_delivery_item',
    columns: {
      event_id: col.utf8,
      channel_id: col.utf8,
      delivery_id: col.utf8,
      event_json: col.json,
      enqueued_at_ms: col.int64,
    },
    primaryKey: ['event_id', 'channel_id'],
    indexes: [{ name: 'by_delivery', columns: ['delivery_id'] }],
  }),
  notifyChannelState: table({
    name: 'notify_channel_state',
    columns: { channel_id: col.utf8, disabled_at_ms: col.int64, reason: col.utf8 },
    primaryKey: ['channel_id'],
    indexes: [],
  }),
  schemaMigrations: table({
    name: 'schema_migrations',
    columns: { migration_id: col.utf8, checksum: col.utf8, applied_at_ms: col.int64 },
    primaryKey: ['migration_id'],
    indexes: [],
  }),
} as const;

export const TABLES: readonly AnyTable[] = Object.values(T);

/** A subset of a table's columns, keeping their types (for SELECT lists and AS_TABLE structs). */
export function pick<C extends Columns, K extends keyof C & string>(columns: C, ...names: K[]): Pick<C, K> {
  return Object.fromEntries(names.map((n) => [n, columns[n]])) as Pick<C, K>;
}

// ---------------------------------------------------------------------------------------
// Row mappers: domain (zod-inferred) ⇄ table rows

export type SchoolDbRow = RowOf<typeof T.schoolSnapshot.columns>;
export type MunicipalityDbRow = RowOf<typeof T.municipalitySnapshot.columns>;
export type BatchUnitRow = RowOf<typeof T.batchUnit.columns>;
export type PointerRow = RowOf<typeof T.currentBatch.columns>;
export type LedgerRow = RowOf<typeof T.uploadLedger.columns>;
export type AlertRow = RowOf<typeof T.alertState.columns>;
export type DeliveryRow = RowOf<typeof T.notifyDelivery.columns>;
export type DeliveryItemRow = RowOf<typeof T.notifyDeliveryItem.columns>;
export type AggregateDbRow = Record<string, unknown> & {
  region: string;
  period_start: string;
  period_end: string;
  period_label: string;
  level: string;
  unit: string;
  unit_name: string;
  has_export: boolean;
  missing_json: unknown;
  warnings_json: unknown;
};

// The flat records are shared with the SQLite adapter; here they are typed as the table's rows.
export const schoolToRow: (batchId: string, r: SchoolRow) => SchoolDbRow = schoolRecord;
export const rowToSchool: (r: SchoolDbRow) => SchoolRow = schoolFromRecord;
export const municipalityToRow: (batchId: string, r: MunicipalityRow) => MunicipalityDbRow = municipalityRecord;
export const rowToMunicipality: (r: MunicipalityDbRow) => MunicipalityRow = municipalityFromRecord;

export function unitRow(batchId: string, region: string, period: Period, kind: TableKind, municipalityId: string): BatchUnitRow {
  return { batch_id: batchId, region, period_start: period.start, period_end: period.end, kind, municipality_id: municipalityId };
}

export function parseReport(json: unknown): UploadReport {
  return UploadReport.parse(json);
}

const Warnings = z.array(DataQualityWarning);
const Missing = z.record(z.string(), z.number().int().nonnegative());
const Level = z.enum(['region', 'municipality']);

export function aggregateToRow(r: AggregateRow): AggregateDbRow {
  const row: AggregateDbRow = {
    region: r.region,
    period_start: r.period.start,
    period_end: r.period.end,
    period_label: periodLabel(r.period),
    level: r.scope.level,
    unit: r.scope.id,
    unit_name: r.scope.name,
    has_export: r.has_export,
    missing_json: r.missing,
    warnings_json: r.warnings,
  };
  for (const m of MetricId.options) {
    row[m] = r.values[m] ?? null;
    row[`${m}_delta`] = r.deltas[m] ?? null;
  }
  return row;
}

export function rowToAggregate(r: AggregateDbRow): AggregateRow {
  const values = {} as AggregateRow['values'];
  const deltas = {} as AggregateRow['deltas'];
  for (const m of MetricId.options) {
    values[m] = r[m] as number | null;
    deltas[m] = r[`${m}_delta`] as number | null;
  }
  return {
    region: r.region,
    period: { start: r.period_start, end: r.period_end },
    scope: { level: Level.parse(r.level), id: r.unit, name: r.unit_name },
    has_export: r.has_export,
    values,
    deltas,
    missing: Missing.parse(r.missing_json),
    warnings: Warnings.parse(r.warnings_json),
  };
}

export const alertToRow: (s: AlertState) => AlertRow = alertRecord;

export function rowToAlert(r: Pick<AlertRow, 'state_json'>): AlertState {
  return AlertState.parse(r.state_json);
}

export function parseEvent(json: unknown): NotificationEvent {
  return NotificationEvent.parse(json);
}
