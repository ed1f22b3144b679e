// Unit: the table mapper's cross-row rules (totals rows, duplicates, branches) and its
// per-row errors, fed with raw cells as a reader would deliver them.
import { describe, expect, test } from 'vitest';
import { IssueCode } from '../../../shared/domain/errors.ts';
import type { CellValue } from '../../../shared/domain/cell.ts';
import type { MapperContext, RowOutcome } from '../../../shared/domain/table-mapper.ts';
import { inn, P1, withCheckDigit } from '../../support/builders.ts';
import { tableMapper } from '../../support/mapper.ts';

const SCHOOL_HEADERS = ['МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагогов всего', 'Педагогов в Сфере', 'Обучающихся всего', 'Обучающихся в Сфере'];

function mapper(headers = SCHOOL_HEADERS, fallbackPeriod: { start: string; end: string } | null = P1, extra: Partial<MapperContext> = {}) {
  return tableMapper(headers, { ...extra, fallbackPeriod });
}

const school = (o: { mouo?: string; name?: string; inn?: string; teachers?: CellValue; inSferum?: CellValue } = {}): CellValue[] => [
  o.mouo ?? 'Курский МО',
  o.name ?? 'МБОУ СОШ № 1',
  o.inn ?? inn(1),
  o.inSferum ?? 'да',
  'нет',
  o.teachers ?? 40,
  '41',
  '500',
  '400',
];

const kinds = (outcomes: RowOutcome[]) => outcomes.map((o) => o.type);

