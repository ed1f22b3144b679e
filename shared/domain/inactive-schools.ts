// Pure: the ministry's action list for one week — the schools a municipality has to be
// chased about. A school in Sferum whose administrator is not active is the seed's "Школ
// не активно в Сфере" ("администратор не зашел на платформу, не провел работы по созданию
// структуры организации"); a school not in Sferum misses the 100 % registration target.
// Both are listed by municipality with the INN, so a letter can name each one.
import { z } from 'zod';
import type { ReportTable } from './report.ts';
import { Period, periodLabel, type SchoolRow } from './schemas.ts';

export const InactiveReason = z.enum(['admin_inactive', 'not_in_sferum']);
export type InactiveReason = z.infer<typeof InactiveReason>;

/** The reason as the list prints it; the first is the seed's own footnote. */
export const INACTIVE_REASON_RU: Readonly<Record<InactiveReason, string>> = {
  admin_inactive: 'администратор не зашел на платформу',
  not_in_sferum: 'не зарегистрирована в Сфере',
};

export const InactiveSchool = z.object({
  municipality: z.object({ id: z.string(), name: z.string() }),
  school_name: z.string(),
  school_inn: z.string(),
  school_kpp: z.string().nullable(),
  reason: InactiveReason,
});
export type InactiveSchool = z.infer<typeof InactiveSchool>;

export const InactiveSchoolsList = z.object({
  period: Period,
  schools: z.array(InactiveSchool),
  /** per municipality with at least one listed school, in list order */
  municipalities: z.array(z.object({ id: z.string(), name: z.string(), admin_inactive: z.number().int(), not_in_sferum: z.number().int() })),
});
export type InactiveSchoolsList = z.infer<typeof InactiveSchoolsList>;

/**
 * The week's list: every school in Sferum with an inactive administrator and every school
 * not in Sferum, ordered by municipality name, then reason (inactive administrators first,
 * the seed's column), then school name and INN. A municipality id missing from the
 * reference keeps its id as its name rather than dropping its schools.
 */
export function inactiveSchools(input: {
  readonly period: Period;
  readonly schools: readonly SchoolRow[];
  readonly municipalityName: (id: string) => string | undefined;
}): InactiveSchoolsList {
  const ru = (a: string, b: string) => a.localeCompare(b, 'ru');
  const order = InactiveReason.options;
  const schools = input.schools
    .flatMap((s): InactiveSchool[] => {
      const reason: InactiveReason | null = !s.in_sferum ? 'not_in_sferum' : !s.admin_active ? 'admin_inactive' : null;
      if (reason === null) return [];
      const name = input.municipalityName(s.municipality_id) ?? s.municipality_id;
      return [{ municipality: { id: s.municipality_id, name }, school_name: s.school_name, school_inn: s.school_inn, school_kpp: s.school_kpp, reason }];
    })
    .sort(
      (a, b) =>
        ru(a.municipality.name, b.municipality.name) ||
        order.indexOf(a.reason) - order.indexOf(b.reason) ||
        ru(a.school_name, b.school_name) ||
        ru(a.school_inn, b.school_inn) ||
        ru(a.school_kpp ?? '', b.school_kpp ?? ''),
    );
  const municipalities: InactiveSchoolsList['municipalities'] = [];
  for (const s of schools) {
    let m = municipalities.at(-1);
    if (m?.id !== s.municipality.id) municipalities.push((m = { id: s.municipality.id, name: s.municipality.name, admin_inactive: 0, not_in_sferum: 0 }));
    m[s.reason]++;
  }
  return { period: input.period, schools, municipalities };
}

export const INACTIVE_SCHOOLS_TITLE = 'Неактивные ОО';

/** The list as a report table (CSV, the workbook's third sheet): text cells, the INN kept as text. */
export function inactiveSchoolsTable(list: InactiveSchoolsList): ReportTable {
  return {
    title: `${INACTIVE_SCHOOLS_TITLE} за ${periodLabel(list.period)}`,
    headers: ['МОУО', 'Наименование ОО', 'ИНН', 'КПП', 'Причина'],
    rows: list.schools.map((s) =>
      [s.municipality.name, s.school_name, s.school_inn, s.school_kpp ?? '', INACTIVE_REASON_RU[s.reason]].map((value) => ({ kind: 'text' as const, value })),
    ),
  };
}
