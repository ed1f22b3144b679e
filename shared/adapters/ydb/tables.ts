// Adapter support: our YDB tables, described once with the codec (codec.ts): their names,
// columns, YDB types, primary keys and indexes, the row type of each, and the mappers
// between the pipeline's zod-inferred domain rows and those table rows. The DECLARE texts
// (queries.ts), the struct types sent with BulkUpsert and AS_TABLE, the decoding of result
// sets and the migration check all derive from these descriptions.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { alertRecord } from '../alert-rows.ts';
import { municipalityFromRecord, municipalityRecord, schoolFromRecord, schoolRecord } from '../snapshot-rows.ts';
import { AlertState } from '../../domain/alerts.ts';
import { aggregateNotes, COUNT_METRICS, DataQualityWarning, parseAggregateNotes, type AggregateRow } from '../../domain/metrics.ts';
import { Completeness, MetricId, type MunicipalityRow, type Period, periodLabel, type SchoolRow, type TableKind, UploadReport } from '../../domain/schemas.ts';
import type { PeriodCompleteness } from '../../ports/aggregate-store.ts';
import { col, table, type AnyTable, type ColumnType, type RowOf } from './codec.ts';

const COUNT_SET: ReadonlySet<string> = new Set(COUNT_METRICS);
type MetricColumn = MetricId | `${MetricId}_delta`;
/** Counts (and their deltas, which may be negative) are Int64; shares are Double. */
export const METRIC_COLUMNS = Object.fromEntries(
  MetricId.options.flatMap((m) => {
    const t = COUNT_SET.has(m) ? col.opt.int64 : col.opt.double;
    return [
      [m, t],
      [`${m}_delta`, t],
    ];
  }),
) as Readonly<Record<MetricColumn, ColumnType<'Int64' | 'Double', true>>>;

/** What both snapshot tables are keyed by first: one batch of one municipality's export. */
const SNAPSHOT_KEY = { region: col.utf8, period_start: col.date, period_end: col.date, batch_id: col.utf8, municipality_id: col.utf8 } as const;
const SNAPSHOT_KEY_NAMES = Object.keys(SNAPSHOT_KEY) as (keyof typeof SNAPSHOT_KEY)[];

/** One unit of a region's snapshots — what a pointer and the summary beside it are keyed by — and the batch holding it. */
const UNIT_KEY = { region: col.utf8, period_start: col.date, period_end: col.date, kind: col.utf8, municipality_id: col.utf8 } as const;
const UNIT_KEY_NAMES = Object.keys(UNIT_KEY) as (keyof typeof UNIT_KEY)[];

/** An aggregate row's fixed columns, either side of the metric columns. */
const AGGREGATE_SCOPE = {
  region: col.utf8,
  period_start: col.date,
  period_end: col.date,
  period_label: col.utf8,
  level: col.utf8,
  unit: col.utf8,
  unit_name: col.utf8,
  has_export: col.bool,
} as const;
const AGGREGATE_NOTES = { missing_json: col.json, warnings_json: col.json } as const;

/** Every table, by the name the adapters use for it. */
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
  }),
  schoolSnapshot: table({
    name: 'school_snapshot',
    columns: {
      ...SNAPSHOT_KEY,
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
    primaryKey: [...SNAPSHOT_KEY_NAMES, 'school_key'],
  }),
  schoolSource: table({
    name: 'school_source',
    columns: { ...SNAPSHOT_KEY, school_key: col.utf8, source_row: col.int64, source_sheet: col.opt.utf8 },
    primaryKey: [...SNAPSHOT_KEY_NAMES, 'school_key'],
  }),
  municipalitySnapshot: table({
    name: 'municipality_snapshot',
    columns: { ...SNAPSHOT_KEY, in_sferum: col.bool, admin_active: col.bool },
    primaryKey: SNAPSHOT_KEY_NAMES,
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
  }),
  currentBatch: table({
    name: 'current_batch',
    columns: {
      ...UNIT_KEY,
      batch_id: col.utf8,
      upload_id: col.utf8,
      source_modified_ms: col.int64,
      source_sequence: col.uint64,
      version: col.uint64,
    },
    primaryKey: UNIT_KEY_NAMES,
  }),
  aggregateMetrics: table({
    name: 'aggregate_metrics',
    columns: { ...AGGREGATE_SCOPE, ...METRIC_COLUMNS, ...AGGREGATE_NOTES },
    primaryKey: ['region', 'period_start', 'period_end', 'level', 'unit'],
    indexes: [{ name: 'by_scope', columns: ['region', 'level', 'unit', 'period_start'] }],
  }),
  periodCompleteness: table({
    name: 'period_completeness',
    columns: {
      region: col.utf8,
      period_start: col.date,
      period_end: col.date,
      state: col.utf8,
      schools_reported: col.int64,
      mouo_reported: col.int64,
      expected: col.int64,
      completeness_json: col.json,
    },
    primaryKey: ['region', 'period_start', 'period_end'],
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
  }),
  regionPeriod: table({
    name: 'region_period',
    columns: { region: col.utf8, period_start: col.date, period_end: col.date, changed_at_ms: col.int64 },
    primaryKey: ['region', 'period_start', 'period_end'],
  }),
  unitSummary: table({
    name: 'snapshot_unit_summary',
    columns: {
      ...UNIT_KEY,
      batch_id: col.utf8,
      row_count: col.int64,
      teachers_total: col.opt.int64,
      students_total: col.opt.int64,
      fingerprint: col.utf8,
      received_at_ms: col.int64,
    },
    primaryKey: UNIT_KEY_NAMES,
  }),
  snapshotPeriod: table({
    name: 'snapshot_period',
    columns: { region: col.utf8, period_start: col.date, period_end: col.date },
    primaryKey: ['region', 'period_start', 'period_end'],
  }),
  readVersion: table({
    name: 'read_version',
    columns: { region: col.utf8, version: col.utf8, changed_at_ms: col.int64 },
    primaryKey: ['region'],
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
  }),
  schemaMigrations: table({
    name: 'schema_migrations',
    columns: { migration_id: col.utf8, checksum: col.utf8, applied_at_ms: col.int64 },
    primaryKey: ['migration_id'],
  }),
} as const;

