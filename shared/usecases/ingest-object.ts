// Use case: ingest one uploaded object into per-period snapshots.
//
// Primary course:
//  1. Skip keys outside the upload prefix and objects that no longer exist.
//  2. Read the bytes once to hash them (and sniff format and encoding).
//  3. Take the ingest lease for (bucket, key, sha256): a completed upload is a no-op,
//     a live lease elsewhere is a retryable LeaseHeldError.
//  4. Read every table (CSV file or XLSX sheet), map headers, normalise and validate
//     row by row, staging accepted rows under the upload's batch id as they stream.
//  5. Commit the batch: one atomic pointer switch per (period, kind, municipality),
//     newer upload wins.
//  6. Write the report next to the upload and into the ledger; hand the touched
//     (region, period) pairs to the aggregate stage.
// Bad data is a completed outcome (a report). Only infrastructure faults throw; they
// release the lease first so the trigger's retry can start at once.
import { createHash } from 'node:crypto';
import { InputError, IssueCode, LeaseHeldError } from '../domain/errors.ts';
import type { HeaderMapping } from '../domain/normalise/headers.ts';
import { looksLikeMojibake } from '../domain/normalise/headers.ts';
import { parsePeriod, periodFromName } from '../domain/normalise/period.ts';
import { createTableMapper, type MunicipalityMatcher } from '../domain/table-mapper.ts';
import {
  periodKey,
  type Issue,
  type MunicipalityRow,
  type Period,
  type PeriodChanged,
  type SchoolRow,
  type TableKind,
  type TableReport,
  type UploadReport,
  type UploadStatus,
} from '../domain/schemas.ts';
import { readCsv } from '../ingest/csv-reader.ts';
import { resolveLimits, type ByteSource, type LimitOverrides, type RawTable } from '../ingest/raw-table.ts';
import { sniffBytes, type Sniffed } from '../ingest/sniff.ts';
import { readXlsx } from '../ingest/xlsx-reader.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { PeriodChangedSink } from '../ports/period-changed.ts';
import type { SnapshotStore, UploadLedger } from '../ports/snapshot-store.ts';
import type { Logger } from '../ports/logger.ts';
import { scopeIssue, scopeOfKey } from '../domain/upload-scope.ts';

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
  | { readonly kind: 'skipped'; readonly reason: 'outside_prefix' | 'object_missing' }
  | { readonly kind: 'duplicate'; readonly report: UploadReport }
  | { readonly kind: 'ingested'; readonly report: UploadReport; readonly changed: readonly PeriodChanged[] };

