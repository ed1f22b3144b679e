// Adapter: the UploadLedger on serverless YDB (the SQLite adapter's twin; the snapshot
// store contract holds both to the same promises). One row per upload id (the content
// hash of bucket, key and sha256) in `upload_ledger`, the ingest sequence from the
// clock (ledgerSequence): a one-row counter read and bumped by every upload serialised a
// deadline's burst of uploads on one row, and the losers aborted. The lease rule is the domain's `decideAcquire`: this file
// reads the entry, asks it, and writes what it decides in the same serializable
// transaction, the write committing it.
import { decideAcquire, type LedgerLease } from '../../domain/store-rules/upload-lease.ts';
import type { UploadReport } from '../../domain/schemas.ts';
import { uploadIdFor } from '../../domain/upload-id.ts';
import type { LedgerReport } from '../../ports/read-model.ts';
import type { AcquireResult, LedgerEntry, LedgerKey, UploadLedger } from '../../ports/upload-ledger.ts';
import { isPreconditionFailed, readRows, type Runner, type YdbClient } from './client.ts';
import {
  LEDGER_BY_OBJECT,
  LEDGER_COLUMNS,
  LEDGER_COMPLETE,
  LEDGER_COMPLETE_COLUMNS,
  LEDGER_GET,
  LEDGER_INSERT,
  LEDGER_LIST_REPORTS,
  LEDGER_RELEASE,
  LEDGER_REPORT,
  LEDGER_TAKEOVER,
  LEDGER_TAKEOVER_COLUMNS,
  PAGE_SIZE,
} from './queries.ts';
import { col, decodeRows, listParam, param, pick, type RowOf } from './codec.ts';
import { parseReport } from './tables.ts';

/**
 * An upload's ingest sequence from the acquiring clock: milliseconds × 4096 plus 12 bits of
 * the upload id (a content hash), so two uploads acquired in the same millisecond differ
 * unless their ids collide in those bits (1 in 4 096). The order is the clock's: across
 * instances it is as good as their clocks, which is what "ingest order" can mean when
 * nothing serialises the uploads. Stays a safe integer until 2039 (2.2e12 ms × 4096 < 2^53).
 */
export function ledgerSequence(nowMs: number, uploadId: string): number {
  return Math.floor(nowMs) * 4096 + (Number.parseInt(uploadId.slice(-3), 16) || 0);
}
const IN_PROGRESS = 'in_progress';
const COMPLETED = 'completed';
const REPORT_COLUMNS = pick(LEDGER_COLUMNS, 'ingest_sequence', 'report_json');

/** One upload's report (null until it completes), over any runner. */
export async function reportOf(run: Runner, uploadId: string): Promise<UploadReport | null> {
  const [rs] = await run(LEDGER_REPORT, { $upload_id: param(col.utf8, uploadId) }, 'reading a report');
  const row = rs ? decodeRows(rs, pick(LEDGER_COLUMNS, 'report_json'))[0] : undefined;
  return row?.report_json ? parseReport(row.report_json) : null;
}

/**
 * Completed reports with a sequence below `before`, newest first, at most `limit`: pages of
 * at most PAGE_SIZE continue below the last sequence read, so none is truncated.
 */
export async function completedReports(run: Runner, opts: { readonly limit: number; readonly before?: number }): Promise<LedgerReport[]> {
  const out: LedgerReport[] = [];
  let before = opts.before ?? Number.MAX_SAFE_INTEGER;
  while (out.length < opts.limit) {
    const pageSize = Math.min(PAGE_SIZE, opts.limit - out.length);
    const [rs] = await run(
      LEDGER_LIST_REPORTS,
      { $status: param(col.utf8, COMPLETED), $before: param(col.uint64, before), $limit: param(col.uint64, pageSize) },
      'listing reports',
    );
    const rows = rs ? decodeRows(rs, REPORT_COLUMNS) : [];
    for (const r of rows) if (r.report_json) out.push({ sequence: r.ingest_sequence, report: parseReport(r.report_json) });
    if (rows.length < pageSize) break;
    before = rows[rows.length - 1]!.ingest_sequence;
  }
  return out;
}

export class YdbUploadLedger implements UploadLedger {
  readonly #db: YdbClient;
  readonly #read: Runner;

  constructor(db: YdbClient) {
    this.#db = db;
    this.#read = db.reader;
  }

