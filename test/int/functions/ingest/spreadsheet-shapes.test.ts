// Integration (issue 21): spreadsheets as school and municipal offices keep them, generated
// here and ingested through the real handler, s3rver and SQLite — each asserting the exact
// metrics of what was stored, never just "accepted". One table of six schools is written
// in every shape; its metrics are computed by hand below.
import type ExcelJS from 'exceljs';
import { describe, expect, test } from 'vitest';
import { IssueCode } from '../../../../shared/domain/errors.ts';
import { computeMetrics } from '../../../../shared/domain/metrics.ts';
import { UploadReport, type Period } from '../../../../shared/domain/schemas.ts';
import { DEFAULT_LIMITS } from '../../../../shared/formats/raw-table.ts';
import { inn } from '../../../support/builders.ts';
import { ingestFile } from '../../../support/ingest-file.ts';
import { startIngestEnv, type IngestEnv } from '../../../support/ingest-env.ts';
import { workbook } from '../../../support/xlsx-fixtures.ts';
import { unzipParts, withSpacerRows, zipParts } from '../../../support/xlsx-rewrite.ts';

const WEEK: Period = { start: '2023-02-23', end: '2023-03-03' };

// municipality, name, INN, in Sferum, admin active, teachers, in Sferum, students, in Sferum, ≥1 chat, ≥3 messages
type School = [string, string, string, string, string, number, number, number, number, number | string, number | string];
const SCHOOLS: School[] = [
  ['Александровский МО', 'МБОУ СОШ № 1', inn(1), 'да', 'да', 40, 38, 500, 410, 10, 5],
  ['Александровский МО', 'МБОУ СОШ № 2', inn(2), 'да', 'да', 60, 50, 700, 600, 20, '—'],
  ['Александровский МО', 'МБОУ СОШ № 3', inn(3), 'да', 'да', 100, 90, 1000, 900, 30, 'н/д'],
  ['Курский МО', 'МБОУ СОШ № 4', inn(4), 'да', 'нет', 30, 20, 300, 200, 5, 3],
  ['Курский МО', 'МБОУ СОШ № 5', inn(5), 'да', 'да', 50, 45, 600, 500, '', 10],
  ['Курский МО', 'МБОУ СОШ № 6', inn(6), 'да', 'да', 20, 20, 250, 250, 2, '…'],
];

// By hand: teachers 40+60+100+30+50+20 = 300, in Sferum 263; students 3 350, in Sferum 2 860.
// ≥1 chat: 10+20+30+5+2 = 67 over all 300 teachers; school 5 (50 teachers) did not report,
// so 250 of 300 are covered. ≥3 messages: 5+0 (a dash is 0)+3+10 = 18 over 300; schools 3
// (100) and 6 (20) report no data, so 180 of 300 are covered.
const EXPECTED = {
  values: {
    schools_total: 6,
    schools_in_sferum: 6,
    schools_inactive: 1,
    teachers_total: 300,
    teachers_in_sferum: 263,
    students_total: 3350,
    students_in_sferum: 2860,
    teachers_chat_creators: 67,
    teachers_msg3: 18,
    teachers_chat_creators_share: 67 / 300,
    teachers_msg3_share: 18 / 300,
    students_in_sferum_share: 2860 / 3350,
  },
  data_coverage: { teachers_chat_creators_share: 250 / 300, teachers_msg3_share: 180 / 300, students_in_sferum_share: 1, teachers_in_sferum_share: 1 },
};

const ingest = async (env: IngestEnv, key: string, body: Uint8Array | string): Promise<UploadReport> => (await ingestFile(env, key, body)).report;

/** The region's metrics of what the upload committed, by the project's own formulas. */
async function regionMetrics(env: IngestEnv, period: Period = WEEK) {
  const schools = await env.snapshots.currentSchools('26', period);
  return computeMetrics({ region: '26', regionName: 'Ставропольский край', period, schools, municipalities: [], reference: [] }).region_scope;
}

async function expectExactMetrics(env: IngestEnv, period: Period = WEEK) {
  const m = await regionMetrics(env, period);
  expect(m.values).toMatchObject(EXPECTED.values);
  expect(m.data_coverage).toMatchObject(EXPECTED.data_coverage);
}

