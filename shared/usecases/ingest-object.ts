// Use case: ingest one uploaded object into per-period snapshots.
//
// Primary course:
//  1. Skip keys outside the upload prefix and objects that no longer exist.
//  2. Read the bytes once to hash them (and sniff format and encoding).
//  3. Take the ingest lease for (bucket, key, sha256): a completed upload is a no-op,
//     a live lease elsewhere is a retryable LeaseHeldError.
//  4. Read every table (CSV file or XLSX sheet), map headers, normalise and validate
//     row by row, staging accepted rows under the upload's batch id as they stream, and
//     folding each (period, kind, municipality) unit's rows into a summary.
//  5. Commit the batch: one atomic pointer switch per unit, newer upload wins, the units'
//     summaries stored beside the pointers. What it replaces, and whether it repeats the
//     upload in force (a duplicate: nothing committed), comes from the summaries in force.
//  6. Write the report next to the upload and into the ledger; hand the touched
//     (region, period) pairs to the aggregate stage.
// Bad data is a completed outcome (a report). Only infrastructure faults throw; they
// release the lease first so the trigger's retry can start at once. Every adapter raises its
// failures as PipelineErrors (the object's bytes through faultTagged): anything else that
// escapes is a fault of ours on this file's data, and ends the upload (rejected,
// file.ingest_failed) instead of being retried for ever. Issues are collected in one bounded log per upload.
import { asInfraFault, InputError, IssueCode, LeaseHeldError, PipelineError } from '../domain/errors.ts';
import type { HeaderMapping } from '../domain/normalise/headers.ts';
import { HEADER_SEARCH_ROWS, locateHeader } from '../domain/normalise/header-row.ts';
import { fallbackPeriod } from '../domain/normalise/period.ts';
import { leaseLengthMs } from '../domain/store-rules/upload-lease.ts';
import { DUPLICATE_UPLOAD, duplicateMessage, planReplacements, summariseUnits, UnitDigests, unitKey, type UnitSummary } from '../domain/replacement.ts';
import { scopeOfKey } from '../domain/upload-scope.ts';
import type { Withdrawal } from '../domain/duplicate-rule.ts';
import { cellText } from '../domain/cell.ts';
import { admitTable, createTableMapper, type MunicipalityMatcher } from '../domain/table-mapper.ts';
import { completedReport, createIssueLog, clipHeader, DEFAULT_REPORT_ISSUES, failedReport, rejectedReport, reportKeyOf, type IssueLog, type ReportBase } from '../domain/upload-report.ts';
import { periodKey, type Issue, type MunicipalityRow, type Delimiter, type Period, type PeriodChanged, type SchoolRow, type TableReport, type UploadReport } from '../domain/schemas.ts';
import { faultTagged, collect, hashOnly, objectSource } from './upload-bytes.ts';
import { readCsv } from '../formats/csv/reader.ts';
import { concatRows, readLead } from '../formats/lead.ts';
import { resolveLimits, type ByteSource, type LimitOverrides, type Limits, type RawTable } from '../formats/raw-table.ts';
import { sniffBytes, type Sniffed } from '../formats/sniff.ts';
import { readXlsx } from '../formats/xlsx/reader.ts';
import type { CommitOutcome, CommitUnit, ReplacedUnit } from '../domain/store-rules/commit-plan.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { PeriodChangedSink } from '../ports/period-changed.ts';
import type { RowSource, SnapshotStore } from '../ports/snapshot-store.ts';
import type { UploadLedger } from '../ports/upload-ledger.ts';
import type { Logger } from '../ports/logger.ts';
import type { PlausibilityBounds } from '../domain/plausibility.ts';

