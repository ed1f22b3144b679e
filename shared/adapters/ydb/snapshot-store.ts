// Adapter: SnapshotStore and UploadLedger on serverless YDB (the SQLite adapter's twin;
// test/contract/snapshot-store.contract.ts holds both to the same promises).
//
// Snapshot replacement is atomic although BulkUpsert is not: rows are bulk-upserted under
// the upload's batch id, which no reader follows, and `commitBatch` then switches the
// current-batch pointer of each (region, period, kind, municipality) in ONE serializable
// transaction — read the pointers, compare "newer upload wins" (LastModified, then ingest
// sequence), upsert the winners. Readers read the pointers and then the rows of the
// batches they name inside one snapshot read-only transaction, so they see the old or the
// new rows of a municipality, never a mix. Superseded batches stay until `discardBatch`.
//
// `snapshot_batch_unit` records every (region, period, kind, municipality) a batch staged
// or committed, written before the rows themselves: it is how a discard or a retraction
// finds a batch's rows by primary-key prefix without a secondary index on the bulk tables.
import type { MunicipalityRow, Period, SchoolRow, TableKind, UploadReport } from '../../domain/schemas.ts';
import { uploadIdFor } from '../../domain/upload-id.ts';
import type {
  AcquireResult,
  BatchCommit,
  BatchId,
  CommitResult,
  LedgerEntry,
  LedgerKey,
  SnapshotStore,
  UploadLedger,
} from '../../ports/snapshot-store.ts';
import type { LedgerReport } from '../../ports/read-model.ts';
import { isPreconditionFailed, paginate, type Params, type Runner, type Tx, type YdbClient } from './client.ts';
import {
  BATCH_REFERENCES,
  BATCH_UNITS,
  COUNTER_COLUMNS,
  COUNTER_GET,
  CURRENT_PERIODS,
  DISCARD_BATCH,
  DELETE_SCHOOLS_BY_KEY,
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
  MUNICIPALITIES_OF_BATCH,
  MUNICIPALITY_COLUMNS,
  PAGE_SIZE,
  PERIOD_COLUMNS,
  POINTER_COLUMNS,
  POINTERS,
  SCHOOL_COLUMNS,
  SCHOOL_KEY_COLUMNS,
  SCHOOLS_OF_BATCH,
  STAGE_UNITS,
  UNIT_COLUMNS,
  COMMIT_POINTERS,
} from './queries.ts';
import {
  T,
  col,
  decodeRows,
  listParam,
  municipalityToRow,
  param,
  parseReport,
  pick,
  rowToMunicipality,
  scalarListParam,
  rowToSchool,
  schoolToRow,
  unitRow,
  type BatchUnitRow,
  type PointerRow,
  type RowOf,
} from './types.ts';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function txRunner(tx: Tx): Runner {
  return (text, params, what) => tx.query(text, params, what);
}

function distinctUnits(batchId: string, kind: TableKind, rows: readonly { region: string; period: Period; municipality_id: string }[]): BatchUnitRow[] {
  const seen = new Map<string, BatchUnitRow>();
  for (const r of rows) {
    const k = `${r.region}|${r.period.start}|${r.period.end}|${r.municipality_id}`;
    if (!seen.has(k)) seen.set(k, unitRow(batchId, r.region, r.period, kind, r.municipality_id));
  }
  return [...seen.values()];
}

export class YdbSnapshotStore implements SnapshotStore {
  readonly #db: YdbClient;
  readonly #read: Runner;

  constructor(db: YdbClient) {
    this.#db = db;
    this.#read = db.reader;
  }

  async stageSchoolRows(batchId: BatchId, rows: readonly SchoolRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#registerUnits(distinctUnits(batchId, 'schools', rows));
    await this.#db.bulkUpsert(T.schoolSnapshot.name, SCHOOL_COLUMNS, rows.map((r) => schoolToRow(batchId, r)), 'staging school rows');
  }