describe('createTableMapper', () => {
  test('maps a valid school row to a SchoolRow with the fallback period and key region', () => {
    const m = mapper();
    const out = m.accept(2, school({ teachers: '1 200' }));
    expect(out).toEqual({
      type: 'row',
      mapped: {
        kind: 'schools',
        row: expect.objectContaining({
          region: '26',
          period: { start: '2023-03-06', end: '2023-03-10' },
          municipality_id: 'kursky',
          school_inn: inn(1),
          school_kpp: null,
          in_sferum: true,
          admin_active: false,
          teachers_total: 1200,
          teachers_in_sferum: 41,
          teachers_msg3: null,
        }),
      },
    });
  });

  test('identical duplicates count once with a warning', () => {
    const m = mapper();
    const outcomes = [m.accept(2, school()), m.accept(3, school())];
    const summary = m.finish();
    expect(kinds(outcomes)).toEqual(['row', 'skipped']);
    expect(summary).toMatchObject({ accepted: 1, rejected: 0, skipped: 1 });
    expect(outcomes.some((o) => o.type === 'rejected' && o.withdraws)).toBe(false);
    expect(m.warnings.map((w) => [w.code, w.row])).toContainEqual([IssueCode.DuplicateIdentical, 3]);
  });

  test('conflicting duplicates reject both rows; the conflicting row withdraws the one already handed out', () => {
    const m = mapper();
    const outcomes = [m.accept(2, school({ teachers: 40 })), m.accept(3, school({ teachers: 41 })), m.accept(4, school({ teachers: 42 }))];
    const summary = m.finish();
    expect(kinds(outcomes)).toEqual(['row', 'rejected', 'rejected']);
    expect(summary.accepted).toBe(0);
    expect(summary.rejected).toBe(3);
    expect(outcomes.map((o) => (o.type === 'rejected' ? (o.withdraws ?? null) : null))).toEqual([
      null,
      { period: { start: '2023-03-06', end: '2023-03-10' }, schoolKey: `${inn(1)}#мбоу сош № 1`, counts: expect.any(Array) },
      null,
    ]);
    expect(m.errors.filter((e) => e.code === IssueCode.DuplicateConflict).map((e) => e.row)).toEqual([2, 3, 4]);
  });

  test('a row outside the upload scope is decided once: rejected, not remembered by the duplicate rule, not summed', () => {
    const m = mapper(SCHOOL_HEADERS, undefined, { scope: { region: '26', municipality: 'kursky' } });
    const outcomes = [
      m.accept(2, school({ mouo: 'Буденновский МО', inn: inn(2), teachers: 40 })),
      // the same school in scope later is a school of its own, not a conflict with the rejected row
      m.accept(3, school({ inn: inn(2), teachers: 41 })),
      m.accept(4, ['', 'Итого', '', '', '', '41', '41', '500', '400']),
    ];
    const summary = m.finish();
    expect(kinds(outcomes)).toEqual(['rejected', 'row', 'skipped']);
    expect(summary).toMatchObject({ accepted: 1, rejected: 1, skipped: 1 });
    expect(m.errors.map((e) => [e.code, e.row])).toEqual([[IssueCode.OutsideUploadScope, 2]]);
    expect(m.warnings.filter((w) => w.code === IssueCode.TotalsMismatch)).toEqual([]);
  });

  test('the file region is passed in and handed back: a second region ends the file', () => {
    const first = mapper(SCHOOL_HEADERS, undefined, { fileRegion: null });
    first.accept(2, school());
    expect(first.finish().region).toBe('26');
    const second = mapper(SCHOOL_HEADERS, undefined, { fileRegion: '77' });
    expect(second.accept(2, school())).toMatchObject({ type: 'file_error', issue: { code: IssueCode.UnknownRegion } });
  });

  test('the same INN under another name is a separate unit with a possible-branch warning', () => {
    const m = mapper();
    const outcomes = [m.accept(2, school({ name: 'МБОУ СОШ № 1' })), m.accept(3, school({ name: 'Филиал МБОУ СОШ № 1 в с. Полтавском' }))];
    expect(kinds(outcomes)).toEqual(['row', 'row']);
    expect(m.warnings.map((w) => w.code)).toContain(IssueCode.PossibleBranch);
  });

  test('with a KPP column the key is INN and KPP, so a branch needs no name difference', () => {
    const headers = [...SCHOOL_HEADERS, 'КПП'];
    const m = mapper(headers);
    const outcomes = [m.accept(2, [...school(), '263401001']), m.accept(3, [...school(), '263402001'])];
    expect(kinds(outcomes)).toEqual(['row', 'row']);
    expect(outcomes.map((o) => (o.type === 'row' && o.mapped.kind === 'schools' ? o.mapped.row.school_key : null))).toEqual([`${inn(1)}:263401001`, `${inn(1)}:263402001`]);
  });

  test('a totals row is skipped and checked against the computed sums', () => {
    const m = mapper();
    m.accept(2, school({ inn: inn(1), teachers: 40 }));
    m.accept(3, school({ inn: inn(2), name: 'Школа 2', teachers: 60 }));
    const totals = m.accept(4, ['', 'Итого', '', '', '', '99', '82', '1000', '800']);
    const summary = m.finish();
    expect(totals.type).toBe('skipped');
    expect(summary.skipped).toBe(1);
    const mismatch = m.warnings.filter((w) => w.code === IssueCode.TotalsMismatch);
    expect(mismatch.map((w) => [w.row, w.column, w.value])).toEqual([[4, 'Педагогов всего', '99']]);
  });

  test('each bad cell is its own error with row, column and value; the row is rejected', () => {
    const m = mapper();
    const out = m.accept(7, school({ mouo: 'Неизвестный район', inSferum: 'возможно', teachers: '12,5' }));
    expect(out.type).toBe('rejected');
    expect(m.errors.map((e) => [e.row, e.column, e.value, e.code])).toEqual([
      [7, 'МОУО', 'Неизвестный район', IssueCode.UnknownMunicipality],
      [7, 'В Сфере', 'возможно', IssueCode.BadYesNo],
      [7, 'Педагогов всего', '12,5', IssueCode.BadCount],
    ]);
  });

  test('a row without a period is an error only when the file name carries none', () => {
    const headers = ['Период', ...SCHOOL_HEADERS];
    const withFallback = mapper(headers);
    const without = mapper(headers, null);
    expect(withFallback.accept(2, ['', ...school()]).type).toBe('row');
    expect(without.accept(2, ['', ...school()]).type).toBe('rejected');
    expect(without.errors[0]).toMatchObject({ code: IssueCode.MissingValue, column: 'Период' });
    expect(without.accept(3, ['20.02-22.02.2023', ...school({ inn: inn(5) })])).toMatchObject({ type: 'row', mapped: { row: { period: { start: '2023-02-20', end: '2023-02-22' } } } });
  });

  test('teachers in Sferum above total and an INN from another region are warnings, not errors', () => {
    const m = mapper();
    const foreignInn = withCheckDigit(`07${inn(9).slice(2, 9)}`);
    expect(m.accept(2, school({ teachers: 10 })).type).toBe('row');
    expect(m.accept(3, school({ inn: foreignInn, name: 'Чужая', teachers: 50 })).type).toBe('row');
    expect(m.warnings.map((x) => [x.code, x.row])).toEqual([
      [IssueCode.TeachersInSferumAboveTotal, 2],
      [IssueCode.InnOutsideRegion, 3],
    ]);
  });

  test('a municipalities table yields municipality rows', () => {
    const headers = ['Период', 'МОУО', 'МОУО в Сфере', 'Активно'];
    const m = mapper(headers);
    expect(m.kind).toBe('municipalities');
    expect(m.accept(2, ['06.03-10.03.2023', 'город-курорт Пятигорск', 'Да', '0'])).toEqual({
      type: 'row',
      mapped: { kind: 'municipalities', row: { region: '26', period: { start: '2023-03-06', end: '2023-03-10' }, municipality_id: 'pyatigorsk', in_sferum: true, admin_active: false } },
    });
  });

  test('a withdrawn row leaves the totals check: the sums are those of the rows still accepted', () => {
    const m = mapper();
    m.accept(2, school({ inn: inn(1), teachers: 40 }));
    m.accept(3, school({ inn: inn(2), name: 'Школа 2', teachers: 60 }));
    const conflict = m.accept(4, school({ inn: inn(2), name: 'Школа 2', teachers: 61 }));
    m.accept(5, ['', 'Итого', '', '', '', '40', '41', '500', '400']);
    m.finish();
    expect(conflict).toMatchObject({ type: 'rejected', withdraws: { schoolKey: `${inn(2)}#школа 2` } });
    expect(m.warnings.filter((w) => w.code === IssueCode.TotalsMismatch)).toEqual([]);
  });

  test('rows of one period text get equal periods of their own, never one shared object', () => {
    const headers = [...SCHOOL_HEADERS, 'Период'];
    const m = mapper(headers, null);
    const rows = [m.accept(2, [...school({ inn: inn(1) }), '06.03-10.03.2023']), m.accept(3, [...school({ inn: inn(2), name: 'Школа 2' }), '06.03-10.03.2023'])].map((o) =>
      o.type === 'row' ? o.mapped.row : null,
    );
    expect(rows[0]!.period).toEqual({ start: '2023-03-06', end: '2023-03-10' });
    expect(rows[1]!.period).toEqual(rows[0]!.period);
    expect(rows[1]!.period).not.toBe(rows[0]!.period);
  });
});
