// Port: per-period snapshots and the upload ledger (SQLite locally, YDB in the cloud).
//
// Snapshot replacement follows the contract: rows are staged under a batch id where no
// reader sees them, then `commitBatch` switches, in one transaction, the current-batch
// pointer of every (region, period, kind, municipality) the batch contains, unless a newer
// upload already holds it. Readers go through the pointers, so they see the old or the new
// rows of a municipality, never a mix.
import type { MunicipalityRow, Period, SchoolRow, TableKind, UploadReport } from '../domain/schemas.ts';

export type BatchId = string;

/** What makes one upload newer than another: the object's LastModified, then ingest order. */
export type SourceVersion = { readonly lastModifiedMs: number; readonly sequence: number };

export type BatchCommit = {
  readonly batchId: BatchId;
  readonly uploadId: string;
  readonly region: string;
  readonly source: SourceVersion;
  /** the (period, kind, municipality) units this batch replaces */
  readonly units: readonly { period: Period; kind: TableKind; municipalityId: string }[];
};

export type CommitResult = {
  /** units whose pointer now references this batch */
  readonly applied: number;
  /** units kept by a newer upload */
  readonly superseded: number;
  readonly periods: readonly Period[];
};

export type LedgerKey = { readonly bucket: string; readonly key: string; readonly sha256: string };

export type AcquireResult =
  | { readonly kind: 'acquired'; readonly uploadId: string; readonly sequence: number }
  | { readonly kind: 'in_progress'; readonly uploadId: string; readonly leaseUntilMs: number }
  | { readonly kind: 'completed'; readonly uploadId: string; readonly report: UploadReport };

export type LedgerEntry = {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  readonly sha256: string;
  readonly status: 'in_progress' | 'completed';
  readonly leaseUntilMs: number | null;
  readonly sequence: number;
  readonly completedAtMs: number | null;
};

export interface UploadLedger {
  /**
   * One atomic step: take the lease for (bucket, key, sha256) unless it is completed or
   * another lease is still running. A lease that has passed (`leaseUntilMs < nowMs`) is taken over.
   */
  acquire(key: LedgerKey, nowMs: number, leaseMs: number): Promise<AcquireResult>;
  /** Records the report and marks the upload completed (accepted, partial or rejected). */
  complete(uploadId: string, report: UploadReport): Promise<void>;
  /** Gives the lease back after a transient failure so a retry can run at once. */
  release(uploadId: string): Promise<void>;
  getReport(uploadId: string): Promise<UploadReport | null>;
  /** Completed reports, newest first, for the API and the CLI. */
  listReports(opts: { limit: number; before?: number }): Promise<UploadReport[]>;
  /** Every ledger entry for an object key (any content), for reconciliation. */
  entriesForKey(bucket: string, key: string): Promise<LedgerEntry[]>;
}

export interface SnapshotStore {
  stageSchoolRows(batchId: BatchId, rows: readonly SchoolRow[]): Promise<void>;
  stageMunicipalityRows(batchId: BatchId, rows: readonly MunicipalityRow[]): Promise<void>;
  /** Removes staged school rows (both sides of a conflicting duplicate) before the commit. */
  dropStagedSchools(batchId: BatchId, keys: readonly { period: Period; schoolKey: string }[]): Promise<void>;
  commitBatch(commit: BatchCommit): Promise<CommitResult>;
  /** Deletes a batch no pointer references (abandoned staging, superseded history past retention). */
  discardBatch(batchId: BatchId): Promise<void>;
  /** The current school rows of a (region, period), through the pointers. */
  currentSchools(region: string, period: Period): Promise<SchoolRow[]>;
  currentMunicipalities(region: string, period: Period): Promise<MunicipalityRow[]>;
  /** Periods with any current rows, ascending by start. */
  periods(region: string): Promise<Period[]>;
}