/**
 * The shape of issue 21: a title merged across the sheet; a header of three rows — groups
 * («Период» over «с»/«по», «Педагоги», «Активность педагогов за неделю» glued before full
 * KPI headers), sub-headers, a units row; the period as date cells merged down the whole
 * block; each municipality merged down its schools.
 */
function officeSheet(ws: ExcelJS.Worksheet, schools: readonly School[] = SCHOOLS, top = 1, step = 1): void {
  ws.getCell(`A${top}`).value = 'Активность образовательных организаций в Сферуме';
  ws.mergeCells(`A${top}:M${top}`);
  const g = top + 1;
  ws.getRow(g).values = ['Период', '', 'Муниципальное образование', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагоги', '', 'Обучающиеся', '', 'Активность педагогов за неделю', ''];
  ws.getRow(g + 1).values = ['с', 'по', '', '', '', '', '', 'всего', 'в Сфере', 'всего', 'в Сфере', 'Педагогов, создавших ≥1 чат', 'Педагогов, написавших ≥3 сообщений за неделю'];
  ws.getRow(g + 2).values = ['', '', '', '', '', '', '', 'чел.', 'чел.', 'чел.', 'чел.', 'чел.', 'чел.'];
  for (const r of ['A', 'H', 'J', 'L']) ws.mergeCells(`${r}${g}:${String.fromCharCode(r.charCodeAt(0) + 1)}${g}`);
  for (const c of ['C', 'D', 'E', 'F', 'G']) ws.mergeCells(`${c}${g}:${c}${g + 1}`);
  const first = g + 3;
  schools.forEach((s, i) => {
    const row = ws.getRow(first + i * step);
    row.values = [i === 0 ? new Date(Date.UTC(2023, 1, 23)) : null, i === 0 ? new Date(Date.UTC(2023, 2, 3)) : null, s[0], s[1], Number(s[2]), s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10]];
    // merged cells keep only their top-left value, as Excel saves them
    if (i > 0 && s[0] === schools[i - 1]![0]) row.getCell(3).value = null;
  });
  const at = (i: number) => first + i * step;
  ws.mergeCells(`A${first}:A${at(schools.length - 1)}`);
  ws.mergeCells(`B${first}:B${at(schools.length - 1)}`);
  let start = first;
  for (let i = 1; i <= schools.length; i++) {
    if (i === schools.length || schools[i]![0] !== schools[i - 1]![0]) {
      if (at(i - 1) > start) ws.mergeCells(`C${start}:C${at(i - 1)}`);
      start = at(i);
    }
  }
}

