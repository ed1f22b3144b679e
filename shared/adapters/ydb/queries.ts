// Adapter support: every YQL statement the YDB adapters send, as named constants built
// once at module load from the table descriptions in tables.ts. Values never enter the
// text: each one is a `$parameter` with a DECLARE (the query service infers types without
// it, but the DECLARE pins them, and the text is a stable key for the server's query cache). The only literals are the
// few constants listed in ALLOWED_LITERALS. test/unit/adapters/ydb/schema-drift.test.ts holds these
// against the migrations (declarations, literals, tables, columns): a drift check, not a YQL parser.
//
// Reads that could return many rows come as a pair: `first` and `next`, the latter
// continuing strictly after the last key seen, both ordered by that key and bounded by
// `$limit` (see client.ts `paginate`), so no result held in memory grows with the data.
import { MetricId } from '../../domain/schemas.ts';
import { yqlStruct, yqlType, pick, type Columns, type AnyTable } from './codec.ts';
import { T } from './tables.ts';

/** Literals a statement may contain; everything else is a parameter. */
export const ALLOWED_LITERALS: readonly string[] = [];

/** Rows per page of a paginated read: a bounded result per round trip. */
export const PAGE_SIZE = 500;

export type Paged = {
  readonly first: string;
  readonly next: string;
  /** the columns a page continues after, in ORDER BY order; `next` declares `$after_<key>` */
  readonly keys: readonly string[];
};

function declares(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([n, t]) => `DECLARE $${n} AS ${t};`)
    .join('\n');
}

/** DECLAREs for columns of a table, each parameter named after its column. */
function declareColumns(spec: AnyTable, ...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, yqlType(spec.columns[n]!)]));
}

function listOf(columns: Columns): string {
  return `List<${yqlStruct(columns)}>`;
}

function cols(columns: Columns): string {
  return Object.keys(columns).join(', ');
}

function eq(...names: string[]): string {
  return names.map((n) => `${n} = $${n}`).join(' AND ');
}

/** `(a > $after_a) OR (a = $after_a AND b > $after_b) ...`: strictly after a composite key. */
function afterKey(keys: readonly string[]): string {
  return keys
    .map((k, i) => `(${[...keys.slice(0, i).map((p) => `${p} = $after_${p}`), `${k} > $after_${k}`].join(' AND ')})`)
    .join(' OR ');
}

function paged(o: {
  params: Record<string, string>;
  select: string;
  from: string;
  where: string;
  keys: readonly string[];
  keyTypes: Record<string, string>;
}): Paged {
  const order = `ORDER BY ${o.keys.join(', ')}\nLIMIT $limit;`;
  const base = { ...o.params, limit: 'Uint64' };
  const after = Object.fromEntries(o.keys.map((k) => [`after_${k}`, o.keyTypes[k]!]));
  return {
    first: `${declares(base)}\nSELECT ${o.select}\nFROM ${o.from}\nWHERE ${o.where}\n${order}`,
    next: `${declares({ ...base, ...after })}\nSELECT ${o.select}\nFROM ${o.from}\nWHERE ${o.where} AND (${afterKey(o.keys)})\n${order}`,
    keys: o.keys,
  };
}

function keyTypes(spec: AnyTable, ...keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, yqlType(spec.columns[k]!)]));
}

const upsertRows = (spec: AnyTable, columns: Columns = spec.columns) =>
  `${declares({ rows: listOf(columns) })}\nUPSERT INTO ${spec.name}\nSELECT * FROM AS_TABLE($rows);`;

// ---------------------------------------------------------------------------------------
// Upload ledger

const L = T.uploadLedger;
export const LEDGER_COLUMNS = L.columns;
export const COUNTER_COLUMNS = T.sequenceCounter.columns;
export const LEDGER_TAKEOVER_COLUMNS = pick(L.columns, 'upload_id', 'lease_until_ms', 'acquired_at_ms');
export const LEDGER_COMPLETE_COLUMNS = pick(
  L.columns,
  'upload_id',
  'status',
  'lease_until_ms',
  'completed_at_ms',
  'report_status',
  'report_json',
);

