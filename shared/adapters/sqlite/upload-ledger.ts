// Adapter: UploadLedger on SQLite (the embedded stand-in for YDB). An acquisition reads the
// entry and writes what `decideAcquire` decides inside one BEGIN IMMEDIATE transaction, so
// two racing invocations serialise and exactly one takes the lease.
import { UploadReport as UploadReportSchema, type UploadReport } from '../../domain/schemas.ts';
import { decideAcquire } from '../../domain/store-rules/upload-lease.ts';
import { uploadIdFor } from '../../domain/upload-id.ts';
import type { AcquireResult, LedgerEntry, LedgerKey, UploadLedger } from '../../ports/upload-ledger.ts';
import { immediate, sqlite, type Db } from './database.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS upload_ledger (
  upload_id       TEXT PRIMARY KEY,
  bucket          TEXT NOT NULL,
  object_key      TEXT NOT NULL,
  sha256          TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('in_progress', 'completed')),
  lease_until_ms  INTEGER,
  sequence        INTEGER NOT NULL,
  acquired_at_ms  INTEGER NOT NULL,
  completed_at_ms INTEGER,
  report_status   TEXT,
  report_json     TEXT,
  UNIQUE (bucket, object_key, sha256)
);
CREATE INDEX IF NOT EXISTS upload_ledger_by_key ON upload_ledger (bucket, object_key);
CREATE INDEX IF NOT EXISTS upload_ledger_by_completion ON upload_ledger (completed_at_ms);
`;

type LedgerDbRow = {
  upload_id: string;
  bucket: string;
  object_key: string;
  sha256: string;
  status: 'in_progress' | 'completed';
  lease_until_ms: number | null;
  sequence: number;
  completed_at_ms: number | null;
  report_json: string | null;
};

/** Creates the ledger table if it is missing. */
export function migrateUploadLedger(db: Db): void {
  db.exec(SCHEMA);
}

export class SqliteUploadLedger implements UploadLedger {
  readonly #db: Db;
  // prepared once: every upload acquires and completes
  readonly #byId;
  readonly #renew;
  readonly #nextSequence;
  readonly #insert;
  readonly #complete;

  constructor(db: Db) {
    migrateUploadLedger(db);
    this.#db = db;
    this.#byId = db.prepare<[string], LedgerDbRow>('SELECT * FROM upload_ledger WHERE upload_id = ?');
    this.#renew = db.prepare<[number, number, string]>('UPDATE upload_ledger SET lease_until_ms = ?, acquired_at_ms = ? WHERE upload_id = ?');
    this.#nextSequence = db.prepare<[], { s: number }>('SELECT COALESCE(MAX(sequence), 0) + 1 AS s FROM upload_ledger');
    this.#insert = db.prepare<[string, string, string, string, number, number, number]>(
      `INSERT INTO upload_ledger (upload_id, bucket, object_key, sha256, status, lease_until_ms, sequence, acquired_at_ms)
       VALUES (?, ?, ?, ?, 'in_progress', ?, ?, ?)`,
    );
    this.#complete = db.prepare<[number, string, string, string]>(
      `UPDATE upload_ledger SET status = 'completed', lease_until_ms = NULL, completed_at_ms = ?,
         report_status = ?, report_json = ? WHERE upload_id = ?`,
    );
  }

  async acquire(key: LedgerKey, nowMs: number, leaseMs: number): Promise<AcquireResult> {
    return sqlite('upload ledger acquire', () => {
      const uploadId = uploadIdFor(key);
      return immediate(this.#db, (): AcquireResult => {
        const existing = this.#byId.get(uploadId);
        const lease = existing && { status: existing.status, leaseUntilMs: existing.lease_until_ms, sequence: existing.sequence };
        const decision = decideAcquire(lease, nowMs, leaseMs);
        switch (decision.kind) {
          case 'completed':
            return { kind: 'completed', uploadId, report: parseReport(existing?.report_json ?? null) };
          case 'in_progress':
            return { kind: 'in_progress', uploadId, leaseUntilMs: decision.leaseUntilMs };
          case 'take_over':
            this.#renew.run(decision.leaseUntilMs, nowMs, uploadId);
            return { kind: 'acquired', uploadId, sequence: decision.sequence };
          case 'insert': {
            const sequence = this.#nextSequence.get()!.s;
            this.#insert.run(uploadId, key.bucket, key.key, key.sha256, decision.leaseUntilMs, sequence, nowMs);
            return { kind: 'acquired', uploadId, sequence };
          }
        }
      });
    });
  }

  async complete(uploadId: string, report: UploadReport): Promise<void> {
    return sqlite('upload ledger complete', () => {
      this.#complete.run(Date.parse(report.completed_at), report.status, JSON.stringify(report), uploadId);
    });
  }

  async release(uploadId: string): Promise<void> {
    return sqlite('upload ledger release', () => {
      this.#db
        .prepare(`UPDATE upload_ledger SET lease_until_ms = NULL WHERE upload_id = ? AND status = 'in_progress'`)
        .run(uploadId);
    });
  }

  async getReport(uploadId: string): Promise<UploadReport | null> {
    return sqlite('upload ledger getReport', () => {
      const row = this.#db
        .prepare<[string], { report_json: string | null }>('SELECT report_json FROM upload_ledger WHERE upload_id = ?')
        .get(uploadId);
      return row?.report_json ? parseReport(row.report_json) : null;
    });
  }

  async listReports(opts: { limit: number; before?: number }): Promise<UploadReport[]> {
    return sqlite('upload ledger listReports', () => {
      const rows = this.#db
        .prepare<[number, number], { report_json: string }>(
          `SELECT report_json FROM upload_ledger WHERE status = 'completed' AND sequence < ?
           ORDER BY sequence DESC LIMIT ?`,
        )
        .all(opts.before ?? Number.MAX_SAFE_INTEGER, opts.limit);
      return rows.map((r) => parseReport(r.report_json));
    });
  }

  async entriesForKey(bucket: string, key: string): Promise<LedgerEntry[]> {
    return sqlite('upload ledger entriesForKey', () => {
      return this.#db
        .prepare<[string, string], LedgerDbRow>('SELECT * FROM upload_ledger WHERE bucket = ? AND object_key = ? ORDER BY sequence')
        .all(bucket, key)
        .map((r) => ({
          uploadId: r.upload_id,
          bucket: r.bucket,
          key: r.object_key,
          sha256: r.sha256,
          status: r.status,
          leaseUntilMs: r.lease_until_ms,
          sequence: r.sequence,
          completedAtMs: r.completed_at_ms,
        }));
    });
  }
}

function parseReport(json: string | null): UploadReport {
  return UploadReportSchema.parse(JSON.parse(json ?? 'null'));
}