  async stageMunicipalityRows(batchId: BatchId, rows: readonly MunicipalityRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#registerUnits(distinctUnits(batchId, 'municipalities', rows));
    await this.#db.bulkUpsert(
      T.municipalitySnapshot.name,
      MUNICIPALITY_COLUMNS,
      rows.map((r) => municipalityToRow(batchId, r)),
      'staging municipality rows',
    );
  }

  async #registerUnits(units: readonly BatchUnitRow[]): Promise<void> {
    await this.#db.run(STAGE_UNITS, { $rows: listParam(UNIT_COLUMNS, units) }, { what: 'registering staged units', idempotent: true });
  }

  async dropStagedSchools(batchId: BatchId, keys: readonly { period: Period; schoolKey: string }[]): Promise<void> {
    if (keys.length === 0) return;
    // Re-running is harmless: it deletes the same keys again.
    await this.#db.tx('serializable', 'dropping staged schools', async (tx) => {
      const units = (await this.#units(txRunner(tx), batchId)).filter((u) => u.kind === 'schools');
      const targets: RowOf<typeof SCHOOL_KEY_COLUMNS>[] = [];
      for (const k of keys) {
        for (const u of units) {
          if (u.period_start !== k.period.start || u.period_end !== k.period.end) continue;
          targets.push({
            region: u.region,
            period_start: u.period_start,
            period_end: u.period_end,
            batch_id: batchId,
            municipality_id: u.municipality_id,
            school_key: k.schoolKey,
          });
        }
      }
      if (targets.length) await tx.query(DELETE_SCHOOLS_BY_KEY, { $keys: listParam(SCHOOL_KEY_COLUMNS, targets) }, 'deleting staged schools', { commit: true });
    });
  }

  async commitBatch(commit: BatchCommit): Promise<CommitResult> {
    // A re-run (after ABORTED, or an ambiguous commit) derives everything from the pointers
    // it reads: pointers already naming this batch count as applied and are not rewritten,
    // so the result and the state equal those of one commit.
    return this.#db.tx('serializable', `committing batch ${commit.batchId}`, async (tx) => {
      const run = txRunner(tx);
      const pointers = new Map<string, PointerRow>();
      const groups = new Map<string, { period: Period; kind: TableKind }>();
      for (const u of commit.units) groups.set(`${u.period.start}|${u.period.end}|${u.kind}`, { period: u.period, kind: u.kind });
      for (const g of groups.values()) {
        const rows = await paginate(
          run,
          POINTERS,
          {
            $region: param(col.utf8, commit.region),
            $period_start: param(col.date, g.period.start),
            $period_end: param(col.date, g.period.end),
            $kind: param(col.utf8, g.kind),
          },
          POINTER_COLUMNS,
          POINTER_COLUMNS,
          'reading pointers',
        );
        for (const p of rows) pointers.set(`${p.period_start}|${p.period_end}|${p.kind}|${p.municipality_id}`, p);
      }

      let applied = 0;
      let superseded = 0;
      const periods = new Map<string, Period>();
      const writes = new Map<string, PointerRow>();
      for (const u of commit.units) {
        const key = `${u.period.start}|${u.period.end}|${u.kind}|${u.municipalityId}`;
        const current = pointers.get(key);
        if (current && current.batch_id !== commit.batchId && !isNewer(commit.source, current)) {
          superseded++;
          continue;
        }
        if (!current || current.batch_id !== commit.batchId) {
          const next: PointerRow = {
            region: commit.region,
            period_start: u.period.start,
            period_end: u.period.end,
            kind: u.kind,
            municipality_id: u.municipalityId,
            batch_id: commit.batchId,
            upload_id: commit.uploadId,
            source_modified_ms: commit.source.lastModifiedMs,
            source_sequence: commit.source.sequence,
            version: current ? current.version + 1 : 1,
          };
          pointers.set(key, next);
          writes.set(key, next);
        }
        applied++;
        periods.set(`${u.period.start}..${u.period.end}`, u.period);
      }

      if (writes.size > 0) {
        // the committed units join the registry, so a later discard sees these references
        const units = [...writes.values()].map((p) =>
          unitRow(commit.batchId, p.region, { start: p.period_start, end: p.period_end }, p.kind as TableKind, p.municipality_id),
        );
        await tx.query(
          COMMIT_POINTERS,
          { $pointers: listParam(POINTER_COLUMNS, [...writes.values()]), $units: listParam(UNIT_COLUMNS, units) },
          'flipping pointers',
          { commit: true },
        );
      }
      return { applied, superseded, periods: [...periods.values()] };
    });
  }

  async discardBatch(batchId: BatchId): Promise<void> {
    // One serializable transaction: a commit racing to reference this batch invalidates
    // our read of its pointers, so rows are never deleted under a live pointer.
    await this.#db.tx('serializable', `discarding batch ${batchId}`, async (tx) => {
      const run = txRunner(tx);
      const units = await this.#units(run, batchId);
      if (units.length === 0) return;
      const periods = new Map<string, { region: string; start: string; end: string }>();
      for (const u of units) periods.set(`${u.region}|${u.period_start}|${u.period_end}`, { region: u.region, start: u.period_start, end: u.period_end });
      for (const p of periods.values()) {
        const [rs] = await run(
          BATCH_REFERENCES,
          {
            $region: param(col.utf8, p.region),
            $period_start: param(col.date, p.start),
            $period_end: param(col.date, p.end),
            $batch_id: param(col.utf8, batchId),
          },
          'checking batch references',
        );
        const refs = rs ? decodeRows(rs, { refs: col.uint64 })[0]?.refs ?? 0 : 0;
        if (refs > 0) return;
      }
      const regions = new Set<string>();
      let from = units[0]!.period_start;
      let to = from;
      for (const p of periods.values()) {
        regions.add(p.region);
        if (p.start < from) from = p.start;
        if (p.start > to) to = p.start;
      }
      await tx.query(
        DISCARD_BATCH,
        {
          $regions: scalarListParam(col.utf8, [...regions].sort(byText)),
          $batch_id: param(col.utf8, batchId),
          $period_from: param(col.date, from),
          $period_to: param(col.date, to),
        },
        'deleting the batch',
        { commit: true },
      );
    });
  }

  currentSchools(region: string, period: Period): Promise<SchoolRow[]> {
    return this.#db.tx('snapshot', 'reading current schools', (tx) => currentSchoolsOn(txRunner(tx), region, period));
  }

  async currentMunicipalities(region: string, period: Period): Promise<MunicipalityRow[]> {
    return this.#db.tx('snapshot', 'reading current municipalities', async (tx) => {
      const run = txRunner(tx);
      const byBatch = await currentBatches(run, region, period, 'municipalities');
      const out: MunicipalityRow[] = [];
      for (const [batchId, municipalities] of byBatch) {
        const rows = await paginate(
          run,
          MUNICIPALITIES_OF_BATCH,
          batchParams(region, period, batchId),
          MUNICIPALITY_COLUMNS,
          MUNICIPALITY_COLUMNS,
          'reading municipality rows',
        );
        for (const r of rows) if (municipalities.has(r.municipality_id)) out.push(rowToMunicipality(r));
      }
      return out.sort((a, b) => byText(a.municipality_id, b.municipality_id));
    });
  }

  async periods(region: string): Promise<Period[]> {
    const rows = await paginate(this.#read, CURRENT_PERIODS, { $region: param(col.utf8, region) }, PERIOD_COLUMNS, PERIOD_COLUMNS, 'listing periods');
    return rows.map((r) => ({ start: r.period_start, end: r.period_end }));
  }

  async #units(run: Runner, batchId: string): Promise<BatchUnitRow[]> {
    return paginate(run, BATCH_UNITS, { $batch_id: param(col.utf8, batchId) }, UNIT_COLUMNS, UNIT_COLUMNS, 'reading batch units');
  }
}

