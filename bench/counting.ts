// Counting decorators of the store ports: rows and logical bytes every call writes, the way
// a serverless YDB bill counts them (per row, per KB of column data), beside the floor:
// each accepted snapshot row written once. Logical bytes of a record: UTF-8 length of its
// strings, 8 per number, 1 per boolean, 0 for null.
import type { AggregateStore } from '../shared/ports/aggregate-store.ts';
import type { BatchCommit, BatchId, CommitOutcome, SnapshotStore } from '../shared/ports/snapshot-store.ts';
import type { AcquireResult, LedgerEntry, LedgerKey, UploadLedger } from '../shared/ports/upload-ledger.ts';
import type { Completeness, MunicipalityRow, Period, SchoolRow, UploadReport } from '../shared/domain/schemas.ts';
import type { AggregateRow } from '../shared/domain/metrics.ts';
import { municipalityRecord, schoolRecord } from '../shared/adapters/snapshot-rows.ts';

export type WriteCounter = {
  snapshotRows: number;
  snapshotBytes: number;
  /** each accepted snapshot row once, without the staging batch id */
  floorRows: number;
  floorBytes: number;
  pointerRows: number;
  pointerBytes: number;
  ledgerRows: number;
  ledgerBytes: number;
  aggregateRows: number;
  aggregateBytes: number;
  deletedRows: number;
};

export function recordBytes(r: object): number {
  let n = 0;
  for (const v of Object.values(r)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') n += Buffer.byteLength(v);
    else if (typeof v === 'number') n += 8;
    else if (typeof v === 'boolean') n += 1;
    else n += Buffer.byteLength(JSON.stringify(v));
  }
  return n;
}

export class CountingSnapshots implements SnapshotStore {
  constructor(
    private readonly inner: SnapshotStore,
    private readonly c: WriteCounter,
  ) {}
  async stageSchoolRows(batchId: BatchId, rows: readonly SchoolRow[]) {
    for (const r of rows) {
      const b = recordBytes(schoolRecord(batchId, r));
      this.c.snapshotRows++;
      this.c.snapshotBytes += b;
      this.c.floorRows++;
      this.c.floorBytes += b - Buffer.byteLength(batchId);
    }
    return this.inner.stageSchoolRows(batchId, rows);
  }
  async stageMunicipalityRows(batchId: BatchId, rows: readonly MunicipalityRow[]) {
    for (const r of rows) {
      const b = recordBytes(municipalityRecord(batchId, r));
      this.c.snapshotRows++;
      this.c.snapshotBytes += b;
      this.c.floorRows++;
      this.c.floorBytes += b - Buffer.byteLength(batchId);
    }
    return this.inner.stageMunicipalityRows(batchId, rows);
  }
  async dropStagedSchools(batchId: BatchId, keys: readonly { period: Period; schoolKey: string }[]) {
    this.c.deletedRows += keys.length;
    return this.inner.dropStagedSchools(batchId, keys);
  }
  async commitBatch(commit: BatchCommit): Promise<CommitOutcome> {
    const r = await this.inner.commitBatch(commit);
    // one pointer row per applied unit: (region, period, kind, municipality) → batch, upload, source version
    for (const u of r.unchanged ? [] : commit.units) {
      this.c.pointerRows++;
      this.c.pointerBytes += recordBytes({ region: commit.region, s: u.period.start, e: u.period.end, kind: u.kind, m: u.municipalityId, b: commit.batchId, u: commit.uploadId, lm: 0, seq: 0, v: 0 });
    }
    return r;
  }
  async discardBatch(batchId: BatchId) {
    return this.inner.discardBatch(batchId);
  }
  currentSchools(region: string, period: Period) {
    return this.inner.currentSchools(region, period);
  }
  currentMunicipalities(region: string, period: Period) {
    return this.inner.currentMunicipalities(region, period);
  }
  periods(region: string) {
    return this.inner.periods(region);
  }
  inForce(region: string, period: Period) {
    return this.inner.inForce(region, period);
  }
  batchRows(batchId: BatchId, region: string, period: Period) {
    return this.inner.batchRows(batchId, region, period);
  }
  batchInForce(batchId: BatchId, region: string) {
    return this.inner.batchInForce(batchId, region);
  }
  schoolSources(region: string, period: Period, municipalityId: string) {
    return this.inner.schoolSources(region, period, municipalityId);
  }
}

export class CountingLedger implements UploadLedger {
  constructor(
    private readonly inner: UploadLedger,
    private readonly c: WriteCounter,
  ) {}
  async acquire(key: LedgerKey, nowMs: number, leaseMs: number): Promise<AcquireResult> {
    this.c.ledgerRows++;
    this.c.ledgerBytes += recordBytes(key) + 64 + 8 * 4;
    return this.inner.acquire(key, nowMs, leaseMs);
  }
  async complete(uploadId: string, report: UploadReport) {
    this.c.ledgerRows++;
    this.c.ledgerBytes += Buffer.byteLength(JSON.stringify(report)) + uploadId.length + 16;
    return this.inner.complete(uploadId, report);
  }
  release(uploadId: string) {
    return this.inner.release(uploadId);
  }
  getReport(uploadId: string) {
    return this.inner.getReport(uploadId);
  }
  listReports(opts: { limit: number; before?: number }) {
    return this.inner.listReports(opts);
  }
  entriesForKey(bucket: string, key: string): Promise<LedgerEntry[]> {
    return this.inner.entriesForKey(bucket, key);
  }
}

export class CountingAggregates implements AggregateStore {
  constructor(
    private readonly inner: AggregateStore,
    private readonly c: WriteCounter,
  ) {}
  async replacePeriod(region: string, period: Period, rows: readonly AggregateRow[], completeness?: Completeness) {
    for (const r of rows) {
      this.c.aggregateRows++;
      this.c.aggregateBytes += recordBytes(r);
    }
    return this.inner.replacePeriod(region, period, rows, completeness);
  }
  completeness(region: string) {
    return this.inner.completeness(region);
  }
  readPeriod(region: string, period: Period) {
    return this.inner.readPeriod(region, period);
  }
  timeseries(...a: Parameters<AggregateStore['timeseries']>) {
    return this.inner.timeseries(...a);
  }
  periods(region: string) {
    return this.inner.periods(region);
  }
}