export type IngestSettings = {
  readonly uploadPrefix: string;
  readonly reportPrefix: string;
  readonly defaultRegion: string | null;
  /** objects up to this size are read into memory once; larger ones are streamed twice */
  readonly bufferBytes: number;
  /** lease bounds: never 0, never beyond the trigger's retry window */
  readonly minLeaseMs: number;
  readonly maxLeaseMs: number;
  readonly stageBatchRows: number;
  readonly limits?: LimitOverrides;
  /** row issues listed in full in a report; the rest are counted per code */
  readonly maxReportIssues?: number;
  /** a replacement dropping a municipality's schools by more than this fraction warns (default 0.5) */
  readonly shrinkingReplacementFraction?: number;
  /** school counts beyond these are row errors (the defaults of plausibility.ts when absent) */
  readonly bounds?: PlausibilityBounds;
  /** schools one table may hold (the mapper's DEFAULT_MAX_SCHOOLS when absent) */
  readonly maxSchools?: number;
};

export type IngestDeps = {
  readonly objects: ObjectStore;
  readonly ledger: UploadLedger;
  readonly snapshots: SnapshotStore;
  readonly periodChanged: PeriodChangedSink;
  readonly clock: Clock;
  readonly log: Logger;
  readonly settings: IngestSettings;
  readonly mapHeaders: (headers: readonly string[]) => HeaderMapping;
  readonly matchers: ReadonlyMap<string, MunicipalityMatcher>;
  readonly knownRegions: readonly { code: string; name: string }[];
};

export type IngestInput = {
  readonly bucket: string;
  readonly key: string;
  /** ms the invocation has left; the lease never relies on it being positive */
  readonly remainingMs: number;
};

export type IngestOutcome =
  /** `object_changed`: another version of the key was stored while this one was read; that version's own ingest (or reconciliation) takes the key */
  | { readonly kind: 'skipped'; readonly reason: 'outside_prefix' | 'object_missing' | 'object_changed' }
  | { readonly kind: 'duplicate'; readonly report: UploadReport }
  | { readonly kind: 'ingested'; readonly report: UploadReport; readonly changed: readonly PeriodChanged[] };

