// Unit: the header alias table (data) and the header mapper: every alias of the contract for
// both tables, exact matching after folding, kind detection, missing/unknown/duplicate
// columns, prototype-named headers, and mojibake detection against real CP1251 decoding.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import aliasesJson from '../../../../shared/domain/data/header-aliases.json' with { type: 'json' };
import { ConfigError } from '../../../../shared/domain/errors.ts';
import { createHeaderMapper, HeaderAliases, looksLikeMojibake } from '../../../../shared/domain/normalise/headers.ts';
import { CONTRACT_ALIASES } from '../../../support/contract-aliases.ts';

const aliases = HeaderAliases.parse(aliasesJson);
const mapHeaders = createHeaderMapper(aliases);


const SCHOOLS_HEADER = [
  'Период',
  'МОУО',
  'Наименование ОО',
  'ИНН',
  'КПП',
  'В Сфере',
  'Администратор активен',
  'Педагогов всего',
  'Педагогов в Сфере',
  'Обучающихся всего',
  'Обучающихся в Сфере',
  'Педагогов, создавших ≥1 чат',
  'Педагогов, написавших ≥3 сообщений за неделю',
  'Педагогов, написавших ≥10 сообщений за неделю',
  'Педагогов, совершивших ≥1 звонок за неделю',
];

/** What Excel shows after a UTF-8 file was read as Windows-1251 and saved again. */
const garble = (s: string) => new TextDecoder('windows-1251').decode(new TextEncoder().encode(s));

describe('HeaderAliases', () => {
  test('the shipped alias table is valid and covers every field', () => {
    const r = HeaderAliases.safeParse(aliasesJson);
    expect(r.success).toBe(true);
  });

  test('a table without aliases for some field is rejected', () => {
    const { region: _dropped, ...rest } = aliasesJson.fields;
    expect(HeaderAliases.safeParse({ fields: rest }).success).toBe(false);
  });

  test('an alias that folds onto another field’s alias is rejected with both fields named', () => {
    const clash = { fields: { ...aliasesJson.fields, in_sferum: [...aliasesJson.fields.in_sferum, 'педагогов  В СФЕРЕ'] } };
    const r = HeaderAliases.safeParse(clash);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual(['"Педагогов в Сфере" is an alias of both in_sferum and teachers_in_sferum']);
  });

  test('an alias that folds to nothing is rejected', () => {
    expect(HeaderAliases.safeParse({ fields: { ...aliasesJson.fields, region: ['≥'] } }).success).toBe(false);
  });

  test('createHeaderMapper refuses a contradictory table that skipped validation', () => {
    const clash = { fields: { ...aliases.fields, in_sferum: ['ИНН'] } };
    expect(() => createHeaderMapper(clash)).toThrow(ConfigError);
  });
});

