// Unit: municipality matching against the shipped reference list of region 26. Expected
// ids and the genitive forms come from tables written here, not from the matcher's rules.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ConfigError, IssueCode } from '../../../../shared/domain/errors.ts';
import { createMunicipalityMatcher, MunicipalityReference } from '../../../../shared/domain/normalise/municipality.ts';
import reference from '../../../../shared/domain/data/municipalities-26.json' with { type: 'json' };
import { assertTotal, outcome, textOf } from './cells.ts';

const ref = MunicipalityReference.parse(reference);
const match = createMunicipalityMatcher(ref);
/** The matched id, or `{ fail: code }`. */
function idOf(raw: string): string | { fail: string } {
  const r = match(raw);
  return r.ok ? r.value.id : { fail: r.code };
}

/** Each municipality's distinctive word in the genitive, as in «администрации … округа». */
const GENITIVE: Record<string, string> = {
  aleksandrovsky: 'Александровского',
  andropovsky: 'Андроповского',
  apanasenkovsky: 'Апанасенковского',
  arzgirsky: 'Арзгирского',
  blagodarnensky: 'Благодарненского',
  budennovsky: 'Будённовского',
  georgievsky: 'Георгиевского',
  grachevsky: 'Грачёвского',
  izobilnensky: 'Изобильненского',
  ipatovsky: 'Ипатовского',
  kirovsky: 'Кировского',
  kochubeevsky: 'Кочубеевского',
  krasnogvardeysky: 'Красногвардейского',
  kursky: 'Курского',
  levokumsky: 'Левокумского',
  mineralovodsky: 'Минераловодского',
  neftekumsky: 'Нефтекумского',
  novoaleksandrovsky: 'Новоалександровского',
  novoselitsky: 'Новоселицкого',
  petrovsky: 'Петровского',
  predgorny: 'Предгорного',
  sovetsky: 'Советского',
  stepnovsky: 'Степновского',
  trunovsky: 'Труновского',
  turkmensky: 'Туркменского',
  shpakovsky: 'Шпаковского',
  stavropol: 'Ставрополя',
  essentuki: 'Ессентуков',
  zheleznovodsk: 'Железноводска',
  kislovodsk: 'Кисловодска',
  lermontov: 'Лермонтова',
  nevinnomyssk: 'Невинномысска',
  pyatigorsk: 'Пятигорска',
};

/** How an education authority is named, by the kind of municipality. */
function authorityName(id: string, name: string): string {
  const gen = GENITIVE[id]!;
  if (name.startsWith('город-курорт')) return `Управление образования администрации города-курорта ${gen}`;
  if (name.startsWith('город')) return `комитет образования администрации города ${gen}`;
  return `Управление образования администрации ${gen} муниципального округа Ставропольского края`;
}

const adjectiveOf = (name: string) => name.split(' ')[0]!;
const districts = ref.municipalities.filter((m) => m.name.endsWith('муниципальный округ'));
const cities = ref.municipalities.filter((m) => !m.name.endsWith('муниципальный округ'));

describe('MunicipalityReference', () => {
  test('the shipped region-26 file is valid and lists 33 municipalities with distinct ids', () => {
    expect(ref.region.code).toBe('26');
    expect(new Set(ref.municipalities.map((m) => m.id)).size).toBe(33);
  });

  test('a file that reuses an id is rejected', () => {
    const twice = { ...reference, municipalities: [...reference.municipalities, reference.municipalities[0]] };
    expect(MunicipalityReference.safeParse(twice).success).toBe(false);
  });

  test('a region code that is not two digits is rejected', () => {
    expect(MunicipalityReference.safeParse({ ...reference, region: { ...reference.region, code: '260' } }).success).toBe(false);
  });
});