export const LEDGER_GET = `${declares(declareColumns(L, 'upload_id'))}
SELECT ${cols(L.columns)}
FROM ${L.name}
WHERE ${eq('upload_id')};`;

export const COUNTER_GET = `${declares(declareColumns(T.sequenceCounter, 'counter_name'))}
SELECT ${cols(T.sequenceCounter.columns)}
FROM ${T.sequenceCounter.name}
WHERE ${eq('counter_name')};`;

/** A new ledger row and the bumped counter, in the acquiring transaction. INSERT fails on an existing key. */
export const LEDGER_INSERT = `${declares({ rows: listOf(L.columns), counter: listOf(T.sequenceCounter.columns) })}
INSERT INTO ${L.name}
SELECT * FROM AS_TABLE($rows);
UPSERT INTO ${T.sequenceCounter.name}
SELECT * FROM AS_TABLE($counter);`;

export const LEDGER_TAKEOVER = `${declares({ rows: listOf(LEDGER_TAKEOVER_COLUMNS) })}
UPDATE ${L.name} ON
SELECT * FROM AS_TABLE($rows);`;

export const LEDGER_COMPLETE = `${declares({ rows: listOf(LEDGER_COMPLETE_COLUMNS) })}
UPDATE ${L.name} ON
SELECT * FROM AS_TABLE($rows);`;

export const LEDGER_RELEASE = `${declares(declareColumns(L, 'upload_id', 'status'))}
UPDATE ${L.name} SET lease_until_ms = NULL
WHERE ${eq('upload_id', 'status')};`;

export const LEDGER_REPORT = `${declares(declareColumns(L, 'upload_id'))}
SELECT report_json
FROM ${L.name}
WHERE ${eq('upload_id')};`;

/** Completed reports, newest first: `before` is an exclusive upper bound on the sequence. */
export const LEDGER_LIST_REPORTS = `${declares({ ...declareColumns(L, 'status'), before: 'Uint64', limit: 'Uint64' })}
SELECT ingest_sequence, report_json
FROM ${L.name} VIEW by_status_sequence
WHERE ${eq('status')} AND ingest_sequence < $before
ORDER BY ingest_sequence DESC
LIMIT $limit;`;

export const LEDGER_BY_OBJECT = paged({
  params: declareColumns(L, 'bucket', 'object_key'),
  select: cols(L.columns),
  from: `${L.name} VIEW by_object`,
  where: eq('bucket', 'object_key'),
  keys: ['ingest_sequence'],
  keyTypes: keyTypes(L, 'ingest_sequence'),
});

// ---------------------------------------------------------------------------------------
// Snapshots

const S = T.schoolSnapshot;
const M = T.municipalitySnapshot;
const U = T.batchUnit;
const P = T.currentBatch;
export const SCHOOL_COLUMNS = S.columns;
export const MUNICIPALITY_COLUMNS = M.columns;
export const UNIT_COLUMNS = U.columns;
export const POINTER_COLUMNS = P.columns;
export const SCHOOL_KEY_COLUMNS = pick(S.columns, 'region', 'period_start', 'period_end', 'batch_id', 'municipality_id', 'school_key');
export const PERIOD_COLUMNS = pick(P.columns, 'period_start', 'period_end');

/** Written before the rows they describe, so a discard can always find what was staged. */
export const STAGE_UNITS = upsertRows(U);

export const BATCH_UNITS = paged({
  params: declareColumns(U, 'batch_id'),
  select: cols(U.columns),
  from: U.name,
  where: eq('batch_id'),
  keys: ['region', 'period_start', 'period_end', 'kind', 'municipality_id'],
  keyTypes: keyTypes(U, 'region', 'period_start', 'period_end', 'kind', 'municipality_id'),
});

export const POINTERS = paged({
  params: declareColumns(P, 'region', 'period_start', 'period_end', 'kind'),
  select: cols(P.columns),
  from: P.name,
  where: eq('region', 'period_start', 'period_end', 'kind'),
  keys: ['municipality_id'],
  keyTypes: keyTypes(P, 'municipality_id'),
});

