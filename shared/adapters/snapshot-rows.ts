// Adapter support: the flat record of a snapshot row and of a current-batch pointer, shared
// by every store adapter (SQLite and YDB tables have the same columns). Adapters convert only what their driver needs
// (SQLite has no boolean type; YDB wraps values in typed protobufs).
import type { MunicipalityRow, SchoolRow } from '../domain/schemas.ts';
import { unitKey, type PointerFlip, type UnitContent, type UnitPointer } from '../domain/store-rules/commit-plan.ts';
import type { BatchCommit } from '../ports/snapshot-store.ts';

// Both directions list the fields one by one: they run once per school row on the ingest
// and aggregate paths, and a copy driven by a field list was ten times slower per row.
export function schoolRecord(batchId: string, r: SchoolRow) {
  return {
    region: r.region,
    period_start: r.period.start,
    period_end: r.period.end,
    batch_id: batchId,
    municipality_id: r.municipality_id,
    school_key: r.school_key,
    school_inn: r.school_inn,
    school_kpp: r.school_kpp,
    school_name: r.school_name,
    in_sferum: r.in_sferum,
    admin_active: r.admin_active,
    teachers_total: r.teachers_total,
    teachers_in_sferum: r.teachers_in_sferum,
    students_total: r.students_total,
    students_in_sferum: r.students_in_sferum,
    teachers_chat_creators: r.teachers_chat_creators,
    teachers_msg3: r.teachers_msg3,
    teachers_msg10: r.teachers_msg10,
    teachers_calls: r.teachers_calls,
  };
}
export type SchoolRecord = ReturnType<typeof schoolRecord>;

/** A stored flag: YDB returns a Bool, SQLite (no boolean type) an integer 0 or 1. */
type StoredFlags<T> = Omit<T, 'in_sferum' | 'admin_active'> & { in_sferum: boolean | number; admin_active: boolean | number };
const flag = (v: boolean | number) => v === true || v === 1;

export function schoolFromRecord(r: StoredFlags<Omit<SchoolRecord, 'batch_id'>>): SchoolRow {
  return {
    region: r.region,
    period: { start: r.period_start, end: r.period_end },
    municipality_id: r.municipality_id,
    school_key: r.school_key,
    school_inn: r.school_inn,
    school_kpp: r.school_kpp,
    school_name: r.school_name,
    in_sferum: flag(r.in_sferum),
    admin_active: flag(r.admin_active),
    teachers_total: r.teachers_total,
    teachers_in_sferum: r.teachers_in_sferum,
    students_total: r.students_total,
    students_in_sferum: r.students_in_sferum,
    teachers_chat_creators: r.teachers_chat_creators,
    teachers_msg3: r.teachers_msg3,
    teachers_msg10: r.teachers_msg10,
    teachers_calls: r.teachers_calls,
  };
}

export function municipalityRecord(batchId: string, r: MunicipalityRow) {
  return { region: r.region, period_start: r.period.start, period_end: r.period.end, batch_id: batchId, municipality_id: r.municipality_id, in_sferum: r.in_sferum, admin_active: r.admin_active };
}
export type MunicipalityRecord = ReturnType<typeof municipalityRecord>;

export function municipalityFromRecord(r: StoredFlags<Omit<MunicipalityRecord, 'batch_id'>>): MunicipalityRow {
  return { region: r.region, period: { start: r.period_start, end: r.period_end }, municipality_id: r.municipality_id, in_sferum: flag(r.in_sferum), admin_active: flag(r.admin_active) };
}

/** The current-batch pointer row a planned flip writes (both stores' `current_batch` columns). */
export function pointerRecord(commit: BatchCommit, flip: PointerFlip) {
  return {
    region: commit.region,
    period_start: flip.unit.period.start,
    period_end: flip.unit.period.end,
    kind: flip.unit.kind,
    municipality_id: flip.unit.municipalityId,
    batch_id: commit.batchId,
    upload_id: commit.uploadId,
    source_modified_ms: commit.source.lastModifiedMs,
    source_sequence: commit.source.sequence,
    version: flip.version,
  };
}
export type PointerRecord = ReturnType<typeof pointerRecord>;

/** What `planCommit` needs of a stored pointer row. */
export function pointerFromRecord(r: Pick<PointerRecord, 'batch_id' | 'source_modified_ms' | 'source_sequence' | 'version'>): UnitPointer {
  return { batchId: r.batch_id, source: { lastModifiedMs: r.source_modified_ms, sequence: r.source_sequence }, version: r.version };
}

/**
 * The content row kept beside a flipped pointer (`snapshot_unit_summary`, keyed as the
 * pointer), for each flip whose unit the commit carries a content for; null otherwise.
 */
export function summaryRecords(commit: BatchCommit, flips: readonly PointerFlip[]) {
  const contents = new Map((commit.contents?.units ?? []).map((c): [string, UnitContent] => [unitKey(c.unit), c]));
  return flips.flatMap((f) => {
    const c = contents.get(unitKey(f.unit));
    if (!c || !commit.contents) return [];
    return [{
      region: commit.region,
      period_start: f.unit.period.start,
      period_end: f.unit.period.end,
      kind: f.unit.kind,
      municipality_id: f.unit.municipalityId,
      batch_id: commit.batchId,
      row_count: c.figures.schools,
      teachers_total: c.figures.teachers,
      students_total: c.figures.students,
      fingerprint: c.fingerprint,
      received_at_ms: commit.contents.receivedAtMs,
    }];
  });
}
export type SummaryRecord = ReturnType<typeof summaryRecords>[number];

/**
 * A pointer row with its upload and the content row stored beside it, as `decideCommit`
 * reads them: a content row of another batch (the pointer flipped without one) is none.
 */
export function heldPointer(p: Pick<PointerRecord, 'batch_id' | 'upload_id' | 'source_modified_ms' | 'source_sequence' | 'version'>, s: Omit<SummaryRecord, 'region' | 'period_start' | 'period_end' | 'kind' | 'municipality_id'> | undefined): UnitPointer {
  const content =
    s && s.batch_id === p.batch_id
      ? { figures: { schools: s.row_count, teachers: s.teachers_total, students: s.students_total }, fingerprint: s.fingerprint, receivedAtMs: s.received_at_ms }
      : null;
  return { ...pointerFromRecord(p), uploadId: p.upload_id, content };
}
