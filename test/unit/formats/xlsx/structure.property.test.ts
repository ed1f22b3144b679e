// Property (issue 21): over the structure of a workbook — cell-less and formatting-only
// blank rows, merged municipality blocks and merged group headers, hidden rows and
// columns, spacer columns, the order of sheets in workbook.xml and of parts in the zip,
// and a broken sheet among good ones — reading never throws, never loses another sheet's
// rows, and the metrics equal those of the plain workbook. The workbook XML is written
// here so every structural choice is under the test's control; the pipeline is the
// ingest's own pieces (reader, header search, table admission, mapper, metrics).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { computeMetrics } from '../../../../shared/domain/metrics.ts';
import { HEADER_SEARCH_ROWS, locateHeader } from '../../../../shared/domain/normalise/header-row.ts';
import type { SchoolRow } from '../../../../shared/domain/schemas.ts';
import { admitTable, cellText, createTableMapper } from '../../../../shared/domain/table-mapper.ts';
import { createIssueLog } from '../../../../shared/domain/upload-report.ts';
import { concatRows, readLead } from '../../../../shared/formats/lead.ts';
import { readXlsx } from '../../../../shared/formats/xlsx/reader.ts';
import { buildReference } from '../../../../shared/runtime/reference.ts';
import { inn } from '../../../support/builders.ts';
import { buildZip, columnName, type ZipPart } from '../../../support/xlsx-fixtures.ts';

const reference = buildReference();
const FILE = 'uploads/26/книга.xlsx';
const PERIOD = { start: '2023-02-23', end: '2023-03-03' };
const MUNICIPALITIES = ['Александровский МО', 'Курский МО', 'Шпаковский МО'];

type School = { municipality: string; inn: string; active: boolean; teachers: number; inSferum: number; msg3: number | '—' | 'н/д' };
type Sheet = { name: string; schools: School[] };

/** How one sheet is laid out; the plain layout has every choice off. */
type Layout = {
  /** blank rows before data row i: 0 none, 1 a cell-less `<row/>`, 2 a row of styled empty cells */
  blanks: number[];
  hidden: boolean[];
  /** merge the municipality down each run of equal municipalities */
  mergeMunicipality: boolean;
  /** «Педагоги» merged over «всего» / «в Сфере» on a second header row */
  groupHeader: boolean;
  /** an empty spacer column at this index (-1: none), hidden or not */
  spacer: number;
  hiddenColumn: boolean;
};

