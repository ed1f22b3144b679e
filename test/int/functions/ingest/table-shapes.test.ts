// Integration: exports shaped as ministries and admin panels make them — a title and a
// period line above the header, a header over two rows, a numbering column, notes sheets,
// formulas and error cells — ingested through the real handler, s3rver and SQLite. Every
// fixture is generated here.
import { describe, expect, test } from 'vitest';
import { IssueCode } from '../../../../shared/domain/errors.ts';
import { UploadReport } from '../../../../shared/domain/schemas.ts';
import { inn } from '../../../support/builders.ts';
import { ingestFile } from '../../../support/ingest-file.ts';
import { startIngestEnv, type IngestEnv } from '../../../support/ingest-env.ts';
import { workbook } from '../../../support/xlsx-fixtures.ts';

const TITLE = 'Активность образовательных организаций Ставропольского края в «Сферум»';
const GROUPS = ['№ п/п', 'Муниципальное образование', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагоги', '', 'Обучающиеся', ''];
const SUBS = ['', '', '', '', '', '', 'всего', 'в Сфере', 'всего', 'в Сфере'];
const SCHOOLS = [
  [1, 'Александровский МО', 'МБОУ СОШ № 1', inn(1), 'да', 'да', 40, 38, 500, 410],
  [2, 'Курский МО', 'МБОУ СОШ № 2', inn(2), 'да', 'нет', 30, 20, 300, 200],
];
const TOTALS = ['', 'Итого', '', '', '', '', 70, 58, 800, 610];

const ingest = async (env: IngestEnv, key: string, body: Uint8Array | string): Promise<UploadReport> => (await ingestFile(env, key, body)).report;

const csv = (rows: readonly (readonly (string | number)[])[]) => rows.map((r) => r.join(';')).join('\r\n') + '\r\n';

const schoolsOf = (env: IngestEnv) => env.db.prepare('SELECT school_inn, period_start, period_end, teachers_total, students_in_sferum FROM school_snapshot ORDER BY school_inn').all();

describe('real-world table shapes', () => {
  test('CSV: a title, the period in a title line, a blank row, a two-row header, a numbering column and a totals row', async () => {
    await using env = await startIngestEnv();
    const report = await ingest(env, 'uploads/26/активность.csv', csv([[TITLE], ['Период: 20.02.2023 – 22.02.2023'], [], GROUPS, SUBS, ...SCHOOLS, TOTALS]));

    expect(report.status).toBe('accepted');
    expect(report.tables[0]).toMatchObject({ header_row: 4, period_source: 'title', rows: { accepted: 2, rejected: 0 } });
    expect(report.tables[0]?.columns.map((c) => c.field)).toEqual([null, 'municipality', 'school_name', 'school_inn', 'in_sferum', 'admin_active', 'teachers_total', 'teachers_in_sferum', 'students_total', 'students_in_sferum']);
    expect(report.periods).toEqual([{ start: '2023-02-20', end: '2023-02-22' }]);
    // `№ п/п` is silent; the totals row is checked and matches; the guesses are said, by cell
    expect(report.warnings.map((w) => [w.code, w.row, w.value ?? w.column])).toEqual([
      [IssueCode.PeriodGuessed, 2, '20.02-22.02.2023'],
      [IssueCode.HeaderCombined, 4, 'Педагоги всего'],
      [IssueCode.HeaderCombined, 4, 'Педагоги в Сфере'],
      [IssueCode.HeaderCombined, 4, 'Обучающиеся всего'],
      [IssueCode.HeaderCombined, 4, 'Обучающиеся в Сфере'],
      [IssueCode.TotalsRowSkipped, 8, null],
    ]);
    expect(report.warnings[0]?.message).toBe('в таблице нет столбца периода: период 20.02-22.02.2023 взят из строки над таблицей (строка 2, ячейка A2)');
    expect(report.warnings[1]?.message).toBe('заголовок столбца G распознан только вместе с заголовком группы над ним: «Педагоги всего» прочитан как teachers_total');
    expect(schoolsOf(env)).toEqual([
      { school_inn: inn(1), period_start: '2023-02-20', period_end: '2023-02-22', teachers_total: 40, students_in_sferum: 410 },
      { school_inn: inn(2), period_start: '2023-02-20', period_end: '2023-02-22', teachers_total: 30, students_in_sferum: 200 },
    ]);
  });

  test.each([
    ['«за период с … по …»', 'Активность ОО за период с 20.02.2023 по 22.02.2023'],
    ['«Неделя dd.mm-dd.mm.yyyy»', 'Неделя 20.02-22.02.2023'],
  ])('the period of a title line written as %s', async (_, line) => {
    await using env = await startIngestEnv();
    const report = await ingest(env, 'uploads/26/неделя.csv', csv([[line], GROUPS, SUBS, ...SCHOOLS]));
    expect(report.periods).toEqual([{ start: '2023-02-20', end: '2023-02-22' }]);
    expect(report.tables[0]).toMatchObject({ header_row: 2, period_source: 'title' });
  });

  test('precedence: a period column beats the title line, the title line beats the file name', async () => {
    await using env = await startIngestEnv();
    const withColumn = await ingest(env, 'uploads/26/ОО_06.03-10.03.2023.csv', csv([['Период: 20.02.2023 – 22.02.2023'], ['Неделя', ...GROUPS.slice(1)], ['', ...SUBS.slice(1)], ...SCHOOLS.map((r) => ['13.03-17.03.2023', ...r.slice(1)])]));
    const withTitle = await ingest(env, 'uploads/26/ОО_27.03-31.03.2023.csv', csv([['Период: 20.02.2023 – 22.02.2023'], GROUPS, SUBS, ...SCHOOLS]));
    const byName = await ingest(env, 'uploads/26/ОО_03.04-07.04.2023.csv', csv([GROUPS, SUBS, ...SCHOOLS]));
    expect([withColumn, withTitle, byName].map((r) => [r.periods, r.tables[0]?.period_source])).toEqual([
      [[{ start: '2023-03-13', end: '2023-03-17' }], 'column'],
      [[{ start: '2023-02-20', end: '2023-02-22' }], 'title'],
      [[{ start: '2023-04-03', end: '2023-04-07' }], 'file_name'],
    ]);
  });

  test('no row among the first 30 maps a required field: the clear file-level error of today', async () => {
    await using env = await startIngestEnv();
    const report = await ingest(env, 'uploads/26/ОО_06.03-10.03.2023.csv', csv([[TITLE], ['Муниципальное образование', 'Наименование ОО', 'Примечание'], ['Курский МО', 'Школа', '']]));
    expect(report.file_error).toMatchObject({ code: IssueCode.MissingColumn, row: 2 });
  });

  test('a title row that is no header is never taken for one: without a mapping row the first row is reported', async () => {
    await using env = await startIngestEnv();
    const report = await ingest(env, 'uploads/26/ОО_06.03-10.03.2023.csv', csv([[TITLE], ['Примечание', 'Ещё'], ['1', '2']]));
    expect(report.file_error).toMatchObject({ code: IssueCode.NotATable, row: 1 });
  });

  test('XLSX: merged group cells, a numeric INN, formulas with cached values, an error cell and a formula never calculated, a notes sheet', async () => {
    await using env = await startIngestEnv();
    const bytes = await workbook((wb) => {
      wb.addWorksheet('Инструкция').addRow(['Заполните таблицу на листе «ОО»; период — неделя.']);
      const ws = wb.addWorksheet('ОО');
      ws.addRow([TITLE]);
      ws.addRow(['Период: 20.02.2023 – 22.02.2023']);
      ws.addRow([]);
      ws.addRow(GROUPS);
      ws.addRow(SUBS);
      ws.mergeCells('G4:H4');
      ws.mergeCells('I4:J4');
      ws.mergeCells('B4:B5');
      ws.addRow([1, 'Александровский МО', 'МБОУ СОШ № 1', Number(inn(1)), 'да', 'да', 40, 38, 500, 410]);
      ws.getCell('J6').value = { formula: 'I6-90', result: 410 };
      ws.addRow([2, 'Курский МО', 'МБОУ СОШ № 2', Number(inn(2)), 'да', 'нет', 30, 20, 300, 200]);
      ws.getCell('G7').value = { error: '#DIV/0!' };
      ws.addRow([3, 'Курский МО', 'МБОУ СОШ № 3', Number(inn(3)), 'да', 'нет', 30, 20, 300, 200]);
      ws.getCell('I8').value = { formula: 'SUM(I2:I3)' };
    });

    const report = await ingest(env, 'uploads/26/активность.xlsx', bytes);

    expect(report.status).toBe('partial');
    expect(report.tables).toHaveLength(1);
    expect(report.tables[0]).toMatchObject({ sheet: 'ОО', header_row: 4, period_source: 'title', rows: { accepted: 1, rejected: 2 } });
    expect(report.warnings).toContainEqual(expect.objectContaining({ code: IssueCode.NotATable, sheet: 'Инструкция' }));
    expect(report.errors.map((e) => [e.code, e.row, e.column, e.value])).toEqual([
      [IssueCode.UnreadableCell, 7, 'Педагоги всего', 'G7'],
      [IssueCode.UnreadableCell, 8, 'Обучающиеся всего', 'I8'],
    ]);
    expect(report.errors[0]?.message).toContain('#DIV/0!');
    expect(schoolsOf(env)).toEqual([{ school_inn: inn(1), period_start: '2023-02-20', period_end: '2023-02-22', teachers_total: 40, students_in_sferum: 410 }]);
  });

  test('XLSX: one date in the period column is never a week: a row error naming the cell, unless the file states the week', async () => {
    await using env = await startIngestEnv();
    const sheet = (title: string[] | null) =>
      workbook((wb) => {
        const ws = wb.addWorksheet('ОО');
        if (title) ws.addRow(title);
        ws.addRow(['Неделя', ...GROUPS.slice(1)]);
        ws.addRow(['', ...SUBS.slice(1)]);
        ws.addRow([new Date(Date.UTC(2023, 1, 23)), ...SCHOOLS[0]!.slice(1)]);
      });
    const alone = await ingest(env, 'uploads/26/недели.xlsx', await sheet(null));
    expect(alone.status).toBe('rejected');
    expect(alone.errors.map((e) => [e.code, e.row, e.column])).toEqual([[IssueCode.PeriodSingleDate, 3, 'Неделя']]);
    expect(alone.errors[0]?.message).toContain('ячейка A3: одна дата (23.02.2023) — не период');
    const stated = await ingest(env, 'uploads/26/неделя-в-заголовке.xlsx', await sheet(['Период: 20.02.2023 – 24.02.2023']));
    expect(stated.status).toBe('accepted');
    expect(stated.periods).toEqual([{ start: '2023-02-20', end: '2023-02-24' }]);
  });

  test('implausible periods: a rollover to eleven months is a row error naming the value; one starting weeks after the upload a warning', async () => {
    await using env = await startIngestEnv();
    const header = ['Неделя', ...GROUPS.slice(1)];
    const report = await ingest(env, 'uploads/26/периоды.csv', csv([header, ['', ...SUBS.slice(1)], ['10.04-06.03.2023', ...SCHOOLS[0]!.slice(1)], ['03.04-07.04.2023', ...SCHOOLS[1]!.slice(1)]]));
    expect(report.errors).toEqual([expect.objectContaining({ code: IssueCode.BadPeriod, row: 3, column: 'Неделя', value: '10.04-06.03.2023' })]);
    // the upload is on 2023-03-13 (the test clock)
    expect(report.warnings).toContainEqual(expect.objectContaining({ code: IssueCode.FuturePeriod, row: 4, value: '03.04-07.04.2023' }));
    expect(report.periods).toEqual([{ start: '2023-04-03', end: '2023-04-07' }]);
  });
});