/** The pointer flips and the committed units joining the registry: the commit's one write. */
export const COMMIT_POINTERS = `${declares({ pointers: listOf(P.columns), units: listOf(U.columns) })}
UPSERT INTO ${P.name}
SELECT * FROM AS_TABLE($pointers);
UPSERT INTO ${U.name}
SELECT * FROM AS_TABLE($units);`;

/** How many pointers of one (region, period) reference a batch. */
export const BATCH_REFERENCES = `${declares(declareColumns(P, 'region', 'period_start', 'period_end', 'batch_id'))}
SELECT COUNT(*) AS refs
FROM ${P.name}
WHERE ${eq('region', 'period_start', 'period_end', 'batch_id')};`;

/**
 * A batch's rows and its unit registry, in ONE statement list that commits the discard:
 * each table is read and modified once, never read after it was modified in the
 * transaction. `regions` is one region unless a rejected mixed-region file staged several;
 * every period of the batch falls in [period_from, period_to].
 */
export const DISCARD_BATCH = `${declares({ regions: `List<${yqlType(S.columns.region)}>`, ...declareColumns(S, 'batch_id'), period_from: 'Date', period_to: 'Date' })}
DELETE FROM ${S.name}
WHERE region IN $regions AND ${eq('batch_id')} AND period_start >= $period_from AND period_start <= $period_to;
DELETE FROM ${M.name}
WHERE region IN $regions AND ${eq('batch_id')} AND period_start >= $period_from AND period_start <= $period_to;
DELETE FROM ${U.name}
WHERE ${eq('batch_id')};`;

/** Staged school rows by full key (a pure write: no read of the table it deletes from). */
export const DELETE_SCHOOLS_BY_KEY = `${declares({ keys: listOf(SCHOOL_KEY_COLUMNS) })}
DELETE FROM ${S.name} ON
SELECT * FROM AS_TABLE($keys);`;

export const SCHOOLS_OF_BATCH = paged({
  params: declareColumns(S, 'region', 'period_start', 'period_end', 'batch_id'),
  select: cols(S.columns),
  from: S.name,
  where: eq('region', 'period_start', 'period_end', 'batch_id'),
  keys: ['municipality_id', 'school_key'],
  keyTypes: keyTypes(S, 'municipality_id', 'school_key'),
});

const SS = T.schoolSource;
export const SCHOOL_SOURCE_COLUMNS = SS.columns;

/** Where one municipality's rows of a batch came from (migration 0005). */
export const SOURCES_OF_BATCH = paged({
  params: declareColumns(SS, 'region', 'period_start', 'period_end', 'batch_id', 'municipality_id'),
  select: cols(SS.columns),
  from: SS.name,
  where: eq('region', 'period_start', 'period_end', 'batch_id', 'municipality_id'),
  keys: ['school_key'],
  keyTypes: keyTypes(SS, 'school_key'),
});

export const MUNICIPALITIES_OF_BATCH = paged({
  params: declareColumns(M, 'region', 'period_start', 'period_end', 'batch_id'),
  select: cols(M.columns),
  from: M.name,
  where: eq('region', 'period_start', 'period_end', 'batch_id'),
  keys: ['municipality_id'],
  keyTypes: keyTypes(M, 'municipality_id'),
});

export const CURRENT_PERIODS = paged({
  params: declareColumns(P, 'region'),
  select: `DISTINCT ${cols(PERIOD_COLUMNS)}`,
  from: P.name,
  where: eq('region'),
  keys: ['period_start', 'period_end'],
  keyTypes: keyTypes(P, 'period_start', 'period_end'),
});

// ---------------------------------------------------------------------------------------
// Aggregates

const A = T.aggregateMetrics;
export const AGGREGATE_COLUMNS = A.columns;

export const AGGREGATE_KEY_COLUMNS = pick(A.columns, 'region', 'period_start', 'period_end', 'level', 'unit');
export const AGGREGATE_UNIT_COLUMNS = pick(A.columns, 'level', 'unit');

/**
 * A period's new rows, and the (level, unit) keys it held before them, in one statement
 * list: the read comes first, and the indexed table is modified once (YDB refuses a
 * second modification of a table with secondary indexes in one transaction).
 */
