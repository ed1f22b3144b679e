// Pure: whether a school's counts are believable. Two levels, because the ministry's own
// data is not internally consistent: its seed table has 18 013 teachers in Sferum of 17 218
// teachers (Sferum counts every account with the teacher role — part-timers, staff of two
// schools — the staff list counts posts), so a count above the total it belongs to is a
// *warning* that names the row and the values, never a rejection. A count no real school
// reaches (9·10¹⁵ pupils, 10¹² teachers) is a typo or a broken export: a *row error*, with
// bounds from the settings (PLAUSIBLE_MAX_STUDENTS, PLAUSIBLE_MAX_TEACHERS). A share above
// 100 % built from such rows is not a result; evaluate.ts reports it `needs_review`.
import { z } from 'zod';
import type { SchoolCountField } from './schemas.ts';

/** Per school: the largest plausible count of pupils and of teachers (posts or accounts). */
export const PlausibilityBounds = z.object({
  // Russia's largest schools (education complexes of several buildings) have ~10 000 pupils
  maxStudents: z.number().int().positive().max(1_000_000_000),
  // and a few hundred teachers; 2 000 leaves room for the teacher accounts of a complex
  maxTeachers: z.number().int().positive().max(1_000_000_000),
});
export type PlausibilityBounds = z.infer<typeof PlausibilityBounds>;

export const DEFAULT_BOUNDS: PlausibilityBounds = { maxStudents: 20_000, maxTeachers: 2_000 };

/** Each count and the total it is a part of. */
export const PART_OF: Readonly<Partial<Record<SchoolCountField, SchoolCountField>>> = {
  teachers_in_sferum: 'teachers_total',
  students_in_sferum: 'students_total',
  teachers_chat_creators: 'teachers_total',
  teachers_msg3: 'teachers_total',
  teachers_msg10: 'teachers_total',
  teachers_calls: 'teachers_total',
};

const NOUN: Record<SchoolCountField, string> = {
  teachers_total: 'teachers',
  teachers_in_sferum: 'teachers in Sferum',
  students_total: 'pupils',
  students_in_sferum: 'pupils in Sferum',
  teachers_chat_creators: 'teachers who created a chat',
  teachers_msg3: 'teachers with ≥3 messages',
  teachers_msg10: 'teachers with ≥10 messages',
  teachers_calls: 'teachers with a call',
};

/** The hard bound of one count field for one school. */
export function boundOf(field: SchoolCountField, bounds: PlausibilityBounds): { value: number; setting: string } {
  return field.startsWith('students')
    ? { value: bounds.maxStudents, setting: 'PLAUSIBLE_MAX_STUDENTS' }
    : { value: bounds.maxTeachers, setting: 'PLAUSIBLE_MAX_TEACHERS' };
}

/** A count beyond its hard bound: the message of the row error, or null. */
export function beyondBound(field: SchoolCountField, value: number | null, bounds: PlausibilityBounds): string | null {
  if (value === null) return null;
  const b = boundOf(field, bounds);
  return value > b.value ? `${NOUN[field]} ${value} in one school is beyond the plausible ${b.value} (${b.setting}); check the cell` : null;
}

export type AboveTotal = { readonly field: SchoolCountField; readonly value: number; readonly total: SchoolCountField; readonly totalValue: number; readonly message: string };

/** Every count of a school (or a scope's sums) above the total it belongs to. */
export function countsAboveTotal(counts: Readonly<Record<SchoolCountField, number | null>>): AboveTotal[] {
  const out: AboveTotal[] = [];
  for (const [field, total] of Object.entries(PART_OF) as [SchoolCountField, SchoolCountField][]) {
    const value = counts[field];
    const totalValue = counts[total];
    if (value !== null && totalValue !== null && value > totalValue) {
      out.push({ field, value, total, totalValue, message: `${NOUN[field]} (${value}) exceed ${NOUN[total]} (${totalValue})` });
    }
  }
  return out;
}
