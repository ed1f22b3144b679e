// Adapter support: every YQL statement the YDB adapters send, written as YQL where it is
// defined. `yql(params, text)` prepends the DECLAREs, derived from the parameters' column
// types (tables.ts), to literal text; values never enter the text: each is a `$parameter`
// (the DECLARE pins its type, and the text is a stable key for the server's query cache).
// test/unit/adapters/ydb/schema-drift.test.ts holds the statements against the migrations
// (declarations, literals, tables, columns); access-path.test.ts holds every table read to a
// key or index prefix, sorted along it.
//
// The Query service returns a statement's whole result, so a read is one statement unless
// its result can outgrow the client's bound (`maxResultRows`, client.ts): those come as
// `pages()`, a `first` and a `next` statement continuing strictly after the last key seen,
// both ordered by that key and bounded by `$limit` (client.ts `paginate`).
import { MetricId } from '../../domain/schemas.ts';
import { col, yqlStruct, yqlType, pick, type Columns, type ColumnType } from './codec.ts';
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

/**
 * A statement as YQL: its DECLAREs derived from the typed parameters, the text literal.
 * A parameter is a column type (`col.utf8`), a row list (`rowsOf(T.x.columns)`) or a YQL
 * type text for the rest (`'Uint64'`).
 */
export function yql(params: Readonly<Record<string, ColumnType | string>>, text: string): string {
  const decl = Object.entries(params).map(([n, t]) => `DECLARE $${n} AS ${typeof t === 'string' ? t : yqlType(t)};`);
  return `${decl.join('\n')}\n${text.trim()}`;
}

/** The DECLARE type of a `List<Struct<...>>` parameter of these columns (AS_TABLE input). */
export function rowsOf(columns: Columns): string {
  return `List<${yqlStruct(columns)}>`;
}

/** `(a > $after_a) OR (a = $after_a AND b > $after_b) ...`: strictly after a composite key. */
function afterKey(keys: readonly string[]): string {
  return keys
    .map((k, i) => `(${[...keys.slice(0, i).map((p) => `${p} = $after_${p}`), `${k} > $after_${k}`].join(' AND ')})`)
    .join(' OR ');
}

/**
 * A read that can outgrow one result, in pages: `text` is the SELECT with its WHERE (literal
 * YQL, its parameters typed by `params`); `first` orders it by `keys` (the key columns after
 * the fixed prefix) and takes `$limit`, `next` continues strictly after the last key read.
 */
function pages(params: Readonly<Record<string, ColumnType>>, keys: Readonly<Record<string, ColumnType>>, text: string): Paged {
  const names = Object.keys(keys);
  const order = `ORDER BY ${names.join(', ')}\nLIMIT $limit;`;
  const after = Object.fromEntries(names.map((k) => [`after_${k}`, keys[k]!]));
  return {
    first: yql({ ...params, limit: 'Uint64' }, `${text}\n${order}`),
    next: yql({ ...params, limit: 'Uint64', ...after }, `${text} AND (${afterKey(names)})\n${order}`),
    keys: names,
  };
}

// ---------------------------------------------------------------------------------------
// Upload ledger

const L = T.uploadLedger;
export const LEDGER_COLUMNS = L.columns;
export const LEDGER_TAKEOVER_COLUMNS = pick(L.columns, 'upload_id', 'lease_until_ms', 'acquired_at_ms');
export const LEDGER_COMPLETE_COLUMNS = pick(L.columns, 'upload_id', 'status', 'lease_until_ms', 'completed_at_ms', 'report_status', 'report_json');

export const LEDGER_GET = yql({ upload_id: col.utf8 }, `
SELECT * FROM upload_ledger
WHERE upload_id = $upload_id;
`);

/**
 * A new ledger row. INSERT fails on an existing key (PRECONDITION_FAILED: a racing
 * invocation got there first). Its ingest sequence comes from the clock (ledgerSequence in
 * upload-ledger.ts), not from a counter row every upload would read and bump: one row
 * written by every upload of every region serialised a deadline's burst and aborted it.
 */