/**
 * The current school rows of a (region, period) over any runner (a store's snapshot
 * transaction or the read model's): each current batch read in pages, kept where the
 * pointer of the row's municipality names that batch.
 */
export async function currentSchoolsOn(run: Runner, region: string, period: Period): Promise<SchoolRow[]> {
  const byBatch = await currentBatches(run, region, period, 'schools');
  const out: SchoolRow[] = [];
  for (const [batchId, municipalities] of byBatch) {
    const rows = await paginate(run, SCHOOLS_OF_BATCH, batchParams(region, period, batchId), SCHOOL_COLUMNS, SCHOOL_COLUMNS, 'reading school rows');
    for (const r of rows) if (municipalities.has(r.municipality_id)) out.push(rowToSchool(r));
  }
  return out.sort((a, b) => byText(a.municipality_id, b.municipality_id) || byText(a.school_key, b.school_key));
}

/** batch id → the municipalities whose pointer names it */
async function currentBatches(run: Runner, region: string, period: Period, kind: TableKind): Promise<Map<string, Set<string>>> {
  const pointers = await paginate(
    run,
    POINTERS,
    {
      $region: param(col.utf8, region),
      $period_start: param(col.date, period.start),
      $period_end: param(col.date, period.end),
      $kind: param(col.utf8, kind),
    },
    POINTER_COLUMNS,
    POINTER_COLUMNS,
    'reading pointers',
  );
  const byBatch = new Map<string, Set<string>>();
  for (const p of pointers) {
    let s = byBatch.get(p.batch_id);
    if (!s) byBatch.set(p.batch_id, (s = new Set()));
    s.add(p.municipality_id);
  }
  return byBatch;
}