describe('spreadsheets as offices keep them (issue 21)', () => {
  test('merged title, three-row header with a units row, «Период» over «с»/«по» as date cells, municipalities merged down, spacer rows', async () => {
    await using env = await startIngestEnv();
    // the title on row 3, the schools on every other row from 7, spacers in the gaps
    const plain = await workbook((wb) => officeSheet(wb.addWorksheet('ОО'), SCHOOLS, 3, 2));
    // Excel's cell-less spacer rows (`<row r="2" ht="6" customHeight="1"/>`), which crashed the reader
    const parts = await unzipParts(plain);
    const sheet = parts.find((p) => p.name === 'xl/worksheets/sheet1.xml')!;
    sheet.data = withSpacerRows(sheet.data as string, [1, 2, 8, 10, 12, 14, 16, 18]);
    expect((sheet.data as string).match(/<row r="\d+" ht="6" customHeight="1"\/>/gu)).toHaveLength(8);

    const report = await ingest(env, 'uploads/26/активность.xlsx', zipParts(parts));

    expect(report.errors).toEqual([]);
    expect(report.status).toBe('accepted');
    expect(report.tables[0]).toMatchObject({ sheet: 'ОО', header_row: 4, period_source: 'column', rows: { accepted: 6, rejected: 0 } });
    expect(report.tables[0]?.columns.map((c) => c.field)).toEqual([
      'period_start', 'period_end', 'municipality', 'school_name', 'school_inn', 'in_sferum', 'admin_active',
      'teachers_total', 'teachers_in_sferum', 'students_total', 'students_in_sferum', 'teachers_chat_creators', 'teachers_msg3',
    ]);
    expect(report.periods).toEqual([WEEK]);
    // the guessed headers are said; the KPI headers and the units row are not
    expect(report.warnings.map((w) => [w.code, w.column])).toEqual([
      [IssueCode.HeaderCombined, 'Педагоги всего'],
      [IssueCode.HeaderCombined, 'Педагоги в Сфере'],
      [IssueCode.HeaderCombined, 'Обучающиеся всего'],
      [IssueCode.HeaderCombined, 'Обучающиеся в Сфере'],
    ]);
    await expectExactMetrics(env);
  });

  test('a period over «начало»/«окончание» written as text; a lone start date is an error naming its cell', async () => {
    await using env = await startIngestEnv();
    const header = ['Начало', 'Окончание', 'МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагогов всего', 'Педагогов в Сфере', 'Обучающихся всего', 'Обучающихся в Сфере', 'Педагогов, создавших ≥1 чат', 'Педагогов, написавших ≥3 сообщений за неделю'];
    const rows = SCHOOLS.map((s) => ['23.02.2023', '03.03.2023', ...s]);
    const csv = [header, ...rows, ['23.02.2023', '', ...SCHOOLS[0]!.slice(0, 2), inn(7), ...SCHOOLS[0]!.slice(3)]].map((r) => r.join(';')).join('\r\n');

    const report = await ingest(env, 'uploads/26/начало-окончание.csv', csv);

    expect(report.status).toBe('partial');
    expect(report.errors.map((e) => [e.code, e.row, e.column])).toEqual([[IssueCode.PeriodSingleDate, 8, 'Начало']]);
    expect(report.errors[0]?.message).toContain('ячейка A8: одна дата (23.02.2023) — не период');
    await expectExactMetrics(env);
  });

  test.each([
    ['LE', 'utf16le' as const],
    ['BE', 'utf16be' as const],
  ])('UTF-16 %s with a BOM, tab-separated, CRLF (Excel «Текст в Юникоде») is read with its exact metrics', async (_, encoding) => {
    await using env = await startIngestEnv();
    const header = ['Период', 'МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагогов всего', 'Педагогов в Сфере', 'Обучающихся всего', 'Обучающихся в Сфере', 'Педагогов, создавших ≥1 чат', 'Педагогов, написавших ≥3 сообщений за неделю'];
    const text = [header, ...SCHOOLS.map((s) => ['23.02-03.03.2023', ...s])].map((r) => r.join('\t')).join('\r\n') + '\r\n';
    const le = Buffer.from(`\ufeff${text}`, 'utf16le');
    const bytes = encoding === 'utf16le' ? le : Buffer.from(le).swap16();

    const report = await ingest(env, 'uploads/26/юникод.txt.csv', new Uint8Array(bytes));

    expect(report).toMatchObject({ status: 'accepted', encoding: encoding === 'utf16le' ? 'utf-16le' : 'utf-16be', delimiter: '\t' });
    await expectExactMetrics(env);
  });

  test('a header with Latin look-alikes in a KPI alias is matched, with a warning naming the header', async () => {
    await using env = await startIngestEnv();
    // Latin «e» and «o» in «Пeдагогов, написавших ≥3 сooбщений за неделю»
    const kpi = 'Пeдагогов, написавших ≥3 сooбщений за неделю';
    const header = ['Период', 'МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагогов всего', 'Педагогов в Сфере', 'Обучающихся всего', 'Обучающихся в Сфере', 'Педагогов, создавших ≥1 чат', kpi];
    const csv = [header, ...SCHOOLS.map((s) => ['23.02-03.03.2023', ...s])].map((r) => r.join(';')).join('\r\n');

    const report = await ingest(env, 'uploads/26/гомоглиф.csv', csv);

    expect(report.warnings.map((w) => [w.code, w.column, w.row])).toEqual([[IssueCode.HeaderHomoglyph, kpi, 1]]);
    expect(report.warnings[0]?.message).toBe(`заголовок «${kpi}» (ячейка L1) содержит латинские буквы, похожие на русские; столбец прочитан как teachers_msg3`);
    await expectExactMetrics(env);
  });

  test('a column without a header that holds data is a warning naming its first cell', async () => {
    await using env = await startIngestEnv();
    const header = ['Период', 'МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагогов всего', 'Педагогов в Сфере', 'Обучающихся всего', 'Обучающихся в Сфере', 'Педагогов, создавших ≥1 чат', 'Педагогов, написавших ≥3 сообщений за неделю', ''];
    const csv = [header, ...SCHOOLS.map((s, i) => ['23.02-03.03.2023', ...s, i === 2 ? 'примечание' : ''])].map((r) => r.join(';')).join('\r\n');

    const report = await ingest(env, 'uploads/26/без-заголовка.csv', csv);

    expect(report.warnings.map((w) => [w.code, w.row, w.column])).toEqual([[IssueCode.UnreadColumnData, 4, 'M']]);
    expect(report.warnings[0]?.message).toContain('ячейка M4');
    await expectExactMetrics(env);
  });

  test('250 sheets, one per school, each with printer settings, a drawing and a comment; workbook.xml after the sheets', async () => {
    await using env = await startIngestEnv();
    const n = 250;
    const logo = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const bytes = await workbook((wb) => {
      const image = wb.addImage({ buffer: logo as unknown as ExcelJS.Buffer, extension: 'png' });
      for (let i = 1; i <= n; i++) {
        const ws = wb.addWorksheet(`ОО ${i}`);
        ws.addRow(['Период', 'МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагогов всего', 'Педагогов в Сфере', 'Обучающихся всего', 'Обучающихся в Сфере']);
        ws.addRow(['23.02-03.03.2023', i % 2 ? 'Александровский МО' : 'Курский МО', `Школа ${i}`, Number(inn(i)), 'да', 'да', 10, 9, 100, i]);
        ws.getCell('A1').note = 'период — неделя';
        ws.addImage(image, { tl: { col: 11, row: 0 }, ext: { width: 10, height: 10 } });
      }
    });
    const parts = await unzipParts(bytes);
    // printer settings per sheet, as Excel saves them, and the workbook part moved last
    const withPrinter = parts.flatMap((p) => {
      const m = /^xl\/worksheets\/sheet(\d+)\.xml$/u.exec(p.name);
      return m ? [p, { name: `xl/printerSettings/printerSettings${m[1]}.bin`, data: new Uint8Array(512).fill(7) }] : [p];
    });
    const ordered = [...withPrinter.filter((p) => p.name !== 'xl/workbook.xml'), withPrinter.find((p) => p.name === 'xl/workbook.xml')!];
    expect(ordered.length).toBeGreaterThan(6 * n);
    expect(ordered.length).toBeLessThanOrEqual(DEFAULT_LIMITS.xlsx.maxEntries);

    const report = await ingest(env, 'uploads/26/по-школам.xlsx', zipParts(ordered));

    expect(report.status).toBe('accepted');
    expect(report.tables).toHaveLength(n);
    expect(report.tables.map((t) => t.sheet)).toEqual(Array.from({ length: n }, (_, i) => `ОО ${i + 1}`));
    const m = await regionMetrics(env);
    expect(m.values).toMatchObject({ schools_total: n, teachers_total: 10 * n, teachers_in_sferum: 9 * n, students_total: 100 * n, students_in_sferum: (n * (n + 1)) / 2 });
    expect(m.values.students_in_sferum_share).toBe((n * (n + 1)) / 2 / (100 * n));
  });

  test('a failure inside one sheet loses none of another sheet\'s rows; the report names the sheet and its error', async () => {
    await using env = await startIngestEnv();
    const bytes = await workbook((wb) => {
      officeSheet(wb.addWorksheet('Александровский'), SCHOOLS.slice(0, 3));
      officeSheet(wb.addWorksheet('Сломанный'), SCHOOLS.slice(0, 1));
      officeSheet(wb.addWorksheet('Курский'), SCHOOLS.slice(3));
    });
    const parts = await unzipParts(bytes);
    const broken = parts.find((p) => p.name === 'xl/worksheets/sheet2.xml')!;
    broken.data = (broken.data as string).replace('</sheetData>', '<row r="40"><c r="A40" t="inlineStr"><is><t>&bogus;</t></is></c></row></sheetData>');

    const report = await ingest(env, 'uploads/26/три-листа.xlsx', zipParts(parts));

    expect(report.status).toBe('partial');
    expect(report.errors.map((e) => [e.code, e.sheet, e.row])).toEqual([[IssueCode.SheetUnreadable, 'Сломанный', 40]]);
    expect(report.errors[0]?.message).toMatch(/лист «Сломанный» прочитан не до конца: undefined entity &bogus;/u);
    // the broken sheet's own row before the failure is kept, and the other sheets in full
    expect(report.tables.map((t) => [t.sheet, t.rows.accepted])).toEqual([
      ['Александровский', 3],
      ['Сломанный', 1],
      ['Курский', 3],
    ]);
    await expectExactMetrics(env);
  });
});