export const LEDGER_INSERT = yql({ rows: rowsOf(L.columns) }, `
INSERT INTO upload_ledger
SELECT * FROM AS_TABLE($rows);
`);

export const LEDGER_TAKEOVER = yql({ rows: rowsOf(LEDGER_TAKEOVER_COLUMNS) }, `
UPDATE upload_ledger ON
SELECT * FROM AS_TABLE($rows);
`);

export const LEDGER_COMPLETE = yql({ rows: rowsOf(LEDGER_COMPLETE_COLUMNS) }, `
UPDATE upload_ledger ON
SELECT * FROM AS_TABLE($rows);
`);

export const LEDGER_RELEASE = yql({ upload_id: col.utf8, status: col.utf8 }, `
UPDATE upload_ledger SET lease_until_ms = NULL
WHERE upload_id = $upload_id AND status = $status;
`);

export const LEDGER_REPORT = yql({ upload_id: col.utf8 }, `
SELECT report_json FROM upload_ledger
WHERE upload_id = $upload_id;
`);

/** Completed reports, newest first, through the index: `before` is an exclusive upper bound on the sequence. */
export const LEDGER_LIST_REPORTS = yql({ status: col.utf8, before: 'Uint64', limit: 'Uint64' }, `
SELECT ingest_sequence, report_json
FROM upload_ledger VIEW by_status_sequence
WHERE status = $status AND ingest_sequence < $before
ORDER BY ingest_sequence DESC
LIMIT $limit;
`);

/**
 * Every ledger entry of one object key, through the index's prefix. One entry per distinct
 * content ever uploaded under the key: a handful, so one statement (the caller sorts).
 */
export const LEDGER_BY_OBJECT = yql({ bucket: col.utf8, object_key: col.utf8 }, `
SELECT * FROM upload_ledger VIEW by_object
WHERE bucket = $bucket AND object_key = $object_key;
`);

// ---------------------------------------------------------------------------------------
// Snapshots

const S = T.schoolSnapshot;
const U = T.batchUnit;
const P = T.currentBatch;
export const SCHOOL_COLUMNS = S.columns;
export const MUNICIPALITY_COLUMNS = T.municipalitySnapshot.columns;
export const UNIT_COLUMNS = U.columns;
export const POINTER_COLUMNS = P.columns;
export const SCHOOL_KEY_COLUMNS = pick(S.columns, 'region', 'period_start', 'period_end', 'batch_id', 'municipality_id', 'school_key');
export const PERIOD_COLUMNS = pick(P.columns, 'period_start', 'period_end');
/** One (region, period) of a batch: the key prefix of its staged rows. */
export const BATCH_PERIOD_COLUMNS = pick(S.columns, 'region', 'period_start', 'period_end', 'batch_id');

/** Written before the rows they describe, so a discard can always find what was staged. */
export const STAGE_UNITS = yql({ rows: rowsOf(U.columns) }, `
UPSERT INTO snapshot_batch_unit
SELECT * FROM AS_TABLE($rows);
`);

/** A batch's units: one per (region, period, kind, municipality) it staged — a national file's can outgrow one result. */
export const BATCH_UNITS = pages(
  { batch_id: col.utf8 },
  { region: col.utf8, period_start: col.date, period_end: col.date, kind: col.utf8, municipality_id: col.utf8 },
  `SELECT * FROM snapshot_batch_unit
WHERE batch_id = $batch_id`,
);

/** The pointers of one (region, period, kind): one per municipality of the region, so one result. */
export const POINTERS = yql({ region: col.utf8, period_start: col.date, period_end: col.date, kind: col.utf8 }, `
SELECT * FROM current_batch
WHERE region = $region AND period_start = $period_start AND period_end = $period_end AND kind = $kind
ORDER BY municipality_id;
`);

export const SUMMARY_COLUMNS = T.unitSummary.columns;
/** A unit's key: its pointer's and its summary's. */
export const UNIT_KEY_COLUMNS = pick(P.columns, 'region', 'period_start', 'period_end', 'kind', 'municipality_id');
/** Units one COMMIT_READ looks up: two result sets of at most this many rows each stay well within one result. */
export const COMMIT_READ_UNITS = 1000;

