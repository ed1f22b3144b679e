// `npm run samples [OUT_DIR]`: writes the sample exports for the seed's seven periods,
// their manifest (expected sums and the planted bad rows), and one Yandex ObjectCreate
// event per file. Each period exercises another real-world variant: an XLSX workbook with
// two sheets, a Windows-1251 `;` CSV with NBSP thousands and a totals row, a UTF-8 BOM `,`
// CSV with the period only in its name, municipality name variants and other header
// aliases, a split per-municipality export, a KPP column with branches, and bad rows.
// Deterministic: running it twice gives byte-identical files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { IssueCode } from '../../shared/domain/errors.ts';
import { innCheckDigit } from '../../shared/domain/normalise/inn.ts';
import { encodeCp1251 } from './cp1251.ts';
import { makeSchools, municipalityValues, prng, schoolValues, SEED, type MunicipalityValues, type SchoolValues } from './model.ts';

type Cell = string | number | null;
type BadRow = { row: number; column: string; value: string; code: string };
type FileEntry = {
  name: string;
  period: string;
  format: 'csv' | 'xlsx';
  encoding: 'utf-8' | 'utf-8-bom' | 'windows-1251' | null;
  delimiter: ';' | ',' | '\t' | null;
  tables: ('schools' | 'municipalities')[];
  variant: string;
  valid_rows: number;
  bad_rows: BadRow[];
};

const BUCKET = 'sferum-pulse-exports';
const CANONICAL = {
  period: 'Период',
  municipality: 'МОУО',
  name: 'Наименование ОО',
  inn: 'ИНН',
  kpp: 'КПП',
  inSferum: 'В Сфере',
  admin: 'Администратор активен',
  teachers: 'Педагогов всего',
  teachersIn: 'Педагогов в Сфере',
  students: 'Обучающихся всего',
  studentsIn: 'Обучающихся в Сфере',
  chat: 'Педагогов, создавших ≥1 чат',
  msg3: 'Педагогов, написавших ≥3 сообщений за неделю',
  msg10: 'Педагогов, написавших ≥10 сообщений за неделю',
};
const ALTERNATE = {
  ...CANONICAL,
  municipality: 'Муниципальное образование',
  name: 'Образовательная организация',
  inn: 'ИНН ОО',
  inSferum: 'ОО в Сфере',
  admin: 'Активность администратора',
  teachers: 'Общее кол-во педагогов',
  teachersIn: 'Педагоги в Сфере',
  students: 'Общее кол-во обуч-ся',
  studentsIn: 'Обуч-ся в Сфере',
  chat: 'Кол-во педагогов, создавших как минимум 1 чат',
  msg3: 'Кол-во педагогов, написавших минимум 3 сообщения в чаты за неделю',
  msg10: 'Кол-во педагогов, написавших минимум 10 сообщений в чаты за неделю',
};
type Headers = typeof CANONICAL;
/** Windows-1251 has no `≥`, so a CP1251 export spells the KPI headers out in words. */
const CP1251_SAFE = { ...CANONICAL, chat: ALTERNATE.chat, msg3: ALTERNATE.msg3, msg10: ALTERNATE.msg10 };

/** Spellings admins really type; each resolves to the reference entry. */
const NAME_VARIANTS: Record<string, string> = {
  budennovsky: 'Буденновский МО',
  grachevsky: 'Грачевский район',
  georgievsky: 'Георгиевский ГО',
  stavropol: 'г. Ставрополь',
  pyatigorsk: 'город-курорт Пятигорск',
  kislovodsk: 'г.-к. Кисловодск',
  izobilnensky: 'Управление образования администрации Изобильненского муниципального округа',
  mineralovodsky: 'МИНЕРАЛОВОДСКИЙ муниципальный округ',
};

const yesNo = (b: boolean) => (b ? 'да' : 'нет');

