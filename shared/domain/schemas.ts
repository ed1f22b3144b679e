// Pure: the zod schemas that are the single source of truth for every row, period,
// report and event type in the pipeline. Types are z.infer of these, never twins.
// No I/O, no clock: callers pass "now" in.
import { z } from 'zod';
import { METRIC_IDS } from './metric-catalog.ts';

/** ISO calendar date `YYYY-MM-DD` (no time zone: periods are civil dates). */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
export type IsoDate = z.infer<typeof IsoDate>;

/** Subject code of the Russian Federation: `26` is Stavropol Krai. */
export const RegionCode = z.string().regex(/^\d{2}$/, 'expected a two-digit region code');
export type RegionCode = z.infer<typeof RegionCode>;

/** A reporting period; its key is its start and end date. */
export const Period = z
  .object({ start: IsoDate, end: IsoDate })
  .refine((p) => p.start <= p.end, { message: 'period start is after its end' });
export type Period = z.infer<typeof Period>;

/** Every metric of the contract, per period, for the region and each municipality: the catalog's ids, in its order. */
export const MetricId = z.enum(METRIC_IDS);
export type MetricId = z.infer<typeof MetricId>;

/** Non-negative integer count, or null for a missing value (empty, `-`, `—`). */
export const Count = z.number().int().nonnegative().nullable();

export const TableKind = z.enum(['schools', 'municipalities']);
export type TableKind = z.infer<typeof TableKind>;

/** One school (ОО) in one period, after normalisation. */
export const SchoolRow = z.object({
  region: RegionCode,
  period: Period,
  municipality_id: z.string().min(1),
  /** (INN, KPP) when the export has KPP, else INN, else INN plus normalised name for branches. */
  school_key: z.string().min(1),
  school_inn: z.string().regex(/^\d{10}$/),
  school_kpp: z.string().regex(/^[0-9A-Z]{9}$/).nullable(),
  school_name: z.string().min(1),
  in_sferum: z.boolean(),
  admin_active: z.boolean(),
  teachers_total: Count,
  teachers_in_sferum: Count,
  students_total: Count,
  students_in_sferum: Count,
  teachers_chat_creators: Count,
  teachers_msg3: Count,
  teachers_msg10: Count,
  teachers_calls: Count,
});
export type SchoolRow = z.infer<typeof SchoolRow>;

/** One municipal education authority (МОУО) in one period. */
export const MunicipalityRow = z.object({
  region: RegionCode,
  period: Period,
  municipality_id: z.string().min(1),
  in_sferum: z.boolean(),
  admin_active: z.boolean(),
});
export type MunicipalityRow = z.infer<typeof MunicipalityRow>;

/** The count fields of a school row, in contract order. Metric ids build on these names. */
export const SCHOOL_COUNT_FIELDS = [
  'teachers_total',
  'teachers_in_sferum',
  'students_total',
  'students_in_sferum',
  'teachers_chat_creators',
  'teachers_msg3',
  'teachers_msg10',
  'teachers_calls',
] as const satisfies readonly (keyof SchoolRow)[];
export type SchoolCountField = (typeof SCHOOL_COUNT_FIELDS)[number];

/** A schools table's columns in the contract's order (the export template writes them so). */
export const SCHOOL_TABLE_FIELDS = ['period', 'municipality', 'school_name', 'school_inn', 'school_kpp', 'in_sferum', 'admin_active', ...SCHOOL_COUNT_FIELDS] as const;
/** A МОУО table's columns in the contract's order. */
export const MUNICIPALITY_TABLE_FIELDS = ['period', 'municipality', 'in_sferum', 'admin_active'] as const;

/** Every field a table can carry, across both kinds (header aliases map onto these). */
export const FieldName = z.enum([
  'region',
  // a period split over two columns («Период» over «с» / «по», «начало» / «окончание»)
  'period_start',
  'period_end',
  ...SCHOOL_TABLE_FIELDS,
]);
export type FieldName = z.infer<typeof FieldName>;

/**
 * A problem found in the input. `row` is the spreadsheet row number as the admin sees it
 * (the header is row 1 of its sheet); `column` is the header text as it stands in the file.
 */
export const Issue = z.object({
  code: z.string(),
  message: z.string(),
  file: z.string(),
  sheet: z.string().nullable().default(null),
  row: z.number().int().nullable().default(null),
  column: z.string().nullable().default(null),
  value: z.string().nullable().default(null),
});
export type Issue = z.infer<typeof Issue>;

/**
 * `replaced`: accepted, then every unit it held was taken over by a newer upload of the same
 * (period, kind, municipality) — `replaced_by` names it. `duplicate`: its content equals the
 * upload in force for every unit it carries, so nothing changed.
 */
export const UploadStatus = z.enum(['accepted', 'partial', 'rejected', 'superseded', 'skipped', 'replaced', 'duplicate']);
export type UploadStatus = z.infer<typeof UploadStatus>;

export const TableReport = z.object({
  sheet: z.string().nullable(),
  kind: TableKind,
  /** the row the header was found in (its first row, for a header over two rows); rows above it are titles */
  header_row: z.number().int().min(1).optional(),
  /** where the rows' period came from: their column, else a title line, the file name, the object key or its metadata */
  period_source: z.enum(['column', 'title', 'file_name', 'object_key', 'metadata']).nullable().optional(),
  /** header text in the file → field it was mapped to */
  columns: z.array(z.object({ header: z.string(), field: FieldName.nullable() })),
  rows: z.object({
    read: z.number().int().nonnegative(),
    accepted: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
  }),
});
export type TableReport = z.infer<typeof TableReport>;

