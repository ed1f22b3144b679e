// Port: the upload ledger (SQLite locally, YDB in the cloud) — one entry per
// (bucket, key, sha256), which holds the content lease of the invocation ingesting it, the
// ingest sequence that orders uploads, and the report once it is done. The lease rule
// itself is `decideAcquire` in the domain; adapters read and write around it.
import type { UploadReport } from '../domain/schemas.ts';

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