function batchParams(region: string, period: Period, batchId: string): Params {
  return {
    $region: param(col.utf8, region),
    $period_start: param(col.date, period.start),
    $period_end: param(col.date, period.end),
    $batch_id: param(col.utf8, batchId),
  };
}

/** Newer upload wins: a later LastModified, or the same instant and a later ingest sequence. */
export function isNewer(source: BatchCommit['source'], current: Pick<PointerRow, 'source_modified_ms' | 'source_sequence'>): boolean {
  if (source.lastModifiedMs !== current.source_modified_ms) return source.lastModifiedMs > current.source_modified_ms;
  return source.sequence > current.source_sequence;
}

const COUNTER = 'upload_ledger';
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
    // Safe to re-run: it decides from what it reads. After an ambiguous commit a re-run may
    // find its own lease and answer in_progress, which only delays the retry to the lease end.
    const attempt = () =>
      this.#db.tx('serializable', 'acquiring the ingest lease', async (tx): Promise<AcquireResult> => {
        const [rs] = await tx.query(LEDGER_GET, { $upload_id: param(col.utf8, uploadId) }, 'reading the ledger');
        const existing = rs ? decodeRows(rs, LEDGER_COLUMNS)[0] : undefined;
        if (existing?.status === COMPLETED) return { kind: 'completed', uploadId, report: parseReport(existing.report_json) };
        // A lease is live up to and including its expiry instant; strictly after it, it is taken over.
        if (existing && existing.lease_until_ms !== null && nowMs <= existing.lease_until_ms) {
          return { kind: 'in_progress', uploadId, leaseUntilMs: existing.lease_until_ms };
        }
        const leaseUntil = nowMs + leaseMs;
        if (existing) {
          await tx.query(
            LEDGER_TAKEOVER,
            { $rows: listParam(LEDGER_TAKEOVER_COLUMNS, [{ upload_id: uploadId, lease_until_ms: leaseUntil, acquired_at_ms: nowMs }]) },
            'taking over the lease',
            { commit: true },
          );
          return { kind: 'acquired', uploadId, sequence: existing.ingest_sequence };
        }
        const [cs] = await tx.query(COUNTER_GET, { $counter_name: param(col.utf8, COUNTER) }, 'reading the sequence');
        const next = (cs ? decodeRows(cs, COUNTER_COLUMNS)[0]?.last_value ?? 0 : 0) + 1;
        await tx.query(
          LEDGER_INSERT,
          {
            $rows: listParam(LEDGER_COLUMNS, [
              {
                upload_id: uploadId,
                bucket: key.bucket,
                object_key: key.key,
                sha256: key.sha256,
                status: IN_PROGRESS,
                lease_until_ms: leaseUntil,
                ingest_sequence: next,
                acquired_at_ms: nowMs,
                completed_at_ms: null,
                report_status: null,
                report_json: null,
              },
            ]),
            $counter: listParam(COUNTER_COLUMNS, [{ counter_name: COUNTER, last_value: next }]),
          },
          'inserting the ledger row',
          { commit: true },
        );
        return { kind: 'acquired', uploadId, sequence: next };
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
    const rows = await paginate(
      this.#read,
      LEDGER_BY_OBJECT,
      { $bucket: param(col.utf8, bucket), $object_key: param(col.utf8, key) },
      LEDGER_COLUMNS,
      LEDGER_COLUMNS,
      'listing ledger entries',
    );
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