describe('createHeaderMapper', () => {
  test.each(Object.entries(CONTRACT_ALIASES).flatMap(([field, list]) => list.map((alias) => [alias, field])))('the contract alias %j maps to %s', (alias, field) => {
    // Act
    const mapping = mapHeaders([alias]);
    // Assess
    expect(mapping.columns).toEqual([field]);
  });

  test('case, ё, NBSP, ≥ and dash variants of an alias map to the same field', () => {
    const variants = ['ОТЧЕТНЫЙ ПЕРИОД', 'педагогов\u00a0в  сфере', 'Педагогов, создавших 1 чат', 'Педагогов, создавших ≥ 1 чат', 'Общее кол–во педагогов', 'ИНН*'];
    expect(mapHeaders(variants).columns).toEqual(['period', 'teachers_in_sferum', 'teachers_chat_creators', 'teachers_chat_creators', 'teachers_total', 'school_inn']);
  });

  test('matching is exact, never by substring', () => {
    const mapping = mapHeaders(['Педагогов в Сфере', 'В Сфере всего', 'ИНН ОО (10 цифр)', 'Всего ОО']);
    expect(mapping.columns).toEqual(['teachers_in_sferum', null, null, null]);
  });

  test('a complete schools header is a schools table with nothing missing', () => {
    const mapping = mapHeaders(SCHOOLS_HEADER);
    expect(mapping).toEqual({
      kind: 'schools',
      columns: ['period', 'municipality', 'school_name', 'school_inn', 'school_kpp', 'in_sferum', 'admin_active', 'teachers_total', 'teachers_in_sferum', 'students_total', 'students_in_sferum', 'teachers_chat_creators', 'teachers_msg3', 'teachers_msg10', 'teachers_calls'],
      missing: [],
      unknown: [],
      duplicates: [],
      notes: [],
    });
  });

  test('a municipalities header is recognised from the municipality and a flag, without school columns', () => {
    expect(mapHeaders(['Неделя', 'МОУО', 'МОУО в Сфере', 'Активно'])).toMatchObject({ kind: 'municipalities', missing: [] });
    expect(mapHeaders(['Муниципалитет', 'Зарегистрировано в Сфере'])).toMatchObject({ kind: 'municipalities', missing: ['admin_active'] });
  });

  test('any school column makes a schools table, and its missing required columns are named', () => {
    const mapping = mapHeaders(['МОУО', 'В Сфере', 'Администратор активен', 'Педагогов всего']);
    expect(mapping.kind).toBe('schools');
    expect(mapping.missing).toEqual(['school_name', 'school_inn', 'teachers_in_sferum', 'students_total', 'students_in_sferum']);
  });

  test('period, region, KPP and the KPI counts are never missing', () => {
    const required = SCHOOLS_HEADER.filter((h) => !['Период', 'КПП'].includes(h) && !h.includes(','));
    expect(mapHeaders(required)).toMatchObject({ kind: 'schools', missing: [] });
  });

  test.each([[['Период', 'МОУО']], [['Регион', 'Период']], [['Фамилия', 'Имя']], [[]]])('%j is not a table of either kind', (headers) => {
    expect(mapHeaders(headers)).toMatchObject({ kind: null, missing: [] });
  });

  test('unknown headers are listed with their index and text; blank headers are not', () => {
    const mapping = mapHeaders(['МОУО', 'Примечание', '', '  ', 'В Сфере', 'Активна']);
    expect(mapping.unknown).toEqual([{ index: 1, header: 'Примечание' }]);
    expect(mapping.columns).toEqual(['municipality', null, null, null, 'in_sferum', 'admin_active']);
  });

  test('two headers for one field are a duplicate with both indexes', () => {
    const mapping = mapHeaders(['ИНН', 'Наименование ОО', 'ИНН ОО', 'В Сфере', 'ОО в Сфере']);
    expect(mapping.duplicates).toEqual([
      { field: 'school_inn', indexes: [0, 2] },
      { field: 'in_sferum', indexes: [3, 4] },
    ]);
  });

  test.each([['__proto__'], ['constructor'], ['prototype'], ['toString'], ['hasOwnProperty']])('a header named %j is simply unknown', (header) => {
    const mapping = mapHeaders([header, 'МОУО']);
    expect(mapping.columns).toEqual([null, 'municipality']);
    expect(mapping.unknown).toEqual([{ index: 0, header }]);
  });

  test('an alias an admin adds to the data maps without code changes', () => {
    const extended = HeaderAliases.parse({ ...aliasesJson, fields: { ...aliasesJson.fields, school_inn: [...aliasesJson.fields.school_inn, 'Идентификационный номер налогоплательщика'] } });
    expect(createHeaderMapper(extended)(['Идентификационный номер налогоплательщика']).columns).toEqual(['school_inn']);
    expect(mapHeaders(['Идентификационный номер налогоплательщика']).columns).toEqual([null]);
  });

  test('any header row maps one column per header and lists each header once at most', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom(...SCHOOLS_HEADER))), (headers) => {
        const m = mapHeaders(headers);
        const listed = [...m.unknown.map((u) => u.index), ...m.columns.flatMap((c, i) => (c === null ? [] : [i]))];
        expect(m.columns).toHaveLength(headers.length);
        expect(new Set(listed).size).toBe(listed.length);
      }),
    );
  });
});

describe('looksLikeMojibake', () => {
  test('the contract headers garbled through Windows-1251 are recognised', () => {
    // Prepare
    const garbled = SCHOOLS_HEADER.map(garble);
    // Act, Assess
    expect(garbled[7]).toBe('РџРµРґР°РіРѕРіРѕРІ РІСЃРµРіРѕ');
    expect(looksLikeMojibake(garbled)).toBe(true);
  });

  test('proper headers, including ones full of Р and С, are not mojibake', () => {
    expect(looksLikeMojibake(SCHOOLS_HEADER)).toBe(false);
    expect(looksLikeMojibake(['Субъект РФ', 'СОШ', 'Сфера', 'РОО', 'СПО'])).toBe(false);
    expect(looksLikeMojibake(['INN', 'KPP', 'School'])).toBe(false);
    expect(looksLikeMojibake([])).toBe(false);
  });

  test('any Russian header row is not mojibake, and the same row garbled is', () => {
    const russian = fc.string({ unit: fc.constantFrom(...'абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ'), minLength: 3, maxLength: 20 });
    fc.assert(
      fc.property(fc.array(russian, { minLength: 1, maxLength: 8 }), fc.array(fc.constantFrom('ИНН', '№', '1', ', ', ' '), { maxLength: 3 }), (headers, extras) => {
        const row = [...headers, ...extras];
        expect(looksLikeMojibake(row)).toBe(false);
        expect(looksLikeMojibake(row.map(garble))).toBe(true);
      }),
    );
  });

  test('Latin look-alikes inside a Cyrillic header match after folding, with a note naming the header', () => {
    const latin = 'Пeдагогов, написавших ≥3 сooбщений за неделю'; // Latin e, o, o
    const m = mapHeaders(['Период', 'ИНН', latin, 'Педагогов всего']);
    expect(m.columns).toEqual(['period', 'school_inn', 'teachers_msg3', 'teachers_total']);
    expect(m.notes).toEqual([{ index: 2, header: latin, field: 'teachers_msg3', code: 'homoglyph' }]);
    expect(m.unknown).toEqual([]);
  });

  test('a header that matches as written carries no note; a Latin word stays unknown', () => {
    const m = mapHeaders(['ИНН', 'Comments']);
    expect(m.notes).toEqual([]);
    expect(m.unknown).toEqual([{ index: 1, header: 'Comments' }]);
  });
});