export async function ingestObject(deps: IngestDeps, input: IngestInput): Promise<IngestOutcome> {
  const { objects, ledger, settings, clock, log } = deps;
  const { bucket, key } = input;
  if (!key.startsWith(settings.uploadPrefix)) return { kind: 'skipped', reason: 'outside_prefix' };

  const head = await objects.head(bucket, key);
  if (!head) return { kind: 'skipped', reason: 'object_missing' };
  const open = await byteSource(objects, bucket, key, head.size, settings.bufferBytes);
  if (!open) return { kind: 'skipped', reason: 'object_missing' };

  const receivedAt = clock.nowMs();
  const limits = resolveLimits(settings.limits);
  let sniffed: Sniffed | null = null;
  let fileError: Issue | null = null;
  try {
    sniffed = await sniffBytes(open, { file: key, maxBytes: limits.maxBytes });
    // A workbook is parsed from memory: refuse an oversized one before buffering it again.
    if (sniffed.kind === 'xlsx' && sniffed.size > limits.xlsx.maxBytes) {
      throw new InputError({ code: IssueCode.TooLarge, message: `the workbook is larger than the limit of ${limits.xlsx.maxBytes} bytes; export it as CSV`, file: key, sheet: null, row: null, column: null, value: null });
    }
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    fileError = err.issue;
  }
  const sha256 = sniffed?.sha256 ?? (await hashOnly(open));

  const lease = await ledger.acquire({ bucket, key, sha256 }, receivedAt, leaseMs(settings, input.remainingMs));
  if (lease.kind === 'completed') {
    log.info('ingest.duplicate', { key, upload_id: lease.uploadId });
    return { kind: 'duplicate', report: lease.report };
  }
  if (lease.kind === 'in_progress') throw new LeaseHeldError(lease.uploadId, lease.leaseUntilMs);
  const uploadId = lease.uploadId;

  const base = {
    upload_id: uploadId,
    bucket,
    key,
    sha256,
    size: sniffed?.size ?? head.size,
    format: sniffed?.kind ?? null,
    encoding: sniffed?.encoding ?? null,
    received_at: new Date(receivedAt).toISOString(),
  };

  try {
    let report: UploadReport;
    let changed: PeriodChanged[] = [];
    if (fileError || !sniffed) {
      report = rejectedReport(base, fileError!, null, [], clock);
    } else {
      const fallbackPeriod = fallbackPeriodFor(key, head.metadata);
      const result = await readAndStage(deps, { uploadId, key, open, sniffed, fallbackPeriod });
      if (result.fileError) {
        await deps.snapshots.discardBatch(uploadId);
        report = rejectedReport(base, result.fileError, result.delimiter, result.warnings, clock);
      } else {
        const commit =
          result.region === null || result.units.length === 0
            ? { applied: 0, superseded: 0, periods: [] }
            : await deps.snapshots.commitBatch({
                batchId: uploadId,
                uploadId,
                region: result.region,
                source: { lastModifiedMs: head.lastModifiedMs, sequence: lease.sequence },
                units: result.units,
              });
        const accepted = result.tables.reduce((n, t) => n + t.rows.accepted, 0);
        const rejected = result.tables.reduce((n, t) => n + t.rows.rejected, 0);
        const status: UploadStatus =
          accepted === 0 ? 'rejected' : commit.applied === 0 && commit.superseded > 0 ? 'superseded' : rejected > 0 ? 'partial' : 'accepted';
        report = {
          ...base,
          delimiter: result.delimiter,
          region: result.region,
          status,
          tables: result.tables,
          periods: result.periods,
          rows: { accepted, rejected },
          file_error: null,
          errors: result.errors,
          warnings: result.warnings,
          completed_at: new Date(clock.nowMs()).toISOString(),
        };
        changed = commit.periods.map((period) => ({
          type: 'period_changed' as const,
          region: result.region!,
          period,
          upload_id: uploadId,
          changed_at: report.completed_at,
        }));
      }
    }
    await objects.put(bucket, reportKey(settings, key), JSON.stringify(report, null, 2), { contentType: 'application/json' });
    if (changed.length > 0) await deps.periodChanged.publish(changed);
    await ledger.complete(uploadId, report);
    log.info('ingest.completed', {
      key,
      upload_id: uploadId,
      status: report.status,
      accepted: report.rows.accepted,
      rejected: report.rows.rejected,
      periods: report.periods.map(periodKey),
    });
    return { kind: 'ingested', report, changed };
  } catch (err) {
    await ledger.release(uploadId).catch(() => undefined);
    throw err;
  }
}

/** `reports/<upload key>.json`, beside the upload in the same bucket. */
export function reportKey(settings: Pick<IngestSettings, 'reportPrefix'>, key: string): string {
  return `${settings.reportPrefix}${key}.json`;
}

type StageResult = {
  fileError: Issue | null;
  delimiter: UploadReport['delimiter'];
  region: string | null;
  tables: TableReport[];
  periods: Period[];
  units: { period: Period; kind: TableKind; municipalityId: string }[];
  errors: Issue[];
  warnings: Issue[];
};