/**
 * The commit's read: the pointers of its units and the summaries kept beside them
 * (migration 0009), by full key — what replaces what, and whether anything changes, is
 * decided from these, never from the rows in force.
 */
export const COMMIT_READ = yql({ units: rowsOf(UNIT_KEY_COLUMNS) }, `
SELECT c.* FROM AS_TABLE($units) AS k
JOIN current_batch AS c
  ON c.region = k.region AND c.period_start = k.period_start AND c.period_end = k.period_end
 AND c.kind = k.kind AND c.municipality_id = k.municipality_id;
SELECT s.* FROM AS_TABLE($units) AS k
JOIN snapshot_unit_summary AS s
  ON s.region = k.region AND s.period_start = k.period_start AND s.period_end = k.period_end
 AND s.kind = k.kind AND s.municipality_id = k.municipality_id;
`);

/**
 * The pointer flips with the summaries of what their batch holds, the committed units
 * joining the registry, the periods the region now has snapshots for, and the region's new
 * read token: the commit's one write. None of the last two is read first, so concurrent
 * commits of other municipalities never abort on them.
 */
export const COMMIT_POINTERS = yql(
  { pointers: rowsOf(P.columns), summaries: rowsOf(T.unitSummary.columns), units: rowsOf(U.columns), periods: rowsOf(T.snapshotPeriod.columns), read_token: rowsOf(T.readVersion.columns) },
  `
UPSERT INTO current_batch
SELECT * FROM AS_TABLE($pointers);
UPSERT INTO snapshot_unit_summary
SELECT * FROM AS_TABLE($summaries);
UPSERT INTO snapshot_batch_unit
SELECT * FROM AS_TABLE($units);
UPSERT INTO snapshot_period
SELECT * FROM AS_TABLE($periods);
UPSERT INTO read_version
SELECT * FROM AS_TABLE($read_token);
`,
);

/** How many pointers of one (region, period) reference a batch (the period's pointers are read: a few dozen rows). */
export const BATCH_REFERENCES = yql({ region: col.utf8, period_start: col.date, period_end: col.date, batch_id: col.utf8 }, `
SELECT COUNT(*) AS refs FROM current_batch
WHERE region = $region AND period_start = $period_start AND period_end = $period_end AND batch_id = $batch_id;
`);

/**
 * Whether any pointer of a region still names a batch: the batch's registered units of the
 * region (a key prefix of the registry) looked up in the pointers by full key — one
 * statement, reading the batch's units and nothing of the periods' other pointers.
 */
export const BATCH_IN_FORCE = yql({ batch_id: col.utf8, region: col.utf8 }, `
SELECT COUNT(*) AS refs
FROM snapshot_batch_unit AS u
JOIN current_batch AS c
  ON c.region = u.region AND c.period_start = u.period_start AND c.period_end = u.period_end
 AND c.kind = u.kind AND c.municipality_id = u.municipality_id
WHERE u.batch_id = $batch_id AND u.region = $region AND c.batch_id = $batch_id;
`);

/**
 * A batch's rows and its unit registry, in ONE statement list that commits the discard.
 * The rows are found by their exact key prefix (region, period_start, period_end, batch_id),
 * one per (region, period) the batch staged (`$periods`, from its unit registry), joined to
 * each table: nothing outside the batch is read, so nothing outside it is locked. Each table
 * is read and modified once.
 */
export const DISCARD_BATCH = yql({ periods: rowsOf(BATCH_PERIOD_COLUMNS), batch_id: col.utf8 }, `
DELETE FROM school_snapshot ON
SELECT s.region AS region, s.period_start AS period_start, s.period_end AS period_end,
       s.batch_id AS batch_id, s.municipality_id AS municipality_id, s.school_key AS school_key
FROM AS_TABLE($periods) AS p
JOIN school_snapshot AS s
  ON s.region = p.region AND s.period_start = p.period_start AND s.period_end = p.period_end AND s.batch_id = p.batch_id;
DELETE FROM municipality_snapshot ON
SELECT m.region AS region, m.period_start AS period_start, m.period_end AS period_end,
       m.batch_id AS batch_id, m.municipality_id AS municipality_id
FROM AS_TABLE($periods) AS p
JOIN municipality_snapshot AS m
  ON m.region = p.region AND m.period_start = p.period_start AND m.period_end = p.period_end AND m.batch_id = p.batch_id;
DELETE FROM snapshot_batch_unit
WHERE batch_id = $batch_id;
`);