function schoolRow(v: SchoolValues, h: { period: string | null; kpp: boolean; municipalityName: (id: string, name: string) => string; msg10: boolean }, mun: { id: string; name: string }[]): Cell[] {
  const m = mun[v.school.municipality]!;
  return [
    ...(h.period !== null ? [h.period] : []),
    h.municipalityName(m.id, m.name),
    v.school.name,
    v.school.inn,
    ...(h.kpp ? [v.school.kpp] : []),
    yesNo(v.in_sferum),
    yesNo(v.admin_active),
    v.teachers_total,
    v.teachers_in_sferum,
    v.students_total,
    v.students_in_sferum,
    v.teachers_chat_creators,
    v.teachers_msg3,
    ...(h.msg10 ? [v.teachers_msg10] : []),
  ];
}

function schoolHeader(names: Headers, o: { period: boolean; kpp: boolean; msg10: boolean }): string[] {
  return [
    ...(o.period ? [names.period] : []),
    names.municipality,
    names.name,
    names.inn,
    ...(o.kpp ? [names.kpp] : []),
    names.inSferum,
    names.admin,
    names.teachers,
    names.teachersIn,
    names.students,
    names.studentsIn,
    names.chat,
    names.msg3,
    ...(o.msg10 ? [names.msg10] : []),
  ];
}

function municipalityRows(values: MunicipalityValues[], period: string | null, name: (id: string, n: string) => string): { header: string[]; rows: Cell[][] } {
  return {
    header: [...(period !== null ? ['Период'] : []), 'МОУО', 'МОУО в Сфере', 'Активно'],
    rows: values.map((m) => [...(period !== null ? [period] : []), name(m.id, m.name), yesNo(m.in_sferum), yesNo(m.admin_active)]),
  };
}

