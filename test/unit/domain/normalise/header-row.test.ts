// Unit: where a table's header is — below title rows, over one row or two.
import { describe, expect, test } from 'vitest';
import { combineHeaderRows, isUnitsRow, locateHeader } from '../../../../shared/domain/normalise/header-row.ts';
import { buildReference } from '../../../../shared/runtime/reference.ts';

const { mapHeaders } = buildReference();
const HEADER = ['МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагогов всего', 'Педагогов в Сфере', 'Обучающихся всего', 'Обучающихся в Сфере'];
const DATA = ['Курский МО', 'Школа', '2634000011', 'да', 'да', '10', '10', '100', '90'];

describe('combineHeaderRows', () => {
  test('a group cell spans the empty cells after it; a column without a sub-header keeps its own cell', () => {
    expect(combineHeaderRows(['№', 'ИНН', 'Педагоги', '', 'Обучающиеся', ''], ['', '', 'всего', 'в Сфере', 'всего', 'в Сфере'])).toEqual(['№', 'ИНН', 'Педагоги всего', 'Педагоги в Сфере', 'Обучающиеся всего', 'Обучающиеся в Сфере']);
  });

  test('a cell repeated in both rows (merged down) is taken once; an empty column ends a group', () => {
    expect(combineHeaderRows(['МОУО', 'Педагоги', '', '', 'ИНН'], ['МОУО', 'всего', '', 'прочее', ''])).toEqual(['МОУО', 'Педагоги всего', '', 'прочее', 'ИНН']);
  });
});

describe('locateHeader', () => {
  test('the header below title rows is the row that maps the most fields', () => {
    const found = locateHeader([['Активность ОО'], ['Период: 20.02.2023 – 22.02.2023'], HEADER, DATA], mapHeaders);
    expect(found).toMatchObject({ index: 2, height: 1, headers: HEADER });
  });

  test('a header row followed by data is one row, never combined with its first data row', () => {
    expect(locateHeader([HEADER, DATA, DATA], mapHeaders)).toMatchObject({ index: 0, height: 1 });
  });

  test('a group row over a sub-header row is one header of two rows', () => {
    const top = ['МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагоги', '', 'Обучающиеся', ''];
    const sub = ['', '', '', '', '', 'всего', 'в Сфере', 'всего', 'в Сфере'];
    const found = locateHeader([['Заголовок'], top, sub, DATA], mapHeaders);
    expect(found).toMatchObject({ index: 1, height: 2 });
    expect(found.mapping.missing).toEqual([]);
  });

  test('two rows mapping equally many fields, or none mapping any: the first row, as before', () => {
    expect(locateHeader([['Заголовок'], HEADER, DATA, HEADER], mapHeaders)).toMatchObject({ index: 0, height: 1, headers: ['Заголовок'] });
    expect(locateHeader([['a', 'b'], ['c', 'd']], mapHeaders)).toMatchObject({ index: 0, headers: ['a', 'b'] });
  });

  test('only the first 30 rows are searched', () => {
    const titles = Array.from({ length: 30 }, (_, i) => [`строка ${i}`]);
    expect(locateHeader([...titles, HEADER], mapHeaders)).toMatchObject({ index: 0 });
    expect(locateHeader([...titles.slice(1), HEADER], mapHeaders)).toMatchObject({ index: 29 });
  });

  test('three rows — groups, sub-headers, a units row — are one header; the units row is never data', () => {
    const groups = ['Период', '', 'МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагоги', 'Педагоги', 'Обучающиеся', 'Обучающиеся'];
    const subs = ['с', 'по', '', '', '', '', '', 'всего', 'в Сфере', 'всего', 'в Сфере'];
    const units = ['', '', '', '', '', '', '', 'чел.', 'чел.', '(чел.)', 'чел'];
    const found = locateHeader([['Активность ОО'], groups, subs, units, ['23.02.2023', '03.03.2023', ...DATA]], mapHeaders);
    expect(found).toMatchObject({ index: 1, height: 3 });
    expect(found.mapping.columns).toEqual(['period_start', 'period_end', 'municipality', 'school_name', 'school_inn', 'in_sferum', 'admin_active', 'teachers_total', 'teachers_in_sferum', 'students_total', 'students_in_sferum']);
    expect(found.mapping.notes.map((n) => [n.index, n.header, n.code])).toEqual([
      [7, 'Педагоги всего', 'combined'],
      [8, 'Педагоги в Сфере', 'combined'],
      [9, 'Обучающиеся всего', 'combined'],
      [10, 'Обучающиеся в Сфере', 'combined'],
    ]);
  });

  test('a group label glued before full KPI headers is dropped: the sub-headers map alone, with no note', () => {
    const top = [...HEADER, 'Активность педагогов за неделю', 'Активность педагогов за неделю', '', ''];
    const sub = [...HEADER.map(() => ''), 'Педагогов, создавших ≥1 чат', 'Педагогов, написавших ≥3 сообщений за неделю', 'Педагогов, написавших ≥10 сообщений за неделю', 'Педагогов, совершивших ≥1 звонок за неделю'];
    const found = locateHeader([top, sub, [...DATA, '1', '2', '3', '4']], mapHeaders);
    expect(found).toMatchObject({ index: 0, height: 2 });
    expect(found.mapping.columns.slice(-4)).toEqual(['teachers_chat_creators', 'teachers_msg3', 'teachers_msg10', 'teachers_calls']);
    expect(found.mapping.notes).toEqual([]);
  });

  test('a title row above a complete header is no part of it, however the rows combine', () => {
    expect(locateHeader([['Отчёт'], ['за неделю'], HEADER, DATA], mapHeaders)).toMatchObject({ index: 2, height: 1 });
  });
});

describe('isUnitsRow', () => {
  test.each([[['', 'чел.', '%']], [['ед.', 'шт.']], [['(чел.)', '']]])('%j is a units row', (row) => expect(isUnitsRow(row)).toBe(true));
  test.each([[['', '', '']], [['чел.', '17']], [['всего', 'чел.']]])('%j is not', (row) => expect(isUnitsRow(row)).toBe(false));
});