/** Staged school rows by full key (a pure write: no read of the table it deletes from). */
export const DELETE_SCHOOLS_BY_KEY = yql({ keys: rowsOf(SCHOOL_KEY_COLUMNS) }, `
DELETE FROM school_snapshot ON
SELECT * FROM AS_TABLE($keys);
`);

/** One batch's school rows of a (region, period): a large region's thousands, so in pages. */
export const SCHOOLS_OF_BATCH = pages(
  { region: col.utf8, period_start: col.date, period_end: col.date, batch_id: col.utf8 },
  { municipality_id: col.utf8, school_key: col.utf8 },
  `SELECT * FROM school_snapshot
WHERE region = $region AND period_start = $period_start AND period_end = $period_end AND batch_id = $batch_id`,
);

/** One batch's МОУО rows of a (region, period): one per municipality, so one result. */
export const MUNICIPALITIES_OF_BATCH = yql({ region: col.utf8, period_start: col.date, period_end: col.date, batch_id: col.utf8 }, `
SELECT * FROM municipality_snapshot
WHERE region = $region AND period_start = $period_start AND period_end = $period_end AND batch_id = $batch_id
ORDER BY municipality_id;
`);

/** Where one municipality's rows of a batch came from (migration 0005): its schools, in pages. */
export const SOURCES_OF_BATCH = pages(
  { region: col.utf8, period_start: col.date, period_end: col.date, batch_id: col.utf8, municipality_id: col.utf8 },
  { school_key: col.utf8 },
  `SELECT * FROM school_source
WHERE region = $region AND period_start = $period_start AND period_end = $period_end AND batch_id = $batch_id AND municipality_id = $municipality_id`,
);
export const SCHOOL_SOURCE_COLUMNS = T.schoolSource.columns;

/** The periods a region has snapshots for: the prefix of the period index the pointer flip writes. */
export const CURRENT_PERIODS = yql({ region: col.utf8 }, `
SELECT period_start, period_end FROM snapshot_period
WHERE region = $region
ORDER BY period_start, period_end;
`);

// ---------------------------------------------------------------------------------------
// Aggregates and the read model (migration 0007)

const A = T.aggregateMetrics;
const AS = T.alertState;
export const AGGREGATE_COLUMNS = A.columns;
export const REGION_PERIOD_KEY = pick(T.regionPeriod.columns, 'region', 'period_start', 'period_end');
export const ALERT_COLUMNS = AS.columns;
export const ALERT_READ_COLUMNS = pick(AS.columns, 'alert_id', 'level', 'unit', 'state_json');

/**
 * A period replaced in ONE transaction: the units it no longer has deleted (the period's
 * rows whose unit is not among the new ones: a unit id names one scope of a region, the
 * region's own row being its code), the new rows upserted, the period indexed and the
 * region's read token renewed, with the period's completeness when given (issue 20); a period
 * replaced by no rows leaves the index and its completeness ($period_gone, $completeness_gone).
 * Two modifications of an indexed table in one transaction
 * are allowed since YDB 23.3; before that the delete took a second transaction and readers
 * could see a removed unit beside the new rows.
 */