/** What a municipality's table held in one period: schools (or МОУО rows), teachers and pupils. */
export const UnitFigures = z.object({
  schools: z.number().int().nonnegative(),
  teachers: z.number().int().nonnegative().nullable(),
  students: z.number().int().nonnegative().nullable(),
});
export type UnitFigures = z.infer<typeof UnitFigures>;

/** One (period, kind, municipality) an upload took over from an earlier one, with before → after. */
export const Replacement = z.object({
  period: Period,
  kind: TableKind,
  municipality_id: z.string(),
  replaced_upload_id: z.string(),
  before: UnitFigures,
  after: UnitFigures,
});
export type Replacement = z.infer<typeof Replacement>;

/** What the sniffer found an upload to be (formats/sniff.ts): a text table or a workbook. */
export const FileFormat = z.enum(['csv', 'xlsx']);
export type FileFormat = z.infer<typeof FileFormat>;

/** The text encodings the sniffer tells apart (formats/sniff.ts); the CSV reader decodes each. */
export const TextEncodingName = z.enum(['utf-8', 'utf-8-bom', 'windows-1251', 'utf-16le', 'utf-16be']);
export type TextEncodingName = z.infer<typeof TextEncodingName>;

/** The field delimiters the CSV reader detects from the header record. */
export const Delimiter = z.enum([';', ',', '\t']);
export type Delimiter = z.infer<typeof Delimiter>;

/** The outcome of one uploaded object: stored next to the upload and returned by CLI and API. */
export const UploadReport = z.object({
  upload_id: z.string(),
  bucket: z.string(),
  key: z.string(),
  sha256: z.string(),
  size: z.number().int().nonnegative(),
  format: FileFormat.nullable(),
  encoding: TextEncodingName.nullable(),
  delimiter: Delimiter.nullable(),
  region: RegionCode.nullable(),
  status: UploadStatus,
  tables: z.array(TableReport),
  periods: z.array(Period),
  rows: z.object({ accepted: z.number().int().nonnegative(), rejected: z.number().int().nonnegative() }),
  /**
   * A file-level error rejects the whole file; it is also the first entry of `errors`. Its
   * code `file.ingest_failed` marks an upload closed by a fault of ours, not of the file.
   */
  file_error: Issue.nullable(),
  /** the first row issues in full (a setting, 1 000 by default), errors and warnings together */
  errors: z.array(Issue),
  warnings: z.array(Issue),
  /** every issue per code, including those not listed; absent in reports written before it */
  issue_counts: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** issues counted in `issue_counts` but not listed in `errors` or `warnings` */
  issues_omitted: z.number().int().nonnegative().optional(),
  /** what this upload replaced (empty in reports written before replacements were listed) */
  replacements: z.array(Replacement).default([]),
  /** the name of the API key whose signed form posted the file (object metadata `uploader`); null for other uploads */
  uploader: z.string().optional(),
  /** the upload that took over every unit of this one (status `replaced`); null otherwise */
  replaced_by: z.string().nullable().default(null),
  received_at: z.string(),
  completed_at: z.string(),
});
export type UploadReport = z.infer<typeof UploadReport>;

/** Of one table kind: how many municipalities of the region's reference have rows, and which do not (ids). */
export const KindCompleteness = z.object({ expected: z.number().int().nonnegative(), reported: z.number().int().nonnegative(), missing: z.array(z.string()) });
export type KindCompleteness = z.infer<typeof KindCompleteness>;

/** incomplete = closed after the reporting deadline with data still missing */
export const CompletenessState = z.enum(['complete', 'provisional', 'incomplete']);
export type CompletenessState = z.infer<typeof CompletenessState>;

/** Which municipalities of the region's reference a (region, period) has data for, per table kind. */
export const Completeness = z.object({
  complete: z.boolean(),
  state: CompletenessState,
  /** «предварительно: 1 из 33 МОУО» | «неполные данные: нет выгрузок Александровский МО, …» | null when complete */
  label: z.string().nullable(),
  /** municipalities of the reference with school rows */
  schools: KindCompleteness,
  /** municipalities of the reference with a row in the МОУО table */
  municipalities: KindCompleteness,
});
export type Completeness = z.infer<typeof Completeness>;

/** Handed from ingest to aggregate: a (region, period) whose snapshots changed. */
export const PeriodChanged = z.object({
  type: z.literal('period_changed'),
  region: RegionCode,
  period: Period,
  upload_id: z.string(),
  changed_at: z.string(),
});
export type PeriodChanged = z.infer<typeof PeriodChanged>;

/** `2023-03-06..2023-03-10`: the period key used in storage, events and the API. */
export function periodKey(p: Period): string {
  return `${p.start}..${p.end}`;
}

/** Parses a period key back; returns null for anything else. */
export function parsePeriodKey(s: string): Period | null {
  const m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(s);
  if (!m) return null;
  const r = Period.safeParse({ start: m[1], end: m[2] });
  return r.success ? r.data : null;
}

/** The seed's label: `06.03-10.03.2023`, or `27.12.2022-06.01.2023` across a year. */
export function periodLabel(p: Period): string {
  const [sy, sm, sd] = p.start.split('-');
  const [ey, em, ed] = p.end.split('-');
  return sy === ey ? `${sd}.${sm}-${ed}.${em}.${ey}` : `${sd}.${sm}.${sy}-${ed}.${em}.${ey}`;
}
