// Adapter: SnapshotStore on SQLite (the embedded stand-in for YDB).
//
// Rows are staged under a batch id that no reader can reach; `commitBatch` then reads the
// current-batch pointer of each (region, period, kind, municipality) and writes the flips
// `planCommit` decides ("newer upload wins") in one BEGIN IMMEDIATE transaction. Readers
// join through the pointers in a single statement, so they see the old or the new rows of
// a municipality, never a mix. Superseded batches stay as history. What each committed
// unit holds (`snapshot_unit_summary`, keyed as its pointer) is read with the pointer, so a
// commit learns what it replaces, or that it changes nothing, without reading the rows.
import type { MunicipalityRow, Period, SchoolRow, TableKind } from '../../domain/schemas.ts';
import { decideCommit, type CommitUnit, type UnitPointer } from '../../domain/store-rules/commit-plan.ts';
import type { BatchCommit, BatchId, CommitOutcome, RowSource, SchoolSource, SnapshotStore, UnitInForce } from '../../ports/snapshot-store.ts';
import {
  heldPointer,
  municipalityFromRecord,
  municipalityRecord,
  pointerRecord,
  schoolFromRecord,
  schoolRecord,
  summaryRecords,
  type MunicipalityRecord,
  type SchoolRecord,
  type SummaryRecord,
} from '../snapshot-rows.ts';
import { immediate, sqlite, type Db } from './database.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS school_snapshot (
  region                 TEXT NOT NULL,
  period_start           TEXT NOT NULL,
  period_end             TEXT NOT NULL,
  batch_id               TEXT NOT NULL,
  municipality_id        TEXT NOT NULL,
  school_key             TEXT NOT NULL,
  school_inn             TEXT NOT NULL,
  school_kpp             TEXT,
  school_name            TEXT NOT NULL,
  in_sferum              INTEGER NOT NULL,
  admin_active           INTEGER NOT NULL,
  teachers_total         INTEGER,
  teachers_in_sferum     INTEGER,
  students_total         INTEGER,
  students_in_sferum     INTEGER,
  teachers_chat_creators INTEGER,
  teachers_msg3          INTEGER,
  teachers_msg10         INTEGER,
  teachers_calls         INTEGER,
  source_row             INTEGER,
  source_sheet           TEXT,
  PRIMARY KEY (region, period_start, period_end, batch_id, municipality_id, school_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS school_snapshot_by_batch ON school_snapshot (batch_id);

CREATE TABLE IF NOT EXISTS municipality_snapshot (
  region          TEXT NOT NULL,
  period_start    TEXT NOT NULL,
  period_end      TEXT NOT NULL,
  batch_id        TEXT NOT NULL,
  municipality_id TEXT NOT NULL,
  in_sferum       INTEGER NOT NULL,
  admin_active    INTEGER NOT NULL,
  PRIMARY KEY (region, period_start, period_end, batch_id, municipality_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS municipality_snapshot_by_batch ON municipality_snapshot (batch_id);

CREATE TABLE IF NOT EXISTS current_batch (
  region             TEXT NOT NULL,
  period_start       TEXT NOT NULL,
  period_end         TEXT NOT NULL,
  kind               TEXT NOT NULL CHECK (kind IN ('schools', 'municipalities')),
  municipality_id    TEXT NOT NULL,
  batch_id           TEXT NOT NULL,
  upload_id          TEXT NOT NULL,
  source_modified_ms INTEGER NOT NULL,
  source_sequence    INTEGER NOT NULL,
  version            INTEGER NOT NULL,
  PRIMARY KEY (region, period_start, period_end, kind, municipality_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS snapshot_unit_summary (
  region          TEXT NOT NULL,
  period_start    TEXT NOT NULL,
  period_end      TEXT NOT NULL,
  kind            TEXT NOT NULL,
  municipality_id TEXT NOT NULL,
  batch_id        TEXT NOT NULL,
  row_count       INTEGER NOT NULL,
  teachers_total  INTEGER,
  students_total  INTEGER,
  fingerprint     TEXT NOT NULL,
  received_at_ms  INTEGER NOT NULL,
  PRIMARY KEY (region, period_start, period_end, kind, municipality_id)
) WITHOUT ROWID;
`;

/** SQLite has no boolean type: flags are stored as 0/1. */
type SqliteBools<T> = Omit<T, 'in_sferum' | 'admin_active'> & { in_sferum: number; admin_active: number };
type SchoolDbRow = SqliteBools<Omit<SchoolRecord, 'batch_id'>>;
type MunicipalityDbRow = SqliteBools<Omit<MunicipalityRecord, 'batch_id'>>;

const toDb = <T extends { in_sferum: boolean; admin_active: boolean }>(r: T) => ({ ...r, in_sferum: r.in_sferum ? 1 : 0, admin_active: r.admin_active ? 1 : 0 });

type PointerRow = Parameters<typeof heldPointer>[0] & { [K in keyof SummaryRecord as `s_${K}`]: SummaryRecord[K] | null };

/** Creates the snapshot and pointer tables if they are missing; a data directory from before provenance gains its columns. */
export function migrateSnapshots(db: Db): void {
  db.exec(SCHEMA);
  const columns = new Set(db.prepare<[], { name: string }>('PRAGMA table_info(school_snapshot)').all().map((c) => c.name));
  // appended last, as CREATE TABLE has them, so positional inserts fit either way
  if (!columns.has('source_row')) db.exec('ALTER TABLE school_snapshot ADD COLUMN source_row INTEGER');
  if (!columns.has('source_sheet')) db.exec('ALTER TABLE school_snapshot ADD COLUMN source_sheet TEXT');
}

export class SqliteSnapshotStore implements SnapshotStore {
  readonly #db: Db;
  readonly #insertSchool;
  readonly #insertMunicipality;
  readonly #deleteStagedSchool;
  readonly #pointer;
  readonly #upsertPointer;
  readonly #upsertSummary;
  readonly #currentSchools;
  readonly #currentMunicipalities;

  constructor(db: Db) {
    migrateSnapshots(db);
    this.#db = db;
    // Positional parameters bound from the records' values, which are in table order:
    // cheaper than looking up 19 named parameters per row (staging was a sixth of the
    // ingest's CPU in the bench profile).
    this.#insertSchool = db.prepare(`INSERT OR REPLACE INTO school_snapshot VALUES (${Array(21).fill('?').join(', ')})`);
    this.#insertMunicipality = db.prepare(`INSERT OR REPLACE INTO municipality_snapshot VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.#deleteStagedSchool = db.prepare(
      `DELETE FROM school_snapshot WHERE batch_id = ? AND period_start = ? AND period_end = ? AND school_key = ?`,
    );
    this.#pointer = db.prepare<[string, string, string, string, string], PointerRow>(
      `SELECT c.batch_id, c.upload_id, c.source_modified_ms, c.source_sequence, c.version,
         s.batch_id AS s_batch_id, s.row_count AS s_row_count, s.teachers_total AS s_teachers_total,
         s.students_total AS s_students_total, s.fingerprint AS s_fingerprint, s.received_at_ms AS s_received_at_ms
       FROM current_batch c LEFT JOIN snapshot_unit_summary s
         ON s.region = c.region AND s.period_start = c.period_start AND s.period_end = c.period_end
        AND s.kind = c.kind AND s.municipality_id = c.municipality_id
       WHERE c.region = ? AND c.period_start = ? AND c.period_end = ? AND c.kind = ? AND c.municipality_id = ?`,
    );
    this.#upsertPointer = db.prepare(`INSERT OR REPLACE INTO current_batch VALUES (
        @region, @period_start, @period_end, @kind, @municipality_id, @batch_id, @upload_id,
        @source_modified_ms, @source_sequence, @version)`);
    this.#upsertSummary = db.prepare(`INSERT OR REPLACE INTO snapshot_unit_summary VALUES (
        @region, @period_start, @period_end, @kind, @municipality_id, @batch_id, @row_count,
        @teachers_total, @students_total, @fingerprint, @received_at_ms)`);
    // Reads through the primary key (region, period, batch, municipality, school) rather than
    // the by-batch index, which the planner otherwise picks and which costs a second lookup per
    // row; ordering by the pointer's municipality (equal to the row's by the join) lets the
    // index order serve the ORDER BY without a temporary sort. The aggregate reads every
    // current school of a period on each recompute.
    this.#currentSchools = db.prepare<[string, string, string], SchoolDbRow>(
      `SELECT s.region, s.period_start, s.period_end, s.municipality_id, s.school_key, s.school_inn, s.school_kpp,
         s.school_name, s.in_sferum, s.admin_active, s.teachers_total, s.teachers_in_sferum, s.students_total,
         s.students_in_sferum, s.teachers_chat_creators, s.teachers_msg3, s.teachers_msg10, s.teachers_calls
       FROM current_batch c JOIN school_snapshot s INDEXED BY sqlite_autoindex_school_snapshot_1
         ON s.region = c.region AND s.period_start = c.period_start AND s.period_end = c.period_end
        AND s.batch_id = c.batch_id AND s.municipality_id = c.municipality_id
       WHERE c.region = ? AND c.period_start = ? AND c.period_end = ? AND c.kind = 'schools'
       ORDER BY c.municipality_id, s.school_key`,
    );
    this.#currentMunicipalities = db.prepare<[string, string, string], MunicipalityDbRow>(
      `SELECT m.* FROM current_batch c JOIN municipality_snapshot m
         ON m.region = c.region AND m.period_start = c.period_start AND m.period_end = c.period_end
        AND m.batch_id = c.batch_id AND m.municipality_id = c.municipality_id
       WHERE c.region = ? AND c.period_start = ? AND c.period_end = ? AND c.kind = 'municipalities'
       ORDER BY m.municipality_id`,
    );
  }

  async stageSchoolRows(batchId: BatchId, rows: readonly SchoolRow[], sources?: readonly RowSource[]): Promise<void> {
    return sqlite('snapshot store stageSchoolRows', () => {
      const insert = this.#insertSchool;
      this.#db.transaction(() => {
        rows.forEach((r, i) => insert.run([...Object.values(toDb(schoolRecord(batchId, r))), sources?.[i]?.row ?? null, sources?.[i]?.sheet ?? null]));
      })();
    });
  }

  async stageMunicipalityRows(batchId: BatchId, rows: readonly MunicipalityRow[]): Promise<void> {
    return sqlite('snapshot store stageMunicipalityRows', () => {
      const insert = this.#insertMunicipality;
      this.#db.transaction(() => {
        for (const r of rows) insert.run(Object.values(toDb(municipalityRecord(batchId, r))));
      })();
    });
  }

  async dropStagedSchools(batchId: BatchId, keys: readonly { period: Period; schoolKey: string }[]): Promise<void> {
    return sqlite('snapshot store dropStagedSchools', () => {
      const del = this.#deleteStagedSchool;
      this.#db.transaction(() => {
        for (const k of keys) del.run(batchId, k.period.start, k.period.end, k.schoolKey);
      })();
    });
  }

  async commitBatch(commit: BatchCommit): Promise<CommitOutcome> {
    return sqlite('snapshot store commitBatch', () => {
      return immediate(this.#db, () => {
        const { plan, outcome } = decideCommit(commit, (u) => this.#pointerOf(commit.region, u));
        if (outcome.unchanged) this.#discard(commit.batchId);
        for (const flip of plan.flips) this.#upsertPointer.run(pointerRecord(commit, flip));
        for (const row of summaryRecords(commit, plan.flips)) this.#upsertSummary.run(row);
        return outcome;
      });
    });
  }

  #pointerOf(region: string, u: CommitUnit): UnitPointer | undefined {
    const p = this.#pointer.get(region, u.period.start, u.period.end, u.kind, u.municipalityId);
    if (!p) return undefined;
    const summary =
      p.s_batch_id === null
        ? undefined
        : { batch_id: p.s_batch_id, row_count: p.s_row_count!, teachers_total: p.s_teachers_total, students_total: p.s_students_total, fingerprint: p.s_fingerprint!, received_at_ms: p.s_received_at_ms! };
    return heldPointer(p, summary);
  }

  async discardBatch(batchId: BatchId): Promise<void> {
    return sqlite('snapshot store discardBatch', () => {
      immediate(this.#db, () => this.#discard(batchId));
    });
  }

  /** Deletes a batch's rows unless a pointer names it (inside the caller's transaction). */
  #discard(batchId: BatchId): void {
    const referenced = this.#db.prepare('SELECT 1 FROM current_batch WHERE batch_id = ? LIMIT 1').get(batchId);
    if (referenced) return;
    this.#db.prepare('DELETE FROM school_snapshot WHERE batch_id = ?').run(batchId);
    this.#db.prepare('DELETE FROM municipality_snapshot WHERE batch_id = ?').run(batchId);
  }

  async currentSchools(region: string, period: Period): Promise<SchoolRow[]> {
    return sqlite('snapshot store currentSchools', () => {
      return this.#currentSchools.all(region, period.start, period.end).map(schoolFromRecord);
    });
  }

  async currentMunicipalities(region: string, period: Period): Promise<MunicipalityRow[]> {
    return sqlite('snapshot store currentMunicipalities', () => {
      return this.#currentMunicipalities.all(region, period.start, period.end).map(municipalityFromRecord);
    });
  }

  async periods(region: string): Promise<Period[]> {
    return sqlite('snapshot store periods', () => {
      const rows = this.#db
        .prepare<[string], { period_start: string; period_end: string }>(
          `SELECT DISTINCT period_start, period_end FROM current_batch WHERE region = ? ORDER BY period_start, period_end`,
        )
        .all(region);
      return rows.map((r) => ({ start: r.period_start, end: r.period_end }));
    });
  }

  async inForce(region: string, period: Period): Promise<UnitInForce[]> {
    return sqlite('snapshot store inForce', () => {
      return this.#db
        .prepare<[string, string, string], { kind: TableKind; municipality_id: string; batch_id: string; upload_id: string }>(
          `SELECT kind, municipality_id, batch_id, upload_id FROM current_batch
           WHERE region = ? AND period_start = ? AND period_end = ? ORDER BY kind, municipality_id`,
        )
        .all(region, period.start, period.end)
        .map((r) => ({ kind: r.kind, municipalityId: r.municipality_id, batchId: r.batch_id, uploadId: r.upload_id }));
    });
  }

  async batchRows(batchId: BatchId, region: string, period: Period): Promise<{ schools: SchoolRow[]; municipalities: MunicipalityRow[] }> {
    return sqlite('snapshot store batchRows', () => {
      const schools = this.#db
        .prepare<[string, string, string, string], SchoolDbRow>(
          `SELECT region, period_start, period_end, municipality_id, school_key, school_inn, school_kpp, school_name, in_sferum, admin_active,
             teachers_total, teachers_in_sferum, students_total, students_in_sferum, teachers_chat_creators, teachers_msg3, teachers_msg10, teachers_calls
           FROM school_snapshot WHERE region = ? AND period_start = ? AND period_end = ? AND batch_id = ? ORDER BY municipality_id, school_key`,
        )
        .all(region, period.start, period.end, batchId)
        .map(schoolFromRecord);
      const municipalities = this.#db
        .prepare<[string, string, string, string], MunicipalityDbRow>(
          `SELECT region, period_start, period_end, municipality_id, in_sferum, admin_active
           FROM municipality_snapshot WHERE region = ? AND period_start = ? AND period_end = ? AND batch_id = ? ORDER BY municipality_id`,
        )
        .all(region, period.start, period.end, batchId)
        .map(municipalityFromRecord);
      return { schools, municipalities };
    });
  }

  async schoolSources(region: string, period: Period, municipalityId: string): Promise<SchoolSource[]> {
    return sqlite('snapshot store schoolSources', () => {
      type Row = SchoolDbRow & { batch_id: string; source_row: number | null; source_sheet: string | null };
      return this.#db
        .prepare<[string, string, string, string], Row>(
          `SELECT s.region, s.period_start, s.period_end, s.municipality_id, s.school_key, s.school_inn, s.school_kpp, s.school_name,
             s.in_sferum, s.admin_active, s.teachers_total, s.teachers_in_sferum, s.students_total, s.students_in_sferum,
             s.teachers_chat_creators, s.teachers_msg3, s.teachers_msg10, s.teachers_calls, s.batch_id, s.source_row, s.source_sheet
           FROM current_batch c JOIN school_snapshot s
             ON s.region = c.region AND s.period_start = c.period_start AND s.period_end = c.period_end
            AND s.batch_id = c.batch_id AND s.municipality_id = c.municipality_id
           WHERE c.region = ? AND c.period_start = ? AND c.period_end = ? AND c.kind = 'schools' AND c.municipality_id = ?
           ORDER BY s.source_sheet, s.source_row, s.school_key`,
        )
        .all(region, period.start, period.end, municipalityId)
        .map(({ batch_id, source_row, source_sheet, ...r }) => ({ school: schoolFromRecord(r), uploadId: batch_id, row: source_row, sheet: source_sheet }));
    });
  }

  async batchInForce(batchId: BatchId, region: string): Promise<boolean> {
    return sqlite('snapshot store batchInForce', () => {
      return this.#db.prepare('SELECT 1 FROM current_batch WHERE region = ? AND batch_id = ? LIMIT 1').get(region, batchId) !== undefined;
    });
  }
}