export const AGGREGATE_REPLACE_PERIOD = yql(
  {
    region: col.utf8,
    period_start: col.date,
    period_end: col.date,
    rows: rowsOf(A.columns),
    period: rowsOf(T.regionPeriod.columns),
    period_gone: rowsOf(REGION_PERIOD_KEY),
    completeness: rowsOf(T.periodCompleteness.columns),
    completeness_gone: rowsOf(pick(T.periodCompleteness.columns, 'region', 'period_start', 'period_end')),
    read_token: rowsOf(T.readVersion.columns),
  },
  `
DELETE FROM aggregate_metrics ON
SELECT region, period_start, period_end, level, unit FROM aggregate_metrics
WHERE region = $region AND period_start = $period_start AND period_end = $period_end
  AND unit NOT IN (SELECT unit FROM AS_TABLE($rows));
UPSERT INTO aggregate_metrics
SELECT * FROM AS_TABLE($rows);
UPSERT INTO region_period
SELECT * FROM AS_TABLE($period);
DELETE FROM region_period ON
SELECT * FROM AS_TABLE($period_gone);
UPSERT INTO period_completeness
SELECT * FROM AS_TABLE($completeness);
DELETE FROM period_completeness ON
SELECT * FROM AS_TABLE($completeness_gone);
UPSERT INTO read_version
SELECT * FROM AS_TABLE($read_token);
`,
);

/** The rows of one period: one per unit of the region, so one result. */
export const AGGREGATE_READ_PERIOD = yql({ region: col.utf8, period_start: col.date, period_end: col.date }, `
SELECT * FROM aggregate_metrics
WHERE region = $region AND period_start = $period_start AND period_end = $period_end
ORDER BY level, unit;
`);

/** A region's periods with aggregates: the prefix of the period index (one short row per period). */
export const AGGREGATE_PERIODS = yql({ region: col.utf8 }, `
SELECT period_start, period_end FROM region_period
WHERE region = $region
ORDER BY period_start, period_end;
`);

/** A region's periods starting in a range: a key range of the period index (the week an action list is for). */
export const AGGREGATE_PERIODS_BETWEEN = yql({ region: col.utf8, from: col.date, to: col.date }, `
SELECT period_start, period_end FROM region_period
WHERE region = $region AND period_start >= $from AND period_start <= $to
ORDER BY period_start, period_end;
`);

/**
 * The bounds of a period's trend window: the last $periods entries of the period index up
 * to the period, read backwards along its key (at most $periods short rows, whatever the
 * history). PERIOD_WINDOW then reads the window by key range from the oldest start.
 */
export const PERIOD_WINDOW_BOUNDS = yql({ region: col.utf8, period_start: col.date, periods: 'Uint64' }, `
SELECT period_start, period_end FROM region_period
WHERE region = $region AND period_start <= $period_start
ORDER BY period_start DESC
LIMIT $periods;
`);

/**
 * What a period's response needs once its window's bounds are known, in one statement list:
 * the aggregate rows and the completeness of the periods from $from to the period (a key
 * range of each table: window × units and window rows, whatever the history) and the
 * region's alert states (one per target and scope). Not a join of the period index to the
 * aggregates: a planner may read a joined table by what the query fixes of it alone (here
 * the region: its whole history), where a key range is read as a key range.
 */
export const PERIOD_WINDOW = yql({ region: col.utf8, from: col.date, period_start: col.date }, `
SELECT * FROM aggregate_metrics
WHERE region = $region AND period_start >= $from AND period_start <= $period_start;
SELECT alert_id, level, unit, state_json FROM alert_state
WHERE region = $region;
SELECT period_start, period_end, completeness_json FROM period_completeness
WHERE region = $region AND period_start >= $from AND period_start <= $period_start;
`);

/** The region's read token (see migration 0007): one point read. */
export const READ_VERSION = yql({ region: col.utf8 }, `
SELECT version FROM read_version
WHERE region = $region;
`);

/**
 * One metric of one scope across periods, through the scope index: one row per period, so
 * one result. One statement per metric: the column is a table column, never caller text.
 */
export const AGGREGATE_TIMESERIES: Readonly<Record<MetricId, string>> = Object.fromEntries(
  MetricId.options.map((m) => [
    m,
    yql({ region: col.utf8, level: col.utf8, unit: col.utf8 }, `
SELECT period_start, period_end, ${m} AS value, ${m}_delta AS delta
FROM aggregate_metrics VIEW by_scope
WHERE region = $region AND level = $level AND unit = $unit
ORDER BY period_start;
`),
  ]),
) as Record<MetricId, string>;