export async function ingestObject(deps: IngestDeps, input: IngestInput): Promise<IngestOutcome> {
  const { objects, ledger, settings, clock, log } = deps;
  const { bucket, key } = input;
  if (!key.startsWith(settings.uploadPrefix)) return { kind: 'skipped', reason: 'outside_prefix' };

  const head = await objects.head(bucket, key);
  if (!head) return { kind: 'skipped', reason: 'object_missing' };
  const source = await objectSource(objects, bucket, key, head.size, settings.bufferBytes);
  if (!source) return { kind: 'skipped', reason: 'object_missing' };
  const open = faultTagged(source, asInfraFault);

  const receivedAt = clock.nowMs();
  const limits = resolveLimits(settings.limits);
  const first = await sniff(open, key, limits);
  const sha256 = first.sniffed?.sha256 ?? (await hashOnly(open));

  const lease = await ledger.acquire({ bucket, key, sha256 }, receivedAt, leaseLengthMs(settings, input.remainingMs));
  if (lease.kind === 'completed') {
    log.info('ingest.duplicate', { key, upload_id: lease.uploadId });
    return { kind: 'duplicate', report: lease.report };
  }
  if (lease.kind === 'in_progress') throw new LeaseHeldError(lease.uploadId, lease.leaseUntilMs);
  const uploadId = lease.uploadId;
  const base: ReportBase = {
    upload_id: uploadId,
    bucket,
    key,
    sha256,
    size: first.sniffed?.size ?? head.size,
    format: first.sniffed?.kind ?? null,
    encoding: first.sniffed?.encoding ?? null,
    received_at: new Date(receivedAt).toISOString(),
  };
  const issues = createIssueLog(settings.maxReportIssues ?? DEFAULT_REPORT_ISSUES);
  const { snapshots } = deps;
  const now = () => new Date(clock.nowMs()).toISOString();

  let report: UploadReport;
  let changed: PeriodChanged[] = [];
  let delimiter: UploadReport['delimiter'] = null;
  try {
    if (first.fault !== null) throw first.fault;
    if (first.fileError || !first.sniffed) {
      report = rejectedReport(base, first.fileError!, { delimiter: null, issues }, now());
    } else {
      // opened here, not while staging: a fault later in the file still reports the delimiter
      const opened = await openTables({ key, open, sniffed: first.sniffed, limits });
      delimiter = opened.delimiter;
      const staged = 'fileError' in opened ? { ...NOTHING_STAGED, fileError: opened.fileError } : await readAndStage(deps, { uploadId, key, metadataPeriod: head.metadata['period'], receivedOn: base.received_at.slice(0, 10), tables: opened.tables, sniffed: first.sniffed, issues });
      if (staged.fileError) {
        await snapshots.discardBatch(uploadId);
        report = rejectedReport(base, staged.fileError, { delimiter, issues }, now());
      } else if (!(await stillStored(objects, bucket, key, head.etag))) {
        // The key holds another version now (two puts may share a LastModified second, and
        // this one may have taken its lease last): committing would put a stale version in
        // force for good. Nothing is committed or reported; the lease is given back, so the
        // stored version's own ingest — or reconciliation, if its event was lost — takes it.
        await snapshots.discardBatch(uploadId);
        await ledger.release(uploadId);
        log.warn('ingest.object_changed', { key, upload_id: uploadId });
        return { kind: 'skipped', reason: 'object_changed' };
      } else {
        const region = staged.region;
        let commit: CommitOutcome = { applied: 0, superseded: 0, periods: [], replaced: [], unchanged: null };
        // what each staged unit holds: folded while staging, or read back after a withdrawal
        let mine = new Map<string, UnitSummary>();
        if (region !== null && staged.units.length > 0) {
          mine = staged.summaries ?? (await readBack(snapshots, uploadId, region, staged.periods));
          commit = await snapshots.commitBatch({
            batchId: uploadId,
            uploadId,
            region,
            source: { lastModifiedMs: head.lastModifiedMs, sequence: lease.sequence },
            units: staged.units,
            // kept beside the pointers: the next upload of these units compares with them
            contents: { receivedAtMs: receivedAt, units: [...mine.values()] },
            unlessUnchanged: true,
          });
        }
        if (commit.unchanged) {
          // the same rows as the upload in force in every unit: nothing was committed (the commit discarded the staged rows) or recomputed
          const { uploadId: original, receivedAtMs } = commit.unchanged;
          issues.warn({ code: DUPLICATE_UPLOAD, message: duplicateMessage(new Date(receivedAtMs).toISOString()), file: key, sheet: null, row: null, column: null, value: original });
          report = { ...completedReport(base, { delimiter, region, tables: staged.tables, periods: staged.periods, commit, issues }, now()), status: 'duplicate' };
        } else {
          // the replacements: the units this upload's commit took from another upload, their content changed
          const replaced = region === null ? [] : await withContents(snapshots, region, commit.replaced);
          const plan = planReplacements({ file: key, mine, replaced, shrinkFraction: settings.shrinkingReplacementFraction ?? 0.5 });
          for (const w of plan.warnings) issues.warn(w.issue);
          report = { ...completedReport(base, { delimiter, region, tables: staged.tables, periods: staged.periods, commit, issues }, now()), replacements: [...plan.replacements] };
          changed = commit.periods.map((period) => ({ type: 'period_changed' as const, region: region!, period, upload_id: uploadId, changed_at: report.completed_at }));
        }
      }
    }
  } catch (err) {
    if (err instanceof PipelineError) {
      await ledger.release(uploadId).catch(() => undefined);
      throw err;
    }
    // A fault of ours on this file: retrying would hit it again at every retry and timer.
    log.error('ingest.failed', { key, upload_id: uploadId, error: err instanceof Error ? err : String(err) });
    await snapshots.discardBatch(uploadId).catch(() => undefined);
    report = failedReport(base, { delimiter, issues, errorName: err instanceof Error ? err.name : typeof err }, now());
  }

  // who posted it, as the upload page's signed form recorded (provenance; absent for other uploads)
  const uploader = uploaderOf(head.metadata['uploader']);
  if (uploader !== null) report = { ...report, uploader };

  try {
    await objects.put(bucket, reportKeyOf(settings.reportPrefix, key), JSON.stringify(report, null, 2), { contentType: 'application/json' });
    if (changed.length > 0) await deps.periodChanged.publish(changed);
    if (report.region !== null) await markReplaced(deps, report);
    await ledger.complete(uploadId, report);
  } catch (err) {
    await ledger.release(uploadId).catch(() => undefined);
    throw err;
  }
  log.info('ingest.completed', {
    key,
    upload_id: uploadId,
    status: report.status,
    accepted: report.rows.accepted,
    rejected: report.rows.rejected,
    periods: report.periods.map(periodKey),
  });
  return { kind: 'ingested', report, changed };
}