export const TABLES: readonly AnyTable[] = Object.values(T);

// ---------------------------------------------------------------------------------------
// Row types and mappers: domain (zod-inferred) ⇄ table rows

export type SchoolDbRow = RowOf<typeof T.schoolSnapshot.columns>;
export type MunicipalityDbRow = RowOf<typeof T.municipalitySnapshot.columns>;
export type BatchUnitRow = RowOf<typeof T.batchUnit.columns>;
export type PointerRow = RowOf<typeof T.currentBatch.columns>;
type AlertRow = RowOf<typeof T.alertState.columns>;
export type AggregateDbRow = RowOf<typeof T.aggregateMetrics.columns>;

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
const Level = z.enum(['region', 'municipality']);

export function aggregateToRow(r: AggregateRow): AggregateDbRow {
  const metrics = Object.fromEntries(
    MetricId.options.flatMap((m) => [
      [m, r.values[m] ?? null],
      [`${m}_delta`, r.deltas[m] ?? null],
    ]),
  ) as Record<MetricColumn, number | null>;
  return {
    region: r.region,
    period_start: r.period.start,
    period_end: r.period.end,
    period_label: periodLabel(r.period),
    level: r.scope.level,
    unit: r.scope.id,
    unit_name: r.scope.name,
    has_export: r.has_export,
    ...metrics,
    missing_json: aggregateNotes(r),
    warnings_json: r.warnings,
  };
}

/** The period of a row of any table keyed by (…, period_start, period_end). */
export const rowPeriod = (r: { readonly period_start: string; readonly period_end: string }): Period => ({ start: r.period_start, end: r.period_end });

/** A stored completeness row as the ports carry it, its JSON parsed by the domain's schema. */
export const rowToCompleteness = (r: { readonly period_start: string; readonly period_end: string; readonly completeness_json: unknown }): PeriodCompleteness => ({
  period: rowPeriod(r),
  completeness: Completeness.parse(r.completeness_json),
});

export function rowToAggregate(r: AggregateDbRow): AggregateRow {
  const values = {} as AggregateRow['values'];
  const deltas = {} as AggregateRow['deltas'];
  for (const m of MetricId.options) {
    values[m] = r[m];
    deltas[m] = r[`${m}_delta`];
  }
  return {
    region: r.region,
    period: rowPeriod(r),
    scope: { level: Level.parse(r.level), id: r.unit, name: r.unit_name },
    has_export: r.has_export,
    values,
    deltas,
    ...parseAggregateNotes(r.missing_json),
    warnings: Warnings.parse(r.warnings_json),
  };
}

export const alertToRow: (s: AlertState) => AlertRow = alertRecord;

/**
 * A new read token of a region (read_version): unique per write, so equal tokens mean no
 * writer committed in between. Random rather than counted: a counter would be read and
 * bumped by every writer, and writers of one region would abort each other on it.
 */
export function versionRow(region: string, nowMs: number): RowOf<typeof T.readVersion.columns> {
  return { region, version: randomUUID(), changed_at_ms: nowMs };
}

export function rowToAlert(r: Pick<AlertRow, 'state_json'>): AlertState {
  return AlertState.parse(r.state_json);
}