// ---------------------------------------------------------------------------------------
// Period completeness (migration 0005): written by AGGREGATE_REPLACE_PERIOD

export const COMPLETENESS_COLUMNS = T.periodCompleteness.columns;
export const COMPLETENESS_KEY = pick(T.periodCompleteness.columns, 'region', 'period_start', 'period_end');
export const COMPLETENESS_READ_COLUMNS = pick(T.periodCompleteness.columns, 'period_start', 'period_end', 'completeness_json');

/** The completeness of every period of a region: one short row per period, so one result. */
export const COMPLETENESS_FOR_REGION = yql({ region: col.utf8 }, `
SELECT period_start, period_end, completeness_json FROM period_completeness
WHERE region = $region
ORDER BY period_start, period_end;
`);

/** The completeness of a region's periods starting in a range: a key range. */
export const COMPLETENESS_BETWEEN = yql({ region: col.utf8, from: col.date, to: col.date }, `
SELECT period_start, period_end, completeness_json FROM period_completeness
WHERE region = $region AND period_start >= $from AND period_start <= $to
ORDER BY period_start, period_end;
`);

// ---------------------------------------------------------------------------------------
// Alert state

/** Every alert state of a region: one per (target, scope), so one result. */
export const ALERTS_FOR_REGION = yql({ region: col.utf8 }, `
SELECT alert_id, level, unit, state_json FROM alert_state
WHERE region = $region
ORDER BY alert_id, level, unit;
`);

/** The states and the region's new read token, in one statement. */
export const ALERTS_SAVE = yql({ rows: rowsOf(AS.columns), read_token: rowsOf(T.readVersion.columns) }, `
UPSERT INTO alert_state
SELECT * FROM AS_TABLE($rows);
UPSERT INTO read_version
SELECT * FROM AS_TABLE($read_token);
`);

// ---------------------------------------------------------------------------------------
// Notification outbox

const D = T.notifyDelivery;
const I = T.notifyDeliveryItem;
const C = T.notifyChannelState;
export const DELIVERY_COLUMNS = D.columns;
export const ITEM_COLUMNS = I.columns;
export const CHANNEL_COLUMNS = C.columns;
export const CHANNEL_KEY = pick(C.columns, 'channel_id');

export const DELIVERY_GET = yql({ delivery_id: col.utf8 }, `
SELECT * FROM notify_delivery
WHERE delivery_id = $delivery_id;
`);

/** What changes would overwrite, in two results: their rows (a claim's few dozen at most) and the items of their events (one per channel). */
export const CHANGE_TARGETS = yql({ delivery_ids: 'List<Utf8>', event_ids: 'List<Utf8>' }, `
SELECT * FROM notify_delivery
WHERE delivery_id IN $delivery_ids;
SELECT event_id, channel_id, delivery_id FROM notify_delivery_item
WHERE event_id IN $event_ids;
`);

/** Unsealed deliveries of a group: a handful, the rule picks the oldest. */
export const OPEN_DELIVERIES = pages(
  { channel_id: col.utf8, group_key: col.utf8, sealed: col.bool },
  { delivery_id: col.utf8 },
  `SELECT * FROM notify_delivery VIEW by_group
WHERE channel_id = $channel_id AND group_key = $group_key AND sealed = $sealed`,
);

/** Due deliveries of one state, by due time (the index's order); leases are judged by the caller's rule. */
export const DUE_DELIVERIES = pages(
  { state: col.utf8, now_ms: col.int64 },
  { next_attempt_at_ms: col.opt.int64, delivery_id: col.utf8 },
  `SELECT * FROM notify_delivery VIEW by_due
WHERE state = $state AND next_attempt_at_ms <= $now_ms`,
);

export const DELIVERIES_BY_STATE = pages(
  { state: col.utf8 },
  { updated_at_ms: col.int64, delivery_id: col.utf8 },
  `SELECT * FROM notify_delivery VIEW by_state_updated
WHERE state = $state`,
);

