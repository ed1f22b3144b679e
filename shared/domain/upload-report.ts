// Pure: the upload report's rules — how issues are collected without growing with the file,
// what status an upload ends in, where a report is stored, and the one place each kind of
// report is built.
//
// Why a bounded log: a garbage file yields an issue per cell. Keeping them all made an
// 8 000-row file a 30 MB report (and 320 MB RSS); spreading them into another array blew
// the call stack at ~10 000 rows. The log keeps the first `limit` errors and the first
// `limit` warnings in full, counts every issue per code, and clips the text of each issue it
// keeps. Errors and warnings have a budget each because real exports warn on many rows (the
// seed's own data has more teachers in Sferum than teachers in total): a shared budget let
// those warnings crowd out the rejected rows an admin has to fix.
import { IssueCode } from './errors.ts';
import type { Issue, Period, TableReport, UploadReport, UploadStatus } from './schemas.ts';

/** Row errors, and separately row warnings, kept in full in a report by default; the rest are counted per code. */
export const DEFAULT_REPORT_ISSUES = 1000;

/** Longest text kept of a message, a cell value or a header in a report (in UTF-16 units). */
const MAX_MESSAGE = 500;
const MAX_VALUE = 200;
const MAX_NAME = 200;

/** Where an upload's report is stored: `reports/<upload key>.json`, beside the upload in the same bucket. */
export function reportKeyOf(reportPrefix: string, uploadKey: string): string {
  return `${reportPrefix}${uploadKey}.json`;
}

/** Where issues go: the mapper and the readers report into it, the report reads it back. */
export type IssueLog = {
  error(issue: Issue): void;
  warn(issue: Issue): void;
  readonly errors: readonly Issue[];
  readonly warnings: readonly Issue[];
  /** every issue seen, per code, kept or not */
  readonly counts: Readonly<Record<string, number>>;
  /** issues counted but not kept in full */
  readonly omitted: () => number;
};

export function createIssueLog(limit: number = DEFAULT_REPORT_ISSUES): IssueLog {
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  // a null-prototype record: codes are ours, but a record keyed by text stays a plain map
  const counts: Record<string, number> = Object.create(null) as Record<string, number>;
  let omitted = 0;
  const add = (into: Issue[], issue: Issue) => {
    counts[issue.code] = (counts[issue.code] ?? 0) + 1;
    if (into.length < limit) into.push(clipIssue(issue));
    else omitted++;
  };
  return {
    error: (i) => add(errors, i),
    warn: (i) => add(warnings, i),
    errors,
    warnings,
    counts,
    omitted: () => omitted,
  };
}

/** An issue whose free text is cut to a fixed length, so one issue has a bounded size. */
export function clipIssue(i: Issue): Issue {
  return {
    ...i,
    message: clip(i.message, MAX_MESSAGE),
    file: clip(i.file, 1024),
    sheet: i.sheet === null ? null : clip(i.sheet, MAX_NAME),
    column: i.column === null ? null : clip(i.column, MAX_NAME),
    value: i.value === null ? null : clip(i.value, MAX_VALUE),
  };
}

export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** A header as a report shows it: clipped like any other text from the file. */
export const clipHeader = (h: string): string => clip(h, MAX_NAME);

/** What the upload's identity and bytes tell before any table is read. */
export type ReportBase = Pick<UploadReport, 'upload_id' | 'bucket' | 'key' | 'sha256' | 'size' | 'format' | 'encoding' | 'received_at'>;

/**
 * accepted: every row taken; partial: some rejected; rejected: none taken; superseded: the
 * rows were valid but every unit is held by a newer upload.
 */
export function uploadStatus(rows: { accepted: number; rejected: number }, commit: { applied: number; superseded: number }): UploadStatus {
  if (rows.accepted === 0) return 'rejected';
  if (commit.applied === 0 && commit.superseded > 0) return 'superseded';
  return rows.rejected > 0 ? 'partial' : 'accepted';
}

export function completedReport(
  base: ReportBase,
  r: { delimiter: UploadReport['delimiter']; region: string | null; tables: TableReport[]; periods: Period[]; commit: { applied: number; superseded: number }; issues: IssueLog },
  completedAt: string,
): UploadReport {
  const rows = {
    accepted: r.tables.reduce((n, t) => n + t.rows.accepted, 0),
    rejected: r.tables.reduce((n, t) => n + t.rows.rejected, 0),
  };
  return {
    ...base,
    delimiter: r.delimiter,
    region: r.region,
    status: uploadStatus(rows, r.commit),
    tables: r.tables,
    periods: r.periods,
    rows,
    file_error: null,
    ...issueFields(r.issues),
    replacements: [],
    replaced_by: null,
    completed_at: completedAt,
  };
}

/** A file rejected whole: its file error is also the first entry of `errors`. */
export function rejectedReport(base: ReportBase, fileError: Issue, r: { delimiter: UploadReport['delimiter']; issues: IssueLog }, completedAt: string): UploadReport {
  const clipped = clipIssue(fileError);
  const issues = issueFields(r.issues);
  const counts = { ...r.issues.counts };
  counts[clipped.code] = (counts[clipped.code] ?? 0) + 1;
  return {
    ...base,
    delimiter: r.delimiter,
    region: null,
    status: 'rejected',
    tables: [],
    periods: [],
    rows: { accepted: 0, rejected: 0 },
    file_error: clipped,
    errors: [clipped],
    warnings: issues.warnings,
    issue_counts: counts,
    issues_omitted: issues.issues_omitted,
    replacements: [],
    replaced_by: null,
    completed_at: completedAt,
  };
}

/**
 * An upload that hit a fault of ours (an unexpected error while reading user data): closed
 * (rejected, code `file.ingest_failed`) so no trigger retries it for ever, nothing committed. The message names
 * no cell: the fault is not the file's, and its text may quote data.
 */
export function failedReport(base: ReportBase, r: { delimiter: UploadReport['delimiter']; issues: IssueLog; errorName: string }, completedAt: string): UploadReport {
  const issue: Issue = {
    code: IssueCode.IngestFailed,
    message: `ingest failed with an unexpected error (${r.errorName}); nothing from this file was stored. This is a fault in sferum-pulse, not in the file: report the upload id ${base.upload_id}`,
    file: base.key,
    sheet: null,
    row: null,
    column: null,
    value: null,
  };
  return rejectedReport(base, issue, r, completedAt);
}

function issueFields(log: IssueLog): Pick<UploadReport, 'errors' | 'warnings' | 'issue_counts' | 'issues_omitted'> {
  return { errors: log.errors.slice(), warnings: log.warnings.slice(), issue_counts: { ...log.counts }, issues_omitted: log.omitted() };
}