  async acquire(key: LedgerKey, nowMs: number, leaseMs: number): Promise<AcquireResult> {
    const uploadId = uploadIdFor(key);
    const fresh = decideAcquire(undefined, nowMs, leaseMs);
    const row = (leaseUntilMs: number): RowOf<typeof LEDGER_COLUMNS> => ({
      upload_id: uploadId,
      bucket: key.bucket,
      object_key: key.key,
      sha256: key.sha256,
      status: IN_PROGRESS,
      lease_until_ms: leaseUntilMs,
      ingest_sequence: ledgerSequence(nowMs, uploadId),
      acquired_at_ms: nowMs,
      completed_at_ms: null,
      report_status: null,
      report_json: null,
    });
    // First sight of this content, the common case: the row is inserted without reading
    // first, one round trip. INSERT refuses an existing key (PRECONDITION_FAILED), and only
    // then is the entry read and the domain's rule applied. Re-running the INSERT after an
    // ambiguous failure meets our own row and answers in_progress, which only delays the
    // trigger's retry to the lease end.
    if (fresh.kind === 'insert') {
      try {
        await this.#db.run(LEDGER_INSERT, { $rows: listParam(LEDGER_COLUMNS, [row(fresh.leaseUntilMs)]) }, { what: 'inserting the ledger row', idempotent: true });
        return { kind: 'acquired', uploadId, sequence: ledgerSequence(nowMs, uploadId) };
      } catch (err) {
        if (!isPreconditionFailed(err)) throw err;
      }
    }
    // Safe to re-run: it decides from what it reads.
    const attempt = () =>
      this.#db.tx('serializable', 'acquiring the ingest lease', async (tx): Promise<AcquireResult> => {
        const [rs] = await tx.query(LEDGER_GET, { $upload_id: param(col.utf8, uploadId) }, 'reading the ledger');
        const existing = rs ? decodeRows(rs, LEDGER_COLUMNS)[0] : undefined;
        const lease: LedgerLease | undefined = existing && {
          status: existing.status === COMPLETED ? 'completed' : 'in_progress',
          leaseUntilMs: existing.lease_until_ms,
          sequence: existing.ingest_sequence,
        };
        const decision = decideAcquire(lease, nowMs, leaseMs);
        switch (decision.kind) {
          case 'completed':
            return { kind: 'completed', uploadId, report: parseReport(existing!.report_json) };
          case 'in_progress':
            return { kind: 'in_progress', uploadId, leaseUntilMs: decision.leaseUntilMs };
          case 'take_over':
            await tx.query(
              LEDGER_TAKEOVER,
              { $rows: listParam(LEDGER_TAKEOVER_COLUMNS, [{ upload_id: uploadId, lease_until_ms: decision.leaseUntilMs, acquired_at_ms: nowMs }]) },
              'taking over the lease',
              { commit: true },
            );
            return { kind: 'acquired', uploadId, sequence: decision.sequence };
          case 'insert': {
            // the row the INSERT above met is gone (ledger rows are never deleted: defensive)
            const r = row(decision.leaseUntilMs);
            await tx.query(LEDGER_INSERT, { $rows: listParam(LEDGER_COLUMNS, [r]) }, 'inserting the ledger row', { commit: true });
            return { kind: 'acquired', uploadId, sequence: r.ingest_sequence };
          }
        }
      });
    try {
      return await attempt();
    } catch (err) {
      // INSERT met a row a racing invocation committed first: read again and answer from it.
      if (isPreconditionFailed(err)) return attempt();
      throw err;
    }
  }

  async complete(uploadId: string, report: UploadReport): Promise<void> {
    const row: RowOf<typeof LEDGER_COMPLETE_COLUMNS> = {
      upload_id: uploadId,
      status: COMPLETED,
      lease_until_ms: null,
      completed_at_ms: Date.parse(report.completed_at),
      report_status: report.status,
      report_json: report,
    };
    await this.#db.run(LEDGER_COMPLETE, { $rows: listParam(LEDGER_COMPLETE_COLUMNS, [row]) }, { what: 'completing an upload', idempotent: true });
  }

  async release(uploadId: string): Promise<void> {
    await this.#db.run(
      LEDGER_RELEASE,
      { $upload_id: param(col.utf8, uploadId), $status: param(col.utf8, IN_PROGRESS) },
      { what: 'releasing a lease', idempotent: true },
    );
  }

  getReport(uploadId: string): Promise<UploadReport | null> {
    return reportOf(this.#read, uploadId);
  }

  async listReports(opts: { limit: number; before?: number }): Promise<UploadReport[]> {
    return (await completedReports(this.#read, opts)).map((r) => r.report);
  }

  async entriesForKey(bucket: string, key: string): Promise<LedgerEntry[]> {
    const rows = (await readRows(this.#read, LEDGER_BY_OBJECT, { $bucket: param(col.utf8, bucket), $object_key: param(col.utf8, key) }, LEDGER_COLUMNS, 'listing ledger entries')).sort((a, b) => a.ingest_sequence - b.ingest_sequence);
    return rows.map((r) => ({
      uploadId: r.upload_id,
      bucket: r.bucket,
      key: r.object_key,
      sha256: r.sha256,
      status: r.status === COMPLETED ? 'completed' : 'in_progress',
      leaseUntilMs: r.lease_until_ms,
      sequence: r.ingest_sequence,
      completedAtMs: r.completed_at_ms,
    }));
  }
}