describe('createMunicipalityMatcher', () => {
  test('every one of the 33 reference names resolves to its own id, so no two names collide', () => {
    // Act
    const ids = ref.municipalities.map((m) => idOf(m.name));
    // Assess
    expect(ids).toEqual(ref.municipalities.map((m) => m.id));
  });

  test('every authority name in the genitive resolves to its own id, so no two stems collide', () => {
    const ids = ref.municipalities.map((m) => idOf(authorityName(m.id, m.name)));
    expect(ids).toEqual(ref.municipalities.map((m) => m.id));
  });

  test('the returned name is the reference name', () => {
    expect(match('Буденновский МО')).toEqual({ ok: true, value: { id: 'budennovsky', name: 'Будённовский муниципальный округ' } });
  });

  test.each([
    'Буденновский МО',
    'Будённовский муниципальный округ',
    'Буденновский район',
    'Буденновский муниципальный район',
    'БУДЕННОВСКИЙ р-н',
    'Будённовский р-н.',
    'Буденновский городской округ',
    'Буденновский ГО',
    'МО Буденновский',
    'Буденновский МО СК',
    'Будённовский муниципальный округ Ставропольского края',
    '  буденновский\u00a0муниципальный  округ ',
    'Буденновского района',
    'Управление образования администрации Будённовского муниципального округа',
  ])('%j is Будённовский', (raw) => {
    expect(idOf(raw)).toBe('budennovsky');
  });

  test.each([
    ['г. Ставрополь', 'stavropol'],
    ['г.Ставрополь', 'stavropol'],
    ['город Ставрополь', 'stavropol'],
    ['Ставрополь', 'stavropol'],
    ['городской округ город Ставрополь', 'stavropol'],
    ['комитет образования администрации города Ставрополя', 'stavropol'],
    ['г.-к. Кисловодск', 'kislovodsk'],
    ['г-к Кисловодск', 'kislovodsk'],
    ['город-курорт Пятигорск', 'pyatigorsk'],
    ['Управление образования администрации города-курорта Пятигорска', 'pyatigorsk'],
    ['ГО город-курорт Ессентуки', 'essentuki'],
    ['Грачевский МО', 'grachevsky'],
    ['Изобильненский городской округ', 'izobilnensky'],
    ['Управление образования администрации Изобильненского муниципального округа', 'izobilnensky'],
    ['Отдел образования администрации Предгорного муниципального округа Ставропольского края', 'predgorny'],
  ])('%j is %s', (raw, id) => {
    expect(idOf(raw)).toBe(id);
  });

  test('any designators around a district name still find it', () => {
    const designators = ['муниципальный', 'округ', 'МО', 'ГО', 'район', 'р-н', 'городской', 'Ставропольского края', 'СК', 'муниципального округа'];
    fc.assert(
      fc.property(fc.constantFrom(...districts), fc.subarray(designators), fc.subarray(designators), (m, before, after) => {
        const raw = [...before, adjectiveOf(m.name), ...after].join(' ');
        expect(idOf(raw)).toBe(m.id);
      }),
    );
  });

  test('ё and е, and any letter case, do not matter', () => {
    for (const m of ref.municipalities) {
      const variants = [m.name.replaceAll('ё', 'е'), m.name.toUpperCase(), m.name.toLowerCase()];
      expect(variants.map(idOf)).toEqual([m.id, m.id, m.id]);
    }
  });

  test('city names take г., город and no designator alike', () => {
    for (const m of cities) {
      const bare = m.name.split(' ').at(-1)!;
      expect([bare, `г. ${bare}`, `город ${bare}`].map(idOf)).toEqual([m.id, m.id, m.id]);
    }
  });

  test('an unknown name is a row error naming the value, never a new municipality', () => {
    const r = match('Неизвестный район');
    expect(r).toMatchObject({ ok: false, code: IssueCode.UnknownMunicipality });
    expect(r.ok ? '' : r.message).toContain('"Неизвестный район"');
  });

  test.each([['Ставропольский край'], ['Ставропольский'], ['Ставропольского края'], ['Москва'], ['район'], ['МО'], ['Будённовский филиал'], ['Курская область']])(
    '%j is not a municipality of the region',
    (raw) => {
      expect(idOf(raw)).toEqual({ fail: IssueCode.UnknownMunicipality });
    },
  );

  test('a text that names two municipalities picks neither', () => {
    const r = match('Кировский район города Ставрополя');
    expect(r).toMatchObject({ ok: false, code: IssueCode.UnknownMunicipality });
    expect(r.ok ? '' : r.message).toContain('Кировский муниципальный округ');
  });

  test('every centre-city name is unknown while it is not an alias in the data file', () => {
    const centres = ref.municipalities.flatMap((m) => (m.centre ? [m.centre] : []));
    expect(centres.length).toBe(26);
    expect(centres.filter((c) => match(c).ok)).toEqual([]);
  });

  test('a centre-city name an admin adds to aliases resolves to its municipality', () => {
    // Prepare: every district gets its centre as an alias, as an admin would add it
    const withAliases = createMunicipalityMatcher({ ...ref, municipalities: ref.municipalities.map((m) => (m.centre ? { ...m, aliases: [m.centre] } : m)) });
    // Act
    const centres = districts.map((m) => outcome(withAliases(m.centre!)));
    // Assess
    expect(centres).toEqual(districts.map((m) => ({ id: m.id, name: m.name })));
    expect(outcome(withAliases('г. Михайловск'))).toMatchObject({ id: 'shpakovsky' });
    expect(ref.municipalities.map((m) => outcome(withAliases(m.name)))).toEqual(ref.municipalities.map((m) => ({ id: m.id, name: m.name })));
  });

  test('one alias for two municipalities is a configuration error', () => {
    const contradictory = { ...ref, municipalities: ref.municipalities.map((m) => ({ ...m, aliases: ['Михайловск'] })) };
    expect(() => createMunicipalityMatcher(contradictory)).toThrow(ConfigError);
  });

  test.each([[''], ['   '], [null]])('%j is a missing value', (raw) => {
    expect(outcome(match(raw))).toEqual({ fail: IssueCode.MissingValue });
  });

  test.each([[26], [true], [new Date(2023, 2, 6)]])('a %j cell is not a municipality name', (raw) => {
    expect(outcome(match(raw))).toEqual({ fail: IssueCode.UnknownMunicipality });
  });

  test('answers stay right after more distinct values than the matcher remembers', () => {
    for (let i = 0; i < 5000; i++) match(`Район ${i}`);
    expect(idOf('Буденновский МО')).toBe('budennovsky');
    expect(idOf('Район 1')).toEqual({ fail: IssueCode.UnknownMunicipality });
  });

  test('never throws on any cell or mix of name and designator words, and fails only with a known code', () => {
    assertTotal(match);
    const wordsOfNames = [...new Set(ref.municipalities.flatMap((m) => m.name.split(' ')))];
    assertTotal(
      match,
      fc.array(fc.constantFrom(...wordsOfNames, 'г.', 'р-н', 'МО', 'Ставропольского', 'края', 'администрации', '.', '-'), { maxLength: 6 }).map((ws) => ws.join(' ')),
    );
    assertTotal(match, textOf(['г', '.', '-', 'к', ' ', 'а', 'о', 'р', 'н']));
  });
});
