// Unit: the week's action list — who is on it (in Sferum with an inactive administrator,
// or not in Sferum), who is not (active schools), its order, the per-municipality counts,
// and its table (INN and KPP kept as text).
import { describe, expect, test } from 'vitest';
import { inactiveSchools, INACTIVE_REASON_RU } from '../../../shared/domain/inactive-schools.ts';
import { inactiveSchoolsTable } from '../../../shared/domain/report.ts';
import type { SchoolRow } from '../../../shared/domain/schemas.ts';
import { schoolRow } from '../../support/builders.ts';

const P = { start: '2023-04-03', end: '2023-04-07' };

function school(municipality_id: string, name: string, inn: string, in_sferum: boolean, admin_active: boolean, kpp: string | null = null): SchoolRow {
  return schoolRow({
    period: P, municipality_id, school_key: kpp ? `${inn}/${kpp}` : inn, school_inn: inn, school_kpp: kpp, school_name: name,
    in_sferum, admin_active, teachers_total: 10, teachers_in_sferum: 10, students_total: 100, students_in_sferum: 90,
    teachers_chat_creators: null, teachers_msg3: null, teachers_msg10: null,
  });
}

const NAMES: Record<string, string> = { budennovsky: 'Будённовский муниципальный округ', aleksandrovsky: 'Александровский муниципальный округ' };
const list = (schools: SchoolRow[]) => inactiveSchools({ period: P, schools, municipalityName: (id) => NAMES[id] });

describe('inactiveSchools', () => {
  test('lists schools in Sferum with an inactive administrator and schools not in Sferum, never active ones', () => {
    const r = list([
      school('aleksandrovsky', 'МКОУ СОШ № 1', '2601100003', true, true),
      school('aleksandrovsky', 'МКОУ СОШ № 2', '2601100010', true, false),
      school('aleksandrovsky', 'МКОУ СОШ № 3', '2601100027', false, false),
      // not in Sferum, whatever the administrator flag says
      school('aleksandrovsky', 'МКОУ СОШ № 4', '2601100034', false, true),
    ]);
    expect(r.schools.map((s) => [s.school_name, s.reason])).toEqual([
      ['МКОУ СОШ № 2', 'admin_inactive'],
      ['МКОУ СОШ № 3', 'not_in_sferum'],
      ['МКОУ СОШ № 4', 'not_in_sferum'],
    ]);
    expect(r.period).toEqual(P);
  });

  test('orders by municipality name (Russian collation), then reason, then school name', () => {
    const r = list([
      school('budennovsky', 'Б школа', '2624000001', true, false),
      school('aleksandrovsky', 'Я школа', '2601000002', true, false),
      school('aleksandrovsky', 'А школа', '2601000003', false, false),
      school('aleksandrovsky', 'Ё школа', '2601000004', true, false),
    ]);
    expect(r.schools.map((s) => `${s.municipality.name.split(' ')[0]} ${s.school_name}`)).toEqual([
      'Александровский Ё школа',
      'Александровский Я школа',
      'Александровский А школа',
      'Будённовский Б школа',
    ]);
    expect(r.municipalities).toEqual([
      { id: 'aleksandrovsky', name: NAMES['aleksandrovsky'], admin_inactive: 2, not_in_sferum: 1 },
      { id: 'budennovsky', name: NAMES['budennovsky'], admin_inactive: 1, not_in_sferum: 0 },
    ]);
  });

  test('a branch keeps its KPP; an unknown municipality id is kept under its id', () => {
    const r = list([school('unknown_mo', 'Филиал', '2601000005', true, false, '260101002')]);
    expect(r.schools[0]).toEqual({ municipality: { id: 'unknown_mo', name: 'unknown_mo' }, school_name: 'Филиал', school_inn: '2601000005', school_kpp: '260101002', reason: 'admin_inactive' });
  });

  test('the table has the municipality, the school, INN and KPP as text, and the reason in Russian', () => {
    const t = inactiveSchoolsTable(list([school('aleksandrovsky', '=HYPERLINK("x")', '0601000005', false, false), school('aleksandrovsky', 'Филиал', '0601000005', true, false, '060101002')]));
    expect(t.title).toBe('Неактивные ОО за 03.04-07.04.2023');
    expect(t.headers).toEqual(['МОУО', 'Наименование ОО', 'ИНН', 'КПП', 'Причина']);
    expect(t.rows.find((r) => r[1]!.kind === 'text' && r[1]!.value.startsWith('='))).toEqual([NAMES['aleksandrovsky'], '=HYPERLINK("x")', '0601000005', '', INACTIVE_REASON_RU.not_in_sferum].map((value) => ({ kind: 'text', value })));
    expect(t.rows.map((r) => (r[3] as { value: string }).value).sort()).toEqual(['', '060101002']);
  });

  test('without any КПП in the week\'s exports, the printed table has no КПП column; the CSV keeps its columns', () => {
    const schools = list([school('aleksandrovsky', 'МКОУ СОШ № 1', '0601000005', false, false)]);
    const printed = inactiveSchoolsTable(schools, { printed: true });
    expect(printed.headers).toEqual(['МОУО', 'Наименование ОО', 'ИНН', 'Причина']);
    expect(printed.rows[0]).toHaveLength(4);
    const csv = inactiveSchoolsTable(schools);
    expect(csv.headers).toEqual(['МОУО', 'Наименование ОО', 'ИНН', 'КПП', 'Причина']);
    expect(csv.rows[0]).toHaveLength(5);
  });
});