export const AGGREGATE_WRITE_PERIOD = `${declares({ ...declareColumns(A, 'region', 'period_start', 'period_end'), rows: listOf(A.columns) })}
SELECT ${cols(AGGREGATE_UNIT_COLUMNS)}
FROM ${A.name}
WHERE ${eq('region', 'period_start', 'period_end')};
UPSERT INTO ${A.name}
SELECT * FROM AS_TABLE($rows);`;

/** Rows of units a period no longer has, by full key (a transaction of its own). */
export const AGGREGATE_DELETE_KEYS = `${declares({ keys: listOf(AGGREGATE_KEY_COLUMNS) })}
DELETE FROM ${A.name} ON
SELECT * FROM AS_TABLE($keys);`;

export const AGGREGATE_READ_PERIOD = paged({
  params: declareColumns(A, 'region', 'period_start', 'period_end'),
  select: cols(A.columns),
  from: A.name,
  where: eq('region', 'period_start', 'period_end'),
  keys: ['level', 'unit'],
  keyTypes: keyTypes(A, 'level', 'unit'),
});

export const AGGREGATE_PERIODS = paged({
  params: declareColumns(A, 'region'),
  select: `DISTINCT period_start, period_end`,
  from: A.name,
  where: eq('region'),
  keys: ['period_start', 'period_end'],
  keyTypes: keyTypes(A, 'period_start', 'period_end'),
});

/** One paginated read per metric: the column name is a table column, never caller text. */
export const AGGREGATE_TIMESERIES: Readonly<Record<MetricId, Paged>> = Object.fromEntries(
  MetricId.options.map((m) => [
    m,
    paged({
      params: declareColumns(A, 'region', 'level', 'unit'),
      select: `period_start, period_end, ${m} AS value, ${m}_delta AS delta`,
      from: `${A.name} VIEW by_scope`,
      where: eq('region', 'level', 'unit'),
      keys: ['period_start', 'period_end'],
      keyTypes: keyTypes(A, 'period_start', 'period_end'),
    }),
  ]),
) as Record<MetricId, Paged>;

// ---------------------------------------------------------------------------------------
// Period completeness (migration 0005)

const PC = T.periodCompleteness;
export const COMPLETENESS_COLUMNS = PC.columns;
export const COMPLETENESS_READ_COLUMNS = pick(PC.columns, 'period_start', 'period_end', 'completeness_json');

export const COMPLETENESS_SAVE = upsertRows(PC);

export const COMPLETENESS_DELETE = `${declares(declareColumns(PC, 'region', 'period_start', 'period_end'))}
DELETE FROM ${PC.name}
WHERE ${eq('region', 'period_start', 'period_end')};`;

export const COMPLETENESS_FOR_REGION = paged({
  params: declareColumns(PC, 'region'),
  select: cols(COMPLETENESS_READ_COLUMNS),
  from: PC.name,
  where: eq('region'),
  keys: ['period_start', 'period_end'],
  keyTypes: keyTypes(PC, 'period_start', 'period_end'),
});

// ---------------------------------------------------------------------------------------
// Alert state

const AS = T.alertState;
export const ALERT_COLUMNS = AS.columns;
export const ALERT_READ_COLUMNS = pick(AS.columns, 'alert_id', 'level', 'unit', 'state_json');

export const ALERTS_FOR_REGION = paged({
  params: declareColumns(AS, 'region'),
  select: cols(ALERT_READ_COLUMNS),
  from: AS.name,
  where: eq('region'),
  keys: ['alert_id', 'level', 'unit'],
  keyTypes: keyTypes(AS, 'alert_id', 'level', 'unit'),
});

export const ALERTS_SAVE = upsertRows(AS);

// ---------------------------------------------------------------------------------------
// Notification outbox

