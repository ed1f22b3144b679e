// Pure: the error vocabulary. Bad user data is an `Issue` value (schemas.ts) or an
// `InputError` that carries one; infrastructure faults are `PipelineError`s whose
// `retryable` flag decides whether a trigger retries. Callers decide from properties,
// never from message text.
import { z } from 'zod';
import type { Issue } from './schemas.ts';

/** Stable codes of input problems; tests and the report consumers match on these. */
export const IssueCode = {
  // file level: the whole file is rejected
  EmptyFile: 'file.empty',
  NoDataRows: 'file.no_data_rows',
  UnsupportedFormat: 'file.unsupported_format',
  UnsupportedEncoding: 'file.unsupported_encoding',
  MojibakeHeaders: 'file.mojibake_headers',
  TooLarge: 'file.too_large',
  TooManyRows: 'file.too_many_rows',
  TooManyColumns: 'file.too_many_columns',
  RecordTooLong: 'file.record_too_long',
  ZipBomb: 'file.zip_bomb',
  XmlEntity: 'file.xml_entity',
  CorruptArchive: 'file.corrupt_archive',
  UnclosedQuote: 'file.unclosed_quote',
  NotATable: 'file.not_a_table',
  MissingColumn: 'file.missing_column',
  DuplicateColumn: 'file.duplicate_column',
  NoPeriod: 'file.no_period',
  UnknownRegion: 'file.unknown_region',
  /** the workbook's XML could not be parsed (malformed part, undefined entity) */
  UnreadableWorkbook: 'file.unreadable_workbook',
  /** a fault of ours while reading the file: the upload is closed as failed, not retried */
  IngestFailed: 'file.ingest_failed',
  // row level: the row is rejected, the rest of the file goes on
  BadCount: 'row.bad_count',
  BadYesNo: 'row.bad_yes_no',
  BadInn: 'row.bad_inn',
  BadKpp: 'row.bad_kpp',
  UnknownMunicipality: 'row.unknown_municipality',
  MissingValue: 'row.missing_value',
  BadPeriod: 'row.bad_period',
  RegionMismatch: 'row.region_mismatch',
  /** a row of another region or municipality than the upload key (from the upload page) allows */
  OutsideUploadScope: 'row.outside_upload_scope',
  DuplicateConflict: 'row.duplicate_conflict',
  WrongColumnCount: 'row.wrong_column_count',
  // CSV records the reader could frame but not read: that record alone is rejected
  RowTooLong: 'row.record_too_long',
  RowTooManyColumns: 'row.too_many_columns',
  RowNulByte: 'row.nul_byte',
  RowUnclosedQuote: 'row.unclosed_quote',
  /** an XLSX error cell (#DIV/0!, #N/A, #REF!) or a formula without a cached value, in a field */
  UnreadableCell: 'row.unreadable_cell',
  /** a count no real school reaches (plausibility.ts): a typo or a broken export */
  ImplausibleCount: 'row.implausible_count',
  // warnings: reported, nothing rejected
  UnknownColumn: 'warn.unknown_column',
  InnOutsideRegion: 'warn.inn_outside_region',
  DuplicateIdentical: 'warn.duplicate_identical',
  PossibleBranch: 'warn.possible_branch',
  TotalsMismatch: 'warn.totals_mismatch',
  TotalsRowSkipped: 'warn.totals_row_skipped',
  TeachersInSferumAboveTotal: 'warn.teachers_in_sferum_above_total',
  /** pupils in Sferum above pupils, a KPI count above teachers: kept, and named */
  CountAboveTotal: 'warn.count_above_total',
  MissingCounts: 'warn.missing_counts',
  FuturePeriod: 'warn.future_period',
  /** a header matched only after Latin look-alikes were read as Cyrillic letters */
  HeaderHomoglyph: 'warn.header_homoglyph',
  /** a header matched only after a group row above was joined to it */
  HeaderCombined: 'warn.header_combined',
  /** a column with a blank or unknown header holds values that were not read */
  UnreadColumnData: 'warn.unread_column_data',
  /** the period came from a title line, the file name, the object key or its metadata, not a column */
  PeriodGuessed: 'warn.period_guessed',
  /** a period column holds one date and nothing in the file states the week's end */
  PeriodSingleDate: 'row.period_single_date',
  /** one sheet could not be read to its end; the other sheets were */
  SheetUnreadable: 'row.sheet_unreadable',
} as const;
export type IssueCode = (typeof IssueCode)[keyof typeof IssueCode];

/** A file-level input problem raised by a reader or mapper; the use case turns it into a report. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly issue: Issue,
    options?: ErrorOptions,
  ) {
    super(issue.message, options);
  }
}

/** Base of infrastructure faults. `retryable` tells a handler whether to throw for a retry. */
export class PipelineError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A store, queue or object-storage call failed in a way a retry may fix. */
export class TransientError extends PipelineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'infra.transient', true, options);
  }
}

/** Another invocation holds the ingest lease for this object: retry later. */
export class LeaseHeldError extends PipelineError {
  constructor(
    readonly uploadId: string,
    readonly leaseUntilMs: number,
  ) {
    super(`upload ${uploadId} is being ingested by another invocation until ${leaseUntilMs}`, 'ingest.in_progress', true);
  }
}

/** Configuration is invalid: fail fast at start-up, never retried. */
export class ConfigError extends PipelineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'config.invalid', false, options);
  }
}

/**
 * An error raised by a port (object storage, a store, a queue) as a pipeline fault: the
 * port's own PipelineError as it is, anything else transient. The use case wraps its ports
 * with this so that whatever else escapes it is, by elimination, a fault in our own code
 * on this file's data — closed as failed rather than retried.
 */
export function asInfraFault(err: unknown): PipelineError | InputError {
  if (err instanceof PipelineError || err instanceof InputError) return err;
  return new TransientError(err instanceof Error ? err.message : String(err), { cause: err });
}

/** True for errors a trigger should retry (our own, or vendor errors an adapter did not map). */
export function isRetryable(err: unknown): boolean {
  if (err instanceof PipelineError) return err.retryable;
  if (err instanceof InputError) return false;
  // a value that failed its schema (an event, a stored row) fails it again on every retry
  if (err instanceof z.ZodError) return false;
  // Unknown errors from the platform (sockets, timeouts) are treated as transient so the
  // trigger retries them; a fault on user data never reaches here: ingest closes that
  // upload as failed.
  return true;
}
