// Port: per-period snapshots (SQLite locally, YDB in the cloud).
//
// Snapshot replacement follows the contract: rows are staged under a batch id where no
// reader sees them, then `commitBatch` switches, in one transaction, the current-batch
// pointer of every (region, period, kind, municipality) the batch contains, unless a newer
// upload already holds it. Which pointers flip is `planCommit` in the domain; adapters read
// the pointers and write the flips in the same transaction. Readers go through the
// pointers, so they see the old or the new rows of a municipality, never a mix.
// A commit carrying its units' contents (`decideCommit`) stores each beside the unit's
// pointer and answers with what it replaced, or, asked `unlessUnchanged`, commits nothing
// and discards the staged batch when every unit equals the one in force: both decided from
// the pointers the commit reads, never from the rows in force.
import type { CommitOutcome, CommitResult, CommitUnit, ContentCommit, ReplacedUnit } from '../domain/store-rules/commit-plan.ts';
import type { SourceVersion } from '../domain/store-rules/newer-upload.ts';
import type { MunicipalityRow, Period, SchoolRow, TableKind } from '../domain/schemas.ts';

export type { CommitOutcome, CommitResult, ReplacedUnit, SourceVersion };

export type BatchId = string;

/** Where a staged school row came from in its upload: the row number as the admin sees it, and the sheet of a workbook. */
export type RowSource = { readonly row: number; readonly sheet: string | null };

/** A current school row with its provenance: the upload (batch) in force for its municipality, and its row there. */
export type SchoolSource = { readonly school: SchoolRow; readonly uploadId: string; readonly row: number | null; readonly sheet: string | null };

/** The batch a unit's pointer names now, and the upload that batch came from. */
export type UnitInForce = { readonly kind: TableKind; readonly municipalityId: string; readonly batchId: BatchId; readonly uploadId: string };

export type BatchCommit = ContentCommit & {
  readonly batchId: BatchId;
  readonly uploadId: string;
  readonly region: string;
  readonly source: SourceVersion;
  /** the (period, kind, municipality) units this batch replaces */
  readonly units: readonly CommitUnit[];
};

export interface SnapshotStore {
  /** `sources[i]` is where `rows[i]` came from (absent: unknown, as for rows staged before provenance was kept). */
  stageSchoolRows(batchId: BatchId, rows: readonly SchoolRow[], sources?: readonly RowSource[]): Promise<void>;
  stageMunicipalityRows(batchId: BatchId, rows: readonly MunicipalityRow[]): Promise<void>;
  /** Removes staged school rows (both sides of a conflicting duplicate) before the commit. */
  dropStagedSchools(batchId: BatchId, keys: readonly { period: Period; schoolKey: string }[]): Promise<void>;
  /** One transaction: the pointers (with what their batches hold) read, the flips and the units' contents written — or, when unchanged, the staged batch discarded. */
  commitBatch(commit: BatchCommit): Promise<CommitOutcome>;
  /** Deletes a batch no pointer references (abandoned staging, superseded history past retention). */
  discardBatch(batchId: BatchId): Promise<void>;
  /** The current school rows of a (region, period), through the pointers. */
  currentSchools(region: string, period: Period): Promise<SchoolRow[]>;
  currentMunicipalities(region: string, period: Period): Promise<MunicipalityRow[]>;
  /** Periods with any current rows, ascending by start. */
  periods(region: string): Promise<Period[]>;
  /** Every pointer of a (region, period): which batch each (kind, municipality) is read from. */
  inForce(region: string, period: Period): Promise<UnitInForce[]>;
  /** The rows one batch holds for a (region, period), staged or committed, current or not (a unit whose content no pointer keeps is summarised from them). */
  batchRows(batchId: BatchId, region: string, period: Period): Promise<{ schools: SchoolRow[]; municipalities: MunicipalityRow[] }>;
  /** Whether any pointer of the region still names the batch (false: every unit it held was taken over). */
  batchInForce(batchId: BatchId, region: string): Promise<boolean>;
  /** The current school rows of one municipality in a (region, period), each with its upload and row. */
  schoolSources(region: string, period: Period, municipalityId: string): Promise<SchoolSource[]>;
}