const D = T.notifyDelivery;
const I = T.notifyDeliveryItem;
const C = T.notifyChannelState;
export const DELIVERY_COLUMNS = D.columns;
export const ITEM_COLUMNS = I.columns;
export const ITEM_READ_COLUMNS = pick(I.columns, 'event_id', 'event_json', 'enqueued_at_ms');
export const CHANNEL_COLUMNS = C.columns;
export const DELIVERY_CLAIM_COLUMNS = pick(D.columns, 'delivery_id', 'sealed', 'attempts', 'lease_until_ms', 'lease_token', 'updated_at_ms');
export const DELIVERY_FINISH_COLUMNS = pick(
  D.columns,
  'delivery_id',
  'state',
  'last_error',
  'next_attempt_at_ms',
  'delivered_at_ms',
  'lease_until_ms',
  'lease_token',
  'updated_at_ms',
);
export const DELIVERY_REPLAY_COLUMNS = pick(
  D.columns,
  'delivery_id',
  'state',
  'attempts',
  'next_attempt_at_ms',
  'schedule_start_ms',
  'lease_until_ms',
  'lease_token',
  'updated_at_ms',
);

export const ITEM_GET = `${declares(declareColumns(I, 'event_id', 'channel_id'))}
SELECT delivery_id
FROM ${I.name}
WHERE ${eq('event_id', 'channel_id')};`;

/** Open (unsealed, pending) deliveries of a group; the group is small, the oldest wins. */
export const OPEN_DELIVERIES = paged({
  params: declareColumns(D, 'channel_id', 'group_key', 'state', 'sealed'),
  select: cols(D.columns),
  from: `${D.name} VIEW by_group`,
  where: eq('channel_id', 'group_key', 'state', 'sealed'),
  keys: ['delivery_id'],
  keyTypes: keyTypes(D, 'delivery_id'),
});

export const DELIVERY_INSERT = `${declares({ rows: listOf(D.columns) })}
INSERT INTO ${D.name}
SELECT * FROM AS_TABLE($rows);`;

export const ITEM_INSERT = `${declares({ rows: listOf(I.columns) })}
INSERT INTO ${I.name}
SELECT * FROM AS_TABLE($rows);`;

/** A new delivery and its first item: one statement, so it can commit the enqueue. */
export const DELIVERY_OPEN = `${declares({ rows: listOf(D.columns), items: listOf(I.columns) })}
INSERT INTO ${D.name}
SELECT * FROM AS_TABLE($rows);
INSERT INTO ${I.name}
SELECT * FROM AS_TABLE($items);`;

/** Due deliveries of one state, by due time (the index's order); leases are filtered by the caller's clock. */
export const DUE_DELIVERIES = paged({
  params: { ...declareColumns(D, 'state'), now_ms: 'Int64' },
  select: cols(D.columns),
  from: `${D.name} VIEW by_due`,
  where: `${eq('state')} AND next_attempt_at_ms <= $now_ms`,
  keys: ['next_attempt_at_ms', 'delivery_id'],
  keyTypes: keyTypes(D, 'next_attempt_at_ms', 'delivery_id'),
});

export const DELIVERY_CLAIM = `${declares({ rows: listOf(DELIVERY_CLAIM_COLUMNS) })}
UPDATE ${D.name} ON
SELECT * FROM AS_TABLE($rows);`;

export const DELIVERY_FINISH = `${declares({ rows: listOf(DELIVERY_FINISH_COLUMNS) })}
UPDATE ${D.name} ON
SELECT * FROM AS_TABLE($rows);`;

export const DELIVERY_REPLAY = `${declares({ rows: listOf(DELIVERY_REPLAY_COLUMNS) })}
UPDATE ${D.name} ON
SELECT * FROM AS_TABLE($rows);`;

export const DELIVERY_GET = `${declares(declareColumns(D, 'delivery_id'))}
SELECT ${cols(D.columns)}
FROM ${D.name}
WHERE ${eq('delivery_id')};`;

export const DELIVERIES_BY_STATE = paged({
  params: declareColumns(D, 'state'),
  select: cols(D.columns),
  from: `${D.name} VIEW by_state_updated`,
  where: eq('state'),
  keys: ['updated_at_ms', 'delivery_id'],
  keyTypes: keyTypes(D, 'updated_at_ms', 'delivery_id'),
});

export const ITEMS_OF_DELIVERY = paged({
  params: declareColumns(I, 'delivery_id'),
  select: cols(ITEM_READ_COLUMNS),
  from: `${I.name} VIEW by_delivery`,
  where: eq('delivery_id'),
  keys: ['event_id'],
  keyTypes: keyTypes(I, 'event_id'),
});

