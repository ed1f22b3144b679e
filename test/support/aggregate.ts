// Test helper: the seed's regional table as integer counts (the sample generator's own
// table, scripts/samples/model.ts, which the samples test holds to test/fixtures/seed-table.tsv)
// and builders of snapshot rows whose sums reproduce them, plus a sink that collects the
// aggregate stage's events.
import { MUNICIPALITIES, SEED as SEED_ROWS } from '../../scripts/samples/model.ts';
import type { NotificationEvent } from '../../shared/domain/events.ts';
import type { MunicipalityRow, Period, SchoolRow } from '../../shared/domain/schemas.ts';
import type { NotificationSink } from '../../shared/ports/notification-sink.ts';

export type SeedCounts = {
  period: Period;
  schools: number;
  schoolsIn: number;
  schoolsInactive: number;
  teachers: number;
  teachersIn: number;
  students: number;
  studentsIn: number;
  mouo: number;
  mouoIn: number;
  mouoInactive: number;
  chat: number;
  msg3: number;
  msg10: number | null;
};

/** The seed's seven periods. */
export const SEED: readonly SeedCounts[] = SEED_ROWS.map((s) => ({
  period: { start: s.start, end: s.end },
  schools: s.schools,
  schoolsIn: s.inSferum,
  schoolsInactive: s.inactive,
  teachers: s.teachers,
  teachersIn: s.teachersIn,
  students: s.students,
  studentsIn: s.studentsIn,
  mouo: MUNICIPALITIES.length,
  mouoIn: s.mouoIn,
  mouoInactive: s.mouoInactive,
  chat: s.chat,
  msg3: s.msg3,
  msg10: s.msg10,
}));

/** `total` split over `n` parts as evenly as integers allow (the first parts get the remainder). */
export function split(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  const rest = total - base * n;
  return Array.from({ length: n }, (_, i) => base + (i < rest ? 1 : 0));
}

/** Municipality ids for tests: `m01`…`mNN`. */
export function municipalityIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `m${String(i + 1).padStart(2, '0')}`);
}

/** School rows of one period whose sums equal the seed counts, spread over the municipalities. */
export function seedSchools(c: SeedCounts, municipalities: readonly string[], region = '26'): SchoolRow[] {
  const n = c.schools;
  const teachers = split(c.teachers, n);
  const teachersIn = split(c.teachersIn, n);
  const students = split(c.students, n);
  const studentsIn = split(c.studentsIn, n);
  const chat = split(c.chat, n);
  const msg3 = split(c.msg3, n);
  const msg10 = c.msg10 === null ? null : split(c.msg10, n);
  return Array.from({ length: n }, (_, i) => {
    const inn = `${region}${String(i + 1).padStart(8, '0')}`;
    const inSferum = i < c.schoolsIn;
    return {
      region,
      period: c.period,
      municipality_id: municipalities[i % municipalities.length]!,
      school_key: inn,
      school_inn: inn,
      school_kpp: null,
      school_name: `МБОУ СОШ № ${i + 1}`,
      in_sferum: inSferum,
      admin_active: !(inSferum && i < c.schoolsInactive),
      teachers_total: teachers[i]!,
      teachers_in_sferum: teachersIn[i]!,
      students_total: students[i]!,
      students_in_sferum: studentsIn[i]!,
      teachers_chat_creators: chat[i]!,
      teachers_msg3: msg3[i]!,
      teachers_msg10: msg10 ? msg10[i]! : null,
      teachers_calls: null,
    };
  });
}

/** Municipality rows of one period reproducing МОУО всего / в Сфере / не активно. */
export function seedMunicipalities(c: SeedCounts, municipalities: readonly string[], region = '26'): MunicipalityRow[] {
  return municipalities.slice(0, c.mouo).map((id, i) => {
    const inSferum = i < c.mouoIn;
    return { region, period: c.period, municipality_id: id, in_sferum: inSferum, admin_active: !(inSferum && i < c.mouoInactive) };
  });
}

export class CollectingSink implements NotificationSink {
  readonly events: NotificationEvent[] = [];
  async publish(events: readonly NotificationEvent[]): Promise<void> {
    this.events.push(...events);
  }
}