async function readAndStage(
  deps: IngestDeps,
  a: { uploadId: string; key: string; open: ByteSource; sniffed: Sniffed; fallbackPeriod: Period | null },
): Promise<StageResult> {
  const out: StageResult = { fileError: null, delimiter: null, region: null, tables: [], periods: [], units: [], errors: [], warnings: [] };
  const units = new Map<string, { period: Period; kind: TableKind; municipalityId: string }>();
  const regions = new Set<string>();
  // rows outside the scope the upload page signed the key for are rejected one by one
  const scope = scopeOfKey(deps.settings.uploadPrefix, a.key);
  const limits = deps.settings.limits ?? {};
  try {
    let tables: AsyncIterable<RawTable>;
    if (a.sniffed.kind === 'xlsx') {
      tables = readXlsx(await collect(a.open), { file: a.key, limits });
    } else {
      const csv = await readCsv(a.open, { file: a.key, encoding: a.sniffed.encoding, limits });
      out.delimiter = csv.delimiter;
      tables = single(csv.table);
    }
    let seenTable = false;
    for await (const table of tables) {
      const mapping = deps.mapHeaders(table.headers);
      const where = { file: a.key, sheet: table.sheet, row: table.headerRow };
      if (mapping.kind === null) {
        if (looksLikeMojibake(table.headers)) {
          throw inputError(where, IssueCode.MojibakeHeaders, 'the headers look like UTF-8 text that was decoded as Windows-1251 and saved again; export the file again as UTF-8 or Windows-1251');
        }
        if (a.sniffed.kind === 'xlsx') {
          out.warnings.push({ ...where, code: IssueCode.NotATable, message: 'sheet has no recognisable school or municipality columns; skipped', column: null, value: null });
          continue;
        }
        throw inputError(where, IssueCode.NotATable, 'no school or municipality columns found in the header row');
      }
      if (mapping.missing.length > 0) {
        throw inputError(where, IssueCode.MissingColumn, `required column missing: ${mapping.missing.join(', ')}`, mapping.missing.join(', '));
      }
      const dup = mapping.duplicates[0];
      if (dup) {
        throw inputError(where, IssueCode.DuplicateColumn, `several columns map to ${dup.field}: ${dup.indexes.map((i) => table.headers[i]).join(', ')}`, dup.field);
      }
      if (!mapping.columns.includes('period') && !a.fallbackPeriod) {
        throw inputError(where, IssueCode.NoPeriod, 'no period column, and neither the file name, the object key nor its metadata carries a period');
      }
      for (const u of mapping.unknown) {
        // Only the header name is reported: the values of unknown columns may be personal data.
        out.warnings.push({ ...where, code: IssueCode.UnknownColumn, message: `unknown column ignored: ${u.header}`, column: u.header, value: null });
      }
      seenTable = true;
      const mapper = createTableMapper({
        file: a.key,
        sheet: table.sheet,
        headers: table.headers,
        mapping: { ...mapping, kind: mapping.kind },
        fallbackPeriod: a.fallbackPeriod,
        objectKey: a.key,
        defaultRegion: deps.settings.defaultRegion,
        knownRegions: deps.knownRegions,
        matchers: deps.matchers,
      });
      let read = 0;
      let outOfScope = 0;
      let schools: SchoolRow[] = [];
      let municipalities: MunicipalityRow[] = [];
      const flush = async () => {
        if (schools.length) await deps.snapshots.stageSchoolRows(a.uploadId, schools);
        if (municipalities.length) await deps.snapshots.stageMunicipalityRows(a.uploadId, municipalities);
        schools = [];
        municipalities = [];
      };
      for await (const raw of table.rows) {
        read++;
        const r = mapper.accept(raw.row, raw.cells);
        if (r.type !== 'row') continue;
        const row = r.mapped.row;
        const outside = scopeIssue(scope, row, { file: a.key, sheet: table.sheet, row: raw.row, headerOf: (f) => table.headers[mapping.columns.indexOf(f)] ?? null });
        if (outside) {
          out.errors.push(outside);
          outOfScope++;
          continue;
        }
        regions.add(row.region);
        if (regions.size > 1) {
          // One upload commits under one region's pointers. Said at the first row of a second
          // region, not after staging the whole file (a national file is a million rows).
          const first = [...regions][0];
          throw new InputError({
            code: IssueCode.UnknownRegion,
            message: `the file mixes regions: this row is in region ${row.region}, earlier rows in ${first}; upload one file per region`,
            file: a.key,
            sheet: table.sheet,
            row: raw.row,
            column: table.headers[mapping.columns.indexOf('region')] ?? null,
            value: row.region,
          });
        }
        units.set(`${periodKey(row.period)}|${r.mapped.kind}|${row.municipality_id}`, {
          period: row.period,
          kind: r.mapped.kind,
          municipalityId: row.municipality_id,
        });
        if (r.mapped.kind === 'schools') schools.push(r.mapped.row);
        else municipalities.push(r.mapped.row);
        if (schools.length + municipalities.length >= deps.settings.stageBatchRows) await flush();
      }
      await flush();
      const summary = mapper.finish();
      if (summary.retract.length) await deps.snapshots.dropStagedSchools(a.uploadId, summary.retract);
      out.errors.push(...mapper.errors);
      out.warnings.push(...mapper.warnings);
      out.tables.push({
        sheet: table.sheet,
        kind: mapper.kind,
        columns: table.headers.map((header, i) => ({ header, field: mapping.columns[i] ?? null })),
        rows: { read, accepted: summary.accepted - outOfScope, rejected: summary.rejected + outOfScope, skipped: summary.skipped },
      });
    }
    if (!seenTable) {
      throw inputError({ file: a.key, sheet: null, row: null }, IssueCode.NotATable, 'no sheet has school or municipality columns');
    }
    if (out.tables.every((t) => t.rows.read - t.rows.skipped === 0)) {
      throw inputError({ file: a.key, sheet: out.tables[0]?.sheet ?? null, row: null }, IssueCode.NoDataRows, 'the file has a header but no data rows');
    }
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    out.fileError = err.issue;
    return out;
  }
  out.region = [...regions][0] ?? null;
  out.units = [...units.values()];
  const periods = new Map(out.units.map((u) => [periodKey(u.period), u.period]));
  out.periods = [...periods.values()].sort((x, y) => x.start.localeCompare(y.start));
  return out;
}