/** RFC 4180 text with the given delimiter; numbers optionally grouped with NBSP thousands. */
function csvText(rows: Cell[][], delimiter: string, opts: { nbspThousands?: boolean } = {}): string {
  const cell = (c: Cell) => {
    if (c === null) return '';
    const s = typeof c === 'number' ? (opts.nbspThousands && c >= 1000 ? c.toLocaleString('en-US').replace(/,/g, '\u00a0') : String(c)) : c;
    return /["\r\n]/.test(s) || s.includes(delimiter) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(delimiter)).join('\r\n') + '\r\n';
}

/** A checksum-valid INN outside the sample schools' range, so a planted row is never a duplicate. */
function plantedInn(k: number): string {
  const first9 = `2639${String(10_000 + k).padStart(5, '0')}`;
  return `${first9}${innCheckDigit(first9)}`;
}

/** Bad rows planted beside the valid ones; each names the cell the report must point at. */
function plantBadRows(base: SchoolValues, header: string[], names: Headers, firstRow: number, opts: Parameters<typeof schoolRow>[1], mun: { id: string; name: string }[]): { rows: Cell[][]; bad: BadRow[] } {
  const faults: [string, string, Cell, string][] = [
    ['Школа с ошибкой в ИНН', names.inn, `${plantedInn(0).slice(0, 9)}${(Number(plantedInn(0)[9]) + 1) % 10}`, IssueCode.BadInn],
    ['Школа неизвестного района', names.municipality, 'Неизвестный район', IssueCode.UnknownMunicipality],
    ['Школа с отрицательным числом', names.teachers, -5, IssueCode.BadCount],
    ['Школа с сомнением', names.inSferum, 'возможно', IssueCode.BadYesNo],
    ['Школа с дробью', names.students, '12,5', IssueCode.BadCount],
  ];
  const rows = faults.map(([name, column, value], k) => {
    const r = schoolRow({ ...base, school: { ...base.school, name, inn: plantedInn(k + 1) } }, opts, mun);
    r[header.indexOf(column)] = value;
    return r;
  });
  const bad = faults.map(([, column, value, code], k) => ({ row: firstRow + k, column, value: String(value), code }));
  return { rows, bad };
}

export async function generate(outDir: string): Promise<FileEntry[]> {
  mkdirSync(outDir, { recursive: true });
  mkdirSync(join(outDir, 'events'), { recursive: true });
  const rand = prng(20230220);
  const schools = makeSchools(rand);
  const mun = (municipalityValues(0) as { id: string; name: string }[]).map((m) => ({ id: m.id, name: m.name }));
  const files: FileEntry[] = [];
  const write = (name: string, bytes: Uint8Array | string) => writeFileSync(join(outDir, name), bytes);
  const plain = (_: string, n: string) => n;
  const variant = (id: string, n: string) => NAME_VARIANTS[id] ?? n;

  for (const [p, seed] of SEED.entries()) {
    const values = schoolValues(p, schools, rand);
    const mouo = municipalityValues(p);
    const prefix = `${p + 1}`.padStart(2, '0');
    const msg10 = seed.msg10 !== null;
    if (p === 0) {
      // XLSX, two sheets, numeric cells; some INNs as numbers, as Excel keeps them.
      const wb = new ExcelJS.Workbook();
      wb.creator = 'sferum-pulse samples';
      wb.created = new Date(Date.UTC(2023, 1, 22));
      wb.modified = wb.created;
      const header = schoolHeader(CANONICAL, { period: true, kpp: false, msg10 });
      const ws = wb.addWorksheet('Школы');
      ws.addRow(header);
      for (const [i, v] of values.entries()) {
        const r = schoolRow(v, { period: seed.label, kpp: false, municipalityName: plain, msg10 }, mun);
        if (i % 3 === 0) r[3] = Number(r[3]);
        ws.addRow(r);
      }
      const m = municipalityRows(mouo, seed.label, plain);
      const ms = wb.addWorksheet('МОУО');
      ms.addRow(m.header);
      for (const r of m.rows) ms.addRow(r);
      const name = `${prefix}_sferum_20.02-22.02.2023.xlsx`;
      write(name, new Uint8Array(await wb.xlsx.writeBuffer()));
      files.push({ name, period: seed.label, format: 'xlsx', encoding: null, delimiter: null, tables: ['schools', 'municipalities'], variant: 'XLSX workbook, two sheets, numeric cells', valid_rows: values.length + mouo.length, bad_rows: [] });
      continue;
    }
    const names = p === 3 ? ALTERNATE : p === 1 ? CP1251_SAFE : CANONICAL;
    const header = schoolHeader(names, { period: p !== 2, kpp: p === 5, msg10 });
    const opts = { period: p !== 2 ? seed.label : null, kpp: p === 5, municipalityName: p === 3 ? variant : plain, msg10 };
    const rows = values.map((v) => schoolRow(v, opts, mun));
    const mRows = municipalityRows(mouo, seed.label, p === 3 ? variant : plain);
    const mName = `${prefix}b_mouo_${seed.label}.csv`;
    if (p === 1) {
      // Windows-1251, `;`, NBSP thousands and a totals row with correct sums.
      const sum = (k: keyof SchoolValues) => values.reduce((s, v) => s + (v[k] as number), 0);
      const totals: Cell[] = [seed.label, '', 'Итого', '', '', '', sum('teachers_total'), sum('teachers_in_sferum'), sum('students_total'), sum('students_in_sferum'), sum('teachers_chat_creators'), sum('teachers_msg3'), sum('teachers_msg10')];
      const name = `${prefix}a_schools_${seed.label}.csv`;
      write(name, encodeCp1251(csvText([header, ...rows, totals], ';', { nbspThousands: true })));
      files.push({ name, period: seed.label, format: 'csv', encoding: 'windows-1251', delimiter: ';', tables: ['schools'], variant: 'Windows-1251, ";", NBSP thousands, totals row', valid_rows: rows.length, bad_rows: [] });
      write(mName, encodeCp1251(csvText([mRows.header, ...mRows.rows], ';')));
    } else if (p === 2) {
      // UTF-8 with BOM, `,`, the period only in the file name; names with commas and quotes.
      const quoted = rows.map((r, i) => (i % 7 === 0 ? [r[0]!, `${String(r[1])}, "Филиал" корпус ${i}`, ...r.slice(2)] : r));
      const name = `${prefix}a_schools_${seed.start}_${seed.end}.csv`;
      write(name, `\ufeff${csvText([header, ...quoted], ',')}`);
      files.push({ name, period: seed.label, format: 'csv', encoding: 'utf-8-bom', delimiter: ',', tables: ['schools'], variant: 'UTF-8 with BOM, ",", period only in the file name, quoted names', valid_rows: rows.length, bad_rows: [] });
      write(mName, csvText([mRows.header, ...mRows.rows], ';'));
    } else if (p === 4) {
      // The schools export split into two files by municipality: the union is the whole.
      const half = Math.ceil(mun.length / 2);
      for (const [part, keep] of [['a1', (i: number) => i < half], ['a2', (i: number) => i >= half]] as const) {
        const subset = rows.filter((_, i) => keep(values[i]!.school.municipality));
        const name = `${prefix}${part}_schools_part_${seed.label}.csv`;
        write(name, csvText([header, ...subset], '\t'));
        files.push({ name, period: seed.label, format: 'csv', encoding: 'utf-8', delimiter: '\t', tables: ['schools'], variant: `UTF-8, tab, municipalities ${part === 'a1' ? 'first' : 'second'} half`, valid_rows: subset.length, bad_rows: [] });
      }
      write(mName, csvText([mRows.header, ...mRows.rows], ';'));
    } else {
      const withBad = p === 3 || p === 6;
      const planted = withBad ? plantBadRows(values[3]!, header, names, rows.length + 2, opts, mun) : { rows: [], bad: [] };
      const name = `${prefix}a_schools_${seed.label}.csv`;
      write(name, csvText([header, ...rows, ...planted.rows], ';'));
      const v = p === 3 ? 'UTF-8, ";", other header aliases, municipality name variants, bad rows' : p === 5 ? 'UTF-8, ";", KPP column' : 'UTF-8, ";", bad rows';
      files.push({ name, period: seed.label, format: 'csv', encoding: 'utf-8', delimiter: ';', tables: ['schools'], variant: v, valid_rows: rows.length, bad_rows: planted.bad });
      write(mName, csvText([mRows.header, ...mRows.rows], ';'));
    }
    files.push({ name: mName, period: seed.label, format: 'csv', encoding: p === 1 ? 'windows-1251' : 'utf-8', delimiter: ';', tables: ['municipalities'], variant: 'municipalities table', valid_rows: mRows.rows.length, bad_rows: [] });
  }

  files.sort((a, b) => a.name.localeCompare(b.name));
  for (const [i, f] of files.entries()) {
    write(join('events', `${f.name}.json`), `${JSON.stringify(objectCreate(`uploads/26/${f.name}`, i), null, 2)}\n`);
  }
  write('manifest.json', `${JSON.stringify({ bucket: BUCKET, prefix: 'uploads/26/', files }, null, 2)}\n`);
  return files;
}

/** The Yandex Object Storage trigger event for one uploaded object (shape from the docs). */
export function objectCreate(key: string, i: number) {
  const n = String(i + 1).padStart(12, '0');
  return {
    messages: [
      {
        event_metadata: {
          event_id: `bb1dd06d-a82c-49b4-af98-${n}`,
          event_type: 'yandex.cloud.events.storage.ObjectCreate',
          created_at: `2023-04-07T10:${String(i).padStart(2, '0')}:00.000000Z`,
          tracing_context: { trace_id: `dd52ace79c62${n.slice(-4)}`, span_id: '', parent_span_id: '' },
          cloud_id: 'b1gvlrnlei4l5idm9cbj',
          folder_id: 'b1g88tflru0ek86ibqr0',
        },
        details: { bucket_id: BUCKET, object_id: key },
      },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ?? join(import.meta.dirname, '../../events/samples');
  const files = await generate(out);
  console.log(`wrote ${files.length} sample files to ${out}`);
}