export const CHANNEL_GET = `${declares(declareColumns(C, 'channel_id'))}
SELECT channel_id
FROM ${C.name}
WHERE ${eq('channel_id')};`;

export const CHANNEL_DISABLE = upsertRows(C);

export const CHANNEL_ENABLE = `${declares(declareColumns(C, 'channel_id'))}
DELETE FROM ${C.name}
WHERE ${eq('channel_id')};`;

export const DISABLED_CHANNELS = paged({
  params: {},
  select: 'channel_id',
  from: C.name,
  where: 'TRUE',
  keys: ['channel_id'],
  keyTypes: keyTypes(C, 'channel_id'),
});

// ---------------------------------------------------------------------------------------
// Migrations bookkeeping

const SM = T.schemaMigrations;
export const MIGRATION_COLUMNS = SM.columns;

/** Created before anything else by migrate.ts (DDL through the query service). */
export const MIGRATIONS_BOOTSTRAP = `CREATE TABLE IF NOT EXISTS ${SM.name} (
  migration_id Utf8 NOT NULL,
  checksum Utf8 NOT NULL,
  applied_at_ms Int64 NOT NULL,
  PRIMARY KEY (migration_id)
);`;

export const MIGRATIONS_APPLIED = paged({
  params: {},
  select: cols(SM.columns),
  from: SM.name,
  where: 'TRUE',
  keys: ['migration_id'],
  keyTypes: keyTypes(SM, 'migration_id'),
});

export const MIGRATION_RECORD = upsertRows(SM);

/** Every statement text above, by name: what the YQL consistency test reads. */
export function allQueries(): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (name: string, v: unknown) => {
    if (typeof v === 'string') out[name] = v;
    else if (v && typeof v === 'object' && 'first' in v && 'next' in v) {
      out[`${name}.first`] = (v as Paged).first;
      out[`${name}.next`] = (v as Paged).next;
    }
  };
  for (const [name, v] of Object.entries(QUERIES)) {
    if (name === 'AGGREGATE_TIMESERIES') for (const [m, p] of Object.entries(v as Record<string, Paged>)) add(`${name}.${m}`, p);
    else add(name, v);
  }
  return out;
}

const QUERIES = {
  LEDGER_GET,
  COUNTER_GET,
  LEDGER_INSERT,
  LEDGER_TAKEOVER,
  LEDGER_COMPLETE,
  LEDGER_RELEASE,
  LEDGER_REPORT,
  LEDGER_LIST_REPORTS,
  LEDGER_BY_OBJECT,
  STAGE_UNITS,
  BATCH_UNITS,
  POINTERS,
  COMMIT_POINTERS,
  BATCH_REFERENCES,
  DISCARD_BATCH,
  DELETE_SCHOOLS_BY_KEY,
  SCHOOLS_OF_BATCH,
  MUNICIPALITIES_OF_BATCH,
  SOURCES_OF_BATCH,
  CURRENT_PERIODS,
  AGGREGATE_WRITE_PERIOD,
  AGGREGATE_DELETE_KEYS,
  AGGREGATE_READ_PERIOD,
  AGGREGATE_PERIODS,
  AGGREGATE_TIMESERIES,
  COMPLETENESS_SAVE,
  COMPLETENESS_DELETE,
  COMPLETENESS_FOR_REGION,
  ALERTS_FOR_REGION,
  ALERTS_SAVE,
  ITEM_GET,
  OPEN_DELIVERIES,
  DELIVERY_OPEN,
  ITEM_INSERT,
  DUE_DELIVERIES,
  DELIVERY_CLAIM,
  DELIVERY_FINISH,
  DELIVERY_REPLAY,
  DELIVERY_GET,
  DELIVERIES_BY_STATE,
  ITEMS_OF_DELIVERY,
  CHANNEL_GET,
  CHANNEL_DISABLE,
  CHANNEL_ENABLE,
  DISABLED_CHANNELS,
  MIGRATIONS_APPLIED,
  MIGRATION_RECORD,
} as const;