/** The `uploader` metadata the signed form set (a percent-encoded key name), clipped; null when absent or unreadable. */
function uploaderOf(raw: string | undefined): string | null {
  if (!raw) return null;
  try {
    return decodeURIComponent(raw).slice(0, 100);
  } catch {
    return null;
  }
}

/** This upload's own staged units, read back and folded: after a withdrawal, the units folded while staging hold rows no longer staged. */
async function readBack(snapshots: SnapshotStore, uploadId: string, region: string, periods: readonly Period[]): Promise<Map<string, UnitSummary>> {
  const out = new Map<string, UnitSummary>();
  for (const period of periods) for (const [k, v] of summariseUnits(await snapshots.batchRows(uploadId, region, period))) out.set(k, v);
  return out;
}

/**
 * The replaced units with what they held: a pointer flipped before unit summaries were kept
 * (migration 0009) has none, and that batch's rows are folded once, as they were before.
 */
async function withContents(snapshots: SnapshotStore, region: string, replaced: readonly ReplacedUnit[]): Promise<ReplacedUnit[]> {
  const folded = new Map<string, Map<string, UnitSummary>>();
  const out: ReplacedUnit[] = [];
  for (const r of replaced) {
    if (r.content) {
      out.push(r);
      continue;
    }
    const k = `${r.batchId}|${periodKey(r.unit.period)}`;
    let theirs = folded.get(k);
    if (!theirs) folded.set(k, (theirs = summariseUnits(await snapshots.batchRows(r.batchId, region, r.unit.period))));
    const summary = theirs.get(unitKey(r.unit));
    // a batch holding no rows of the unit held nothing of it
    out.push({ ...r, content: { figures: summary?.figures ?? { schools: 0, teachers: null, students: null }, fingerprint: summary?.fingerprint ?? '', receivedAtMs: 0 } });
  }
  return out;
}

/**
 * Each upload this one took units from, once none of its units is in force any more: its
 * ledger entry and its report beside the upload say `replaced`, naming this upload.
 */
async function markReplaced(deps: IngestDeps, report: UploadReport): Promise<void> {
  for (const id of new Set(report.replacements.map((r) => r.replaced_upload_id))) {
    if (await deps.snapshots.batchInForce(id, report.region!)) continue;
    const earlier = await deps.ledger.getReport(id);
    if (!earlier || earlier.status === 'replaced') continue;
    const replaced: UploadReport = { ...earlier, status: 'replaced', replaced_by: report.upload_id };
    await deps.objects.put(earlier.bucket, reportKeyOf(deps.settings.reportPrefix, earlier.key), JSON.stringify(replaced, null, 2), { contentType: 'application/json' });
    await deps.ledger.complete(id, replaced);
  }
}

/**
 * An upload event's object by the first of its candidate keys that exists: whether the
 * platform URL-encodes a key is unconfirmed, so the event parser gives both forms.
 */
export async function ingestUpload(deps: IngestDeps, input: { bucket: string; keys: readonly string[]; remainingMs: number }): Promise<IngestOutcome> {
  let outcome: IngestOutcome = { kind: 'skipped', reason: 'object_missing' };
  for (const key of input.keys) {
    outcome = await ingestObject(deps, { bucket: input.bucket, key, remainingMs: input.remainingMs });
    if (!(outcome.kind === 'skipped' && outcome.reason === 'object_missing')) break;
  }
  return outcome;
}

/** Whether the key still holds the version (ETag) this ingest read, just before its commit. */
async function stillStored(objects: ObjectStore, bucket: string, key: string, etag: string): Promise<boolean> {
  const now = await objects.head(bucket, key).catch((err: unknown) => Promise.reject(asInfraFault(err)));
  return now !== null && now.etag === etag;
}

