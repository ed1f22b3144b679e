// Unit: where a table's header is — below title rows, over one row or two.
import { describe, expect, test } from 'vitest';
import { combineHeaderRows, locateHeader } from '../../../../shared/domain/normalise/header-row.ts';
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
});