function inputError(where: { file: string; sheet: string | null; row: number | null }, code: string, message: string, column: string | null = null): InputError {
  return new InputError({ ...where, code, message, column, value: null });
}

function rejectedReport(
  base: Omit<UploadReport, 'delimiter' | 'region' | 'status' | 'tables' | 'periods' | 'rows' | 'file_error' | 'errors' | 'warnings' | 'completed_at'>,
  fileError: Issue,
  delimiter: UploadReport['delimiter'],
  warnings: Issue[],
  clock: Clock,
): UploadReport {
  return {
    ...base,
    delimiter,
    region: null,
    status: 'rejected',
    tables: [],
    periods: [],
    rows: { accepted: 0, rejected: 0 },
    file_error: fileError,
    errors: [fileError],
    warnings,
    completed_at: new Date(clock.nowMs()).toISOString(),
  };
}

/** The period a row falls back to: the file name or key first, then the object metadata. */
function fallbackPeriodFor(key: string, metadata: Readonly<Record<string, string>>): Period | null {
  const fromName = periodFromName(key);
  if (fromName) return fromName;
  const meta = metadata['period'];
  if (!meta) return null;
  const r = parsePeriod(meta);
  return r.ok ? r.value : null;
}

/**
 * Lease length in ms: the remaining invocation time less a safety margin, clamped to
 * [minLeaseMs, maxLeaseMs]. A remaining time of 0 (or less) still yields minLeaseMs, never
 * "no lease" — the zero-is-falsy bug that leaves a record in progress forever.
 */
export function leaseMs(s: Pick<IngestSettings, 'minLeaseMs' | 'maxLeaseMs'>, remainingMs: number): number {
  const wanted = Number.isFinite(remainingMs) ? remainingMs - 1_000 : s.maxLeaseMs;
  return Math.min(s.maxLeaseMs, Math.max(s.minLeaseMs, wanted));
}

async function byteSource(objects: ObjectStore, bucket: string, key: string, size: number, bufferBytes: number): Promise<ByteSource | null> {
  if (size <= bufferBytes) {
    const body = await objects.get(bucket, key);
    if (!body) return null;
    const bytes = await collect(() => body);
    return async function* () {
      yield bytes;
    };
  }
  return async function* () {
    const body = await objects.get(bucket, key);
    if (!body) throw new InputError({ code: IssueCode.EmptyFile, message: 'the object disappeared while it was read', file: key, sheet: null, row: null, column: null, value: null });
    yield* body;
  };
}

async function collect(open: ByteSource): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of open()) {
    parts.push(c);
    n += c.length;
  }
  return Buffer.concat(parts, n);
}

async function hashOnly(open: ByteSource): Promise<string> {
  const h = createHash('sha256');
  for await (const c of open()) h.update(c);
  return h.digest('hex');
}

async function* single<T>(x: T): AsyncIterable<T> {
  yield x;
}