/** The first read: identity and format, a file-level problem, or a fault of ours in the sniff. */
async function sniff(open: ByteSource, key: string, limits: Limits): Promise<{ sniffed: Sniffed | null; fileError: Issue | null; fault: unknown }> {
  try {
    const sniffed = await sniffBytes(open, { file: key, maxBytes: limits.maxBytes });
    // A workbook is parsed from memory: refuse an oversized one before buffering it again.
    if (sniffed.kind === 'xlsx' && sniffed.size > limits.xlsx.maxBytes) {
      return { sniffed, fileError: fileIssue(key, IssueCode.TooLarge, `the workbook is larger than the limit of ${limits.xlsx.maxBytes} bytes; export it as CSV`), fault: null };
    }
    return { sniffed, fileError: null, fault: null };
  } catch (err) {
    if (err instanceof PipelineError) throw err;
    if (err instanceof InputError) return { sniffed: null, fileError: err.issue, fault: null };
    return { sniffed: null, fileError: null, fault: err };
  }
}

type StageResult = {
  fileError: Issue | null;
  region: string | null;
  tables: TableReport[];
  periods: Period[];
  units: CommitUnit[];
  /**
   * every staged unit, folded as its rows streamed by (the commit stores these beside the
   * pointers); null when a withdrawal changed rows already staged, so they are read back
   */
  summaries: Map<string, UnitSummary> | null;
};
const NOTHING_STAGED: StageResult = { fileError: null, region: null, tables: [], periods: [], units: [], summaries: null };