const PLAIN = (n: number): Layout => ({ blanks: Array(n).fill(0), hidden: Array(n).fill(false), mergeMunicipality: false, groupHeader: false, spacer: -1, hiddenColumn: false });

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function sheetXml(sheet: Sheet, layout: Layout): string {
  const cols = ['Период', 'МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен', 'Педагогов всего', 'Педагогов в Сфере', 'Обучающихся всего', 'Обучающихся в Сфере', 'Педагогов, написавших ≥3 сообщений за неделю'];
  const at = (j: number) => (layout.spacer >= 0 && j >= layout.spacer ? j + 1 : j);
  const cell = (r: number, j: number, v: string | number | null) =>
    v === null ? '' : typeof v === 'number' ? `<c r="${columnName(at(j) + 1)}${r}"><v>${v}</v></c>` : `<c r="${columnName(at(j) + 1)}${r}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`;
  const rows: string[] = [];
  const merges: string[] = [];
  let r = 1;
  if (layout.groupHeader) {
    const top = cols.map((c, j) => (j === 6 ? 'Педагоги' : j === 7 ? null : c));
    const sub = cols.map((_, j) => (j === 6 ? 'всего' : j === 7 ? 'в Сфере' : null));
    rows.push(`<row r="${r}">${top.map((v, j) => cell(r, j, v)).join('')}</row>`);
    rows.push(`<row r="${r + 1}">${sub.map((v, j) => cell(r + 1, j, v)).join('')}</row>`);
    merges.push(`${columnName(at(6) + 1)}${r}:${columnName(at(7) + 1)}${r}`);
    for (const j of [0, 1, 2, 3, 4, 5, 8, 9, 10]) merges.push(`${columnName(at(j) + 1)}${r}:${columnName(at(j) + 1)}${r + 1}`);
    r += 2;
  } else {
    rows.push(`<row r="${r}">${cols.map((v, j) => cell(r, j, v)).join('')}</row>`);
    r += 1;
  }
  let runStart = -1;
  let runMunicipality = '';
  const closeRun = (end: number) => {
    if (layout.mergeMunicipality && runStart >= 0 && end > runStart) merges.push(`${columnName(at(1) + 1)}${runStart}:${columnName(at(1) + 1)}${end}`);
  };
  let lastDataRow = -1;
  sheet.schools.forEach((s, i) => {
    const blank = layout.blanks[i] ?? 0;
    if (blank === 1) rows.push(`<row r="${r++}" ht="6" customHeight="1"/>`);
    if (blank === 2) rows.push(`<row r="${r}" s="3" customFormat="1"><c r="A${r}" s="3"/><c r="C${r++}" s="3"/></row>`);
    const continues = layout.mergeMunicipality && s.municipality === runMunicipality;
    if (!continues) {
      closeRun(lastDataRow);
      runStart = r;
      runMunicipality = s.municipality;
    }
    const values: (string | number | null)[] = ['23.02-03.03.2023', continues ? null : s.municipality, `Школа ${s.inn}`, s.inn, 'да', s.active ? 'да' : 'нет', s.teachers, s.inSferum, s.teachers * 10, s.inSferum * 10, s.msg3];
    rows.push(`<row r="${r}"${layout.hidden[i] ? ' hidden="1"' : ''}>${values.map((v, j) => cell(r, j, v)).join('')}</row>`);
    lastDataRow = r++;
  });
  closeRun(lastDataRow);
  const colsXml = layout.spacer >= 0 ? `<cols><col min="${layout.spacer + 1}" max="${layout.spacer + 1}" width="2"${layout.hiddenColumn ? ' hidden="1"' : ''}/></cols>` : '';
  const mergeXml = merges.length ? `<mergeCells count="${merges.length}">${merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells>` : '';
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${colsXml}<sheetData>${rows.join('')}</sheetData>${mergeXml}<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`;
}

const BROKEN = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Примечание</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>&nope;</t></is></c></row></sheetData></worksheet>`;

function workbook(sheets: readonly Sheet[], layouts: readonly Layout[], opts: { order: number[]; partOrder: number[]; broken: boolean }): Uint8Array {
  const all = opts.broken ? [...sheets.map((s, i) => ({ name: s.name, xml: sheetXml(s, layouts[i]!) })), { name: 'Сломанный', xml: BROKEN }] : sheets.map((s, i) => ({ name: s.name, xml: sheetXml(s, layouts[i]!) }));
  const order = opts.broken ? [...opts.order, all.length - 1] : opts.order;
  const parts: ZipPart[] = [
    { name: '[Content_Types].xml', data: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>' },
    { name: '_rels/.rels', data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>' },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${order.map((k) => `<sheet name="${esc(all[k]!.name)}" sheetId="${k + 1}" r:id="rId${k + 1}"/>`).join('')}</sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${all.map((_, k) => `<Relationship Id="rId${k + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${k + 1}.xml"/>`).join('')}<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
    },
    { name: 'xl/styles.xml', data: '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="0"/><xf numFmtId="0"/><xf numFmtId="0"/></cellXfs></styleSheet>' },
    ...all.map((s, k) => ({ name: `xl/worksheets/sheet${k + 1}.xml`, data: s.xml })),
  ];
  const ordered = opts.partOrder.filter((k) => k < parts.length).map((k) => parts[k]!);
  for (let k = 0; k < parts.length; k++) if (!opts.partOrder.includes(k)) ordered.push(parts[k]!);
  return buildZip(ordered);
}

/** The ingest's own steps over every sheet: reader → header → admission → mapper → rows. */
async function ingestRows(bytes: Uint8Array) {
  const issues = createIssueLog();
  const schools: SchoolRow[] = [];
  const accepted = new Map<string, number>();
  for await (const table of readXlsx(bytes, { file: FILE })) {
    const { lead, rest } = await readLead(table, HEADER_SEARCH_ROWS);
    const header = locateHeader(lead.map((r) => r.cells.map(cellText)), reference.mapHeaders);
    const admission = admitTable({ file: FILE, sheet: table.sheet, headerRow: lead[header.index]!.row, headers: header.headers, mapping: header.mapping, periodElsewhere: false, skippable: true });
    if (admission.kind === 'skip') {
      // as the use case does: a sheet that failed before its header still says why
      for (const r of lead) if (r.rejected) issues.error(r.rejected);
      continue;
    }
    if (admission.kind !== 'table') throw new Error(`rejected: ${admission.error.message}`);
    const mapper = createTableMapper({
      file: FILE,
      sheet: table.sheet,
      headers: header.headers,
      mapping: admission.mapping,
      fallbackPeriod: null,
      objectKey: FILE,
      defaultRegion: '26',
      knownRegions: reference.knownRegions,
      matchers: reference.matchers,
      issues,
    });
    for await (const raw of concatRows(lead.slice(header.index + header.height), rest)) {
      const r = raw.rejected ? mapper.reject(raw.rejected) : mapper.accept(raw.row, raw.cells, raw.unreadable);
      if (r.type === 'row' && r.mapped.kind === 'schools') {
        schools.push(r.mapped.row);
        accepted.set(table.sheet!, (accepted.get(table.sheet!) ?? 0) + 1);
      }
    }
    mapper.finish();
  }
  const m = computeMetrics({ region: '26', regionName: 'Ставропольский край', period: PERIOD, schools, municipalities: [], reference: [] }).region_scope;
  return { values: m.values, coverage: m.data_coverage, accepted, errors: issues.errors };
}

const arbSchool = fc
  .record({
    municipality: fc.constantFrom(...MUNICIPALITIES),
    active: fc.boolean(),
    teachers: fc.integer({ min: 1, max: 200 }),
    msg3: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constantFrom('—' as const, 'н/д' as const)),
  })
  .map((s) => ({ ...s, inSferum: Math.floor(s.teachers / 2) }));

const arbSheets = fc
  .array(fc.array(arbSchool, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 })
  .map((lists) => {
    let n = 0;
    // schools sorted by municipality, as a block-merged sheet keeps them
    return lists.map((list, i): Sheet => ({ name: `Лист ${i + 1}`, schools: [...list].sort((a, b) => a.municipality.localeCompare(b.municipality)).map((s) => ({ municipality: s.municipality, inn: inn(++n), active: s.active, teachers: s.teachers, inSferum: s.inSferum, msg3: s.msg3 })) }));
  });

const arbLayout = (n: number) =>
  fc.record({
    blanks: fc.array(fc.constantFrom(0, 0, 1, 2), { minLength: n, maxLength: n }),
    hidden: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    mergeMunicipality: fc.boolean(),
    groupHeader: fc.boolean(),
    spacer: fc.constantFrom(-1, 0, 3, 11),
    hiddenColumn: fc.boolean(),
  });

describe('XLSX structure (property)', () => {
  test('blank rows, merges, hidden rows and columns, sheet and part order, a broken sheet: never throws, nothing lost, the plain file\'s metrics', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbSheets.chain((sheets) =>
          fc.record({
            sheets: fc.constant(sheets),
            layouts: fc.tuple(...sheets.map((s) => arbLayout(s.schools.length))),
            order: fc.shuffledSubarray(sheets.map((_, i) => i), { minLength: sheets.length, maxLength: sheets.length }),
            partOrder: fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7, 8], { minLength: 9, maxLength: 9 }),
            broken: fc.boolean(),
          }),
        ),
        async ({ sheets, layouts, order, partOrder, broken }) => {
          // Prepare
          const plain = workbook(sheets, sheets.map((s) => PLAIN(s.schools.length)), { order: sheets.map((_, i) => i), partOrder: [], broken: false });
          const shaped = workbook(sheets, layouts, { order, partOrder, broken });
          // Act
          const want = await ingestRows(plain);
          const got = await ingestRows(shaped);
          // Assess
          expect(want.errors).toEqual([]);
          expect(got.values).toEqual(want.values);
          expect(got.coverage).toEqual(want.coverage);
          for (const s of sheets) expect(got.accepted.get(s.name), s.name).toBe(s.schools.length);
          expect(got.errors.map((e) => [e.code, e.sheet])).toEqual(broken ? [['row.sheet_unreadable', 'Сломанный']] : []);
        },
      ),
      { numRuns: 60 },
    );
  });
});