export const ITEM_GET = yql({ event_id: col.utf8, channel_id: col.utf8 }, `
SELECT * FROM notify_delivery_item
WHERE event_id = $event_id AND channel_id = $channel_id;
`);

export const ITEMS_OF_DELIVERY = pages(
  { delivery_id: col.utf8 },
  { event_id: col.utf8 },
  `SELECT * FROM notify_delivery_item VIEW by_delivery
WHERE delivery_id = $delivery_id`,
);

export const CHANNEL_GET = yql({ channel_id: col.utf8 }, `
SELECT channel_id FROM notify_channel_state
WHERE channel_id = $channel_id;
`);

/** Channels disabled by a refusal: a handful, the whole (small) table. */
export const DISABLED_CHANNELS = pages({}, { channel_id: col.utf8 }, `SELECT channel_id FROM notify_channel_state
WHERE TRUE`);

/** Every write of the changes a transaction applies, in one statement that commits it; any list may be empty. */
export const OUTBOX_WRITE = yql({ rows: rowsOf(D.columns), items: rowsOf(I.columns), disable: rowsOf(C.columns), enable: rowsOf(CHANNEL_KEY) }, `
UPSERT INTO notify_delivery
SELECT * FROM AS_TABLE($rows);
INSERT INTO notify_delivery_item
SELECT * FROM AS_TABLE($items);
UPSERT INTO notify_channel_state
SELECT * FROM AS_TABLE($disable);
DELETE FROM notify_channel_state ON
SELECT * FROM AS_TABLE($enable);
`);

// ---------------------------------------------------------------------------------------
// Migrations bookkeeping

export const MIGRATION_COLUMNS = T.schemaMigrations.columns;

/** Created before anything else by migrate.ts (DDL through the query service). */
export const MIGRATIONS_BOOTSTRAP = `CREATE TABLE IF NOT EXISTS schema_migrations (
  migration_id Utf8 NOT NULL,
  checksum Utf8 NOT NULL,
  applied_at_ms Int64 NOT NULL,
  PRIMARY KEY (migration_id)
);`;

export const MIGRATIONS_APPLIED = pages({}, { migration_id: col.utf8 }, `SELECT * FROM schema_migrations
WHERE TRUE`);

export const MIGRATION_RECORD = yql({ rows: rowsOf(MIGRATION_COLUMNS) }, `
UPSERT INTO schema_migrations
SELECT * FROM AS_TABLE($rows);
`);

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
    if (name === 'AGGREGATE_TIMESERIES') for (const [m, p] of Object.entries(v as Record<string, string>)) add(`${name}.${m}`, p);
    else add(name, v);
  }
  return out;
}

const QUERIES = {
  LEDGER_GET,
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
  COMMIT_READ,
  COMMIT_POINTERS,
  BATCH_REFERENCES,
  BATCH_IN_FORCE,
  DISCARD_BATCH,
  DELETE_SCHOOLS_BY_KEY,
  SCHOOLS_OF_BATCH,
  MUNICIPALITIES_OF_BATCH,
  SOURCES_OF_BATCH,
  CURRENT_PERIODS,
  AGGREGATE_REPLACE_PERIOD,
  AGGREGATE_READ_PERIOD,
  AGGREGATE_PERIODS,
  AGGREGATE_PERIODS_BETWEEN,
  PERIOD_WINDOW_BOUNDS,
  PERIOD_WINDOW,
  READ_VERSION,
  AGGREGATE_TIMESERIES,
  COMPLETENESS_FOR_REGION,
  COMPLETENESS_BETWEEN,
  ALERTS_FOR_REGION,
  ALERTS_SAVE,
  DELIVERY_GET,
  CHANGE_TARGETS,
  OPEN_DELIVERIES,
  DUE_DELIVERIES,
  DELIVERIES_BY_STATE,
  ITEM_GET,
  ITEMS_OF_DELIVERY,
  CHANNEL_GET,
  DISABLED_CHANNELS,
  OUTBOX_WRITE,
  MIGRATIONS_APPLIED,
  MIGRATION_RECORD,
} as const;