async function readAndStage(
  deps: IngestDeps,
  a: { uploadId: string; key: string; metadataPeriod: string | undefined; receivedOn: string; tables: AsyncIterable<RawTable> | Iterable<RawTable>; sniffed: Sniffed; issues: IssueLog },
): Promise<StageResult> {
  const out: StageResult = { ...NOTHING_STAGED, tables: [] };
  const units = new Map<string, CommitUnit>();
  const digests = new UnitDigests();
  let withdrew = false;
  // the region of the file's rows so far, handed from each table's mapper to the next
  let region: string | null = null;
  const rejectWith = (error: Issue): StageResult => ({ ...out, fileError: error });
  // rows outside the scope the upload page signed the key for are rejected one by one
  const scope = scopeOfKey(deps.settings.uploadPrefix, a.key);
  try {
    let seenTable = false;
    for await (const table of a.tables) {
      // The header may sit below title rows, and over two rows; the titles may carry the period.
      const { lead, rest } = await readLead(table, HEADER_SEARCH_ROWS);
      const header = locateHeader(lead.map((r) => r.cells.map(cellText)), deps.mapHeaders);
      const headerRow = lead[header.index]!.row;
      const headers = header.headers;
      const titleLines = lead.slice(0, header.index).map((r) => r.cells.map(cellText).join(' '));
      const fallback = fallbackPeriod({ titleLines, key: a.key, metadata: a.metadataPeriod });
      const periodFrom = fallback && { period: fallback.period, source: fallback.source, row: fallback.line === undefined ? null : lead[fallback.line]!.row };
      const admission = admitTable({ file: a.key, sheet: table.sheet, headerRow, headers, mapping: header.mapping, periodElsewhere: fallback !== null, skippable: a.sniffed.kind === 'xlsx', periodFrom });
      if (admission.kind === 'reject') return rejectWith(admission.error);
      if (admission.kind === 'skip') {
        a.issues.warn(admission.warning);
        // a sheet that failed before its header still says why (the reader's rejected row)
        for (const r of lead) if (r.rejected) a.issues.error(r.rejected);
        continue;
      }
      for (const w of admission.warnings) a.issues.warn(w);
      seenTable = true;
      const { mapping } = admission;
      const mapper = createTableMapper({
        file: a.key,
        sheet: table.sheet,
        headers,
        mapping,
        fallbackPeriod: fallback?.period ?? null,
        receivedOn: a.receivedOn,
        objectKey: a.key,
        defaultRegion: deps.settings.defaultRegion,
        knownRegions: deps.knownRegions,
        matchers: deps.matchers,
        issues: a.issues,
        fileRegion: region,
        scope,
        ...(deps.settings.bounds ? { bounds: deps.settings.bounds } : {}),
        ...(deps.settings.maxSchools ? { maxSchools: deps.settings.maxSchools } : {}),
      });
      let read = 0;
      let schools: SchoolRow[] = [];
      // each school's row and sheet, kept with it: the provenance the sources route lists
      let sources: RowSource[] = [];
      let municipalities: MunicipalityRow[] = [];
      const flush = async () => {
        if (schools.length) await deps.snapshots.stageSchoolRows(a.uploadId, schools, sources);
        if (municipalities.length) await deps.snapshots.stageMunicipalityRows(a.uploadId, municipalities);
        schools = [];
        sources = [];
        municipalities = [];
      };
      // school rows handed out earlier that a conflicting repeat withdrew (duplicate-rule.ts)
      const withdrawn: Withdrawal[] = [];
      for await (const raw of concatRows(lead.slice(header.index + header.height), rest)) {
        read++;
        const r = raw.rejected ? mapper.reject(raw.rejected) : mapper.accept(raw.row, raw.cells, raw.unreadable);
        if (r.type === 'file_error') return rejectWith(r.issue);
        if (r.type === 'rejected' && r.withdraws) withdrawn.push(r.withdraws);
        if (r.type !== 'row') continue;
        const row = r.mapped.row;
        const unit = { period: row.period, kind: r.mapped.kind, municipalityId: row.municipality_id };
        units.set(unitKey(unit), unit);
        digests.add(r.mapped.kind, row);
        if (r.mapped.kind === 'schools') {
          schools.push(r.mapped.row);
          sources.push({ row: raw.row, sheet: table.sheet });
        }
        else municipalities.push(r.mapped.row);
        if (schools.length + municipalities.length >= deps.settings.stageBatchRows) await flush();
      }
      await flush();
      if (withdrawn.length) {
        await deps.snapshots.dropStagedSchools(a.uploadId, withdrawn);
        withdrew = true;
      }
      const summary = mapper.finish();
      region = summary.region;
      out.tables.push({
        sheet: table.sheet,
        kind: mapper.kind,
        header_row: headerRow,
        period_source: mapping.columns.some((f) => f === 'period' || f === 'period_start' || f === 'period_end') ? 'column' : (fallback?.source ?? null),
        columns: headers.map((header, i) => ({ header: clipHeader(header), field: mapping.columns[i] ?? null })),
        rows: { read, accepted: summary.accepted, rejected: summary.rejected, skipped: summary.skipped },
      });
    }
    if (!seenTable) return rejectWith(fileIssue(a.key, IssueCode.NotATable, 'no sheet has school or municipality columns'));
    if (out.tables.every((t) => t.rows.read - t.rows.skipped === 0)) {
      return rejectWith({ ...fileIssue(a.key, IssueCode.NoDataRows, 'the file has a header but no data rows'), sheet: out.tables[0]?.sheet ?? null });
    }
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return rejectWith(err.issue);
  }
  out.region = region;
  out.units = [...units.values()];
  out.summaries = withdrew ? null : digests.summaries();
  const periods = new Map(out.units.map((u) => [periodKey(u.period), u.period]));
  out.periods = [...periods.values()].sort((x, y) => x.start.localeCompare(y.start));
  return out;
}

/** The tables of the upload: each sheet of a workbook, or the one table of a CSV file (with the delimiter its header showed). */
async function openTables(a: { key: string; open: ByteSource; sniffed: Sniffed; limits: Limits }): Promise<
  { delimiter: Delimiter | null; tables: AsyncIterable<RawTable> | Iterable<RawTable> } | { delimiter: null; fileError: Issue }
> {
  try {
    if (a.sniffed.kind === 'xlsx') return { delimiter: null, tables: readXlsx(await collect(a.open), { file: a.key, limits: a.limits }) };
    const csv = await readCsv(a.open, { file: a.key, encoding: a.sniffed.encoding, limits: a.limits });
    return { delimiter: csv.delimiter, tables: [csv.table] };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { delimiter: null, fileError: err.issue };
  }
}

function fileIssue(file: string, code: string, message: string): Issue {
  return { code, message, file, sheet: null, row: null, column: null, value: null };
}

