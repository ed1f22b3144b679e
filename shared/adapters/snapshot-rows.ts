// Adapter support: the flat record of a snapshot row, shared by every store adapter (SQLite
// and YDB tables have the same columns). Adapters convert only what their driver needs
// (SQLite has no boolean type; YDB wraps values in typed protobufs).
import type { MunicipalityRow, SchoolRow } from '../domain/schemas.ts';

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
