// `npm run samples [SAMPLES_DIR [EVENTS_DIR]]`: writes the sample exports for the seed's
// seven periods, their manifest (variant, expected sums of the valid rows, the planted bad
// rows) and one Yandex ObjectCreate event per file; then the hand-run trigger events
// (object create/update/delete, timer, YMQ PeriodChanged) into EVENTS_DIR. Each period
// exercises another real-world variant: an XLSX workbook with two sheets, a Windows-1251
// `;` CSV with NBSP thousands and a totals row, a UTF-8 BOM `,` CSV with the period only in
// its name, other header aliases and municipality spellings, a split export, a KPP column
// with branches, and bad rows. Deterministic: two runs give byte-identical files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { IssueCode } from '../../shared/domain/errors.ts';
import { innCheckDigit } from '../../shared/domain/normalise/inn.ts';
import { encodeCp1251 } from './cp1251.ts';
import { BUCKET, KEY_PREFIX, periodChangedEvent, storageEvent, timerEvent, uploadDay } from './events.ts';
import { makeSchools, MUNICIPALITIES, municipalityValues, prng, schoolValues, SEED, type MunicipalityValues, type SchoolValues } from './model.ts';
import { pinZipTimes } from './zip-time.ts';

type Cell = string | number | null;
type TableKind = 'schools' | 'municipalities';
type BadRow = { row: number; column: string; value: string; code: string };
/** Expected sums of a schools table's valid rows: the inputs of the contract's metrics. */
type SchoolSums = {
  schools_total: number;
  schools_in_sferum: number;
  schools_inactive: number;
  teachers_total: number;
  teachers_in_sferum: number;
  students_total: number;
  students_in_sferum: number;
  teachers_chat_creators: number;
  teachers_msg3: number;
  /** null: the file has no such column */
  teachers_msg10: number | null;
  teachers_calls: null;
};
type MunicipalitySums = { mouo_total: number; mouo_in_sferum: number; mouo_inactive: number };
export type FileEntry = {
  name: string;
  /** the seed's label; `period_source` says where a reader finds it */
  period: string;
  period_key: string;
  period_source: 'column' | 'file name';
  format: 'csv' | 'xlsx';
  encoding: 'utf-8' | 'utf-8-bom' | 'windows-1251' | null;
  delimiter: ';' | ',' | '\t' | null;
  tables: TableKind[];
  variant: string;
  /** header texts as written, per table (per sheet for XLSX) */
  columns: Partial<Record<TableKind, string[]>>;
  /** data rows that must be accepted (totals and planted bad rows excluded) */
  valid_rows: number;
  /** spreadsheet row number of the `Итого` row, if any */
  totals_row: number | null;
  expected: { schools?: SchoolSums; municipalities?: MunicipalitySums };
  bad_rows: BadRow[];
};
export type Manifest = { generator: string; region: string; bucket: string; prefix: string; files: FileEntry[] };

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
  period: 'Отчётный период',
  municipality: 'Муниципальное образование',
  name: 'Образовательная организация',
  inn: 'ИНН ОО',
  kpp: 'КПП ОО',
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
const CP1251_SAFE: Headers = { ...CANONICAL, period: 'Неделя', teachers: 'Кол-во педагогов', chat: ALTERNATE.chat, msg3: ALTERNATE.msg3, msg10: ALTERNATE.msg10 };

/** Spellings admins really type; each resolves to its reference entry. Two sets, for two periods. */
const NAME_VARIANTS: Record<string, string>[] = [
  {
    budennovsky: 'Буденновский МО',
    grachevsky: 'Грачевский район',
    georgievsky: 'Георгиевский ГО',
    stavropol: 'г. Ставрополь',
    pyatigorsk: 'город-курорт Пятигорск',
    kislovodsk: 'г.-к. Кисловодск',
    izobilnensky: 'Управление образования администрации Изобильненского муниципального округа',
    mineralovodsky: 'МИНЕРАЛОВОДСКИЙ муниципальный округ',
  },
  {
    budennovsky: 'Буденновский район',
    grachevsky: 'Грачёвский МО',
    georgievsky: 'Георгиевский городской округ',
    petrovsky: 'Петровский городской округ',
    andropovsky: 'Андроповский р-н',
    shpakovsky: 'Шпаковский муниципальный район',
    stavropol: 'Ставрополь',
    pyatigorsk: 'г. Пятигорск',
    essentuki: 'г.-к. Ессентуки',
  },
];
type Namer = (id: string, name: string) => string;
const plain: Namer = (_, name) => name;
const variants =
  (set: number): Namer =>
  (id, name) =>
    NAME_VARIANTS[set]![id] ?? name;

const yesNo = (b: boolean) => (b ? 'да' : 'нет');

type RowShape = { period: string | null; kpp: boolean; municipalityName: Namer; msg10: boolean };

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

function schoolRow(v: SchoolValues, h: RowShape): Cell[] {
  const m = MUNICIPALITIES[v.school.municipality]!;
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

function municipalityTable(values: MunicipalityValues[], period: string | null, name: Namer, headers: { inSferum: string; admin: string }) {
  return {
    header: [...(period !== null ? ['Период'] : []), 'МОУО', headers.inSferum, headers.admin],
    rows: values.map((m): Cell[] => [...(period !== null ? [period] : []), name(m.id, m.name), yesNo(m.in_sferum), yesNo(m.admin_active)]),
  };
}

function schoolSums(values: readonly SchoolValues[], msg10: boolean): SchoolSums {
  const sum = (k: 'teachers_total' | 'teachers_in_sferum' | 'students_total' | 'students_in_sferum' | 'teachers_chat_creators' | 'teachers_msg3') => values.reduce((s, v) => s + v[k], 0);
  return {
    schools_total: values.length,
    schools_in_sferum: values.filter((v) => v.in_sferum).length,
    schools_inactive: values.filter((v) => v.in_sferum && !v.admin_active).length,
    teachers_total: sum('teachers_total'),
    teachers_in_sferum: sum('teachers_in_sferum'),
    students_total: sum('students_total'),
    students_in_sferum: sum('students_in_sferum'),
    teachers_chat_creators: sum('teachers_chat_creators'),
    teachers_msg3: sum('teachers_msg3'),
    teachers_msg10: msg10 ? values.reduce((s, v) => s + (v.teachers_msg10 ?? 0), 0) : null,
    teachers_calls: null,
  };
}

function municipalitySums(values: readonly MunicipalityValues[]): MunicipalitySums {
  return { mouo_total: values.length, mouo_in_sferum: values.filter((m) => m.in_sferum).length, mouo_inactive: values.filter((m) => m.in_sferum && !m.admin_active).length };
}

/** `17218` → `17 218` with a no-break space, as Excel's Russian locale saves it. */
const groupThousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');

/** RFC 4180 text with the given delimiter and CRLF; numbers optionally grouped. */
function csvText(rows: Cell[][], delimiter: string, opts: { nbspThousands?: boolean } = {}): string {
  const cell = (c: Cell) => {
    if (c === null) return '';
    const s = typeof c === 'number' ? (opts.nbspThousands ? groupThousands(c) : String(c)) : c;
    return /["\r\n]/.test(s) || s.includes(delimiter) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(delimiter)).join('\r\n') + '\r\n';
}

/** A checksum-valid INN outside the sample schools' range, so a planted row never duplicates a school. */
function plantedInn(k: number): string {
  const first9 = `2639${99_990 + k}`;
  return `${first9}${innCheckDigit(first9)}`;
}

/** Bad school rows planted after the valid ones; each names the cell the report must point at. */
function plantBadRows(base: SchoolValues, header: string[], names: Headers, firstRow: number, shape: RowShape): { rows: Cell[][]; bad: BadRow[] } {
  const good = plantedInn(0);
  const faults: [string, string, Cell, string][] = [
    ['Школа с ошибкой в ИНН', names.inn, `${good.slice(0, 9)}${(Number(good[9]) + 1) % 10}`, IssueCode.BadInn],
    ['Школа неизвестного района', names.municipality, 'Неизвестный район', IssueCode.UnknownMunicipality],
    ['Школа с отрицательным числом', names.teachers, -5, IssueCode.BadCount],
    ['Школа с сомнением', names.inSferum, 'возможно', IssueCode.BadYesNo],
    ['Школа с дробью', names.students, '12,5', IssueCode.BadCount],
  ];
  const rows = faults.map(([name, column, value], k) => {
    const r = schoolRow({ ...base, school: { ...base.school, name, inn: plantedInn(k + 1), kpp: '263901001' } }, shape);
    r[header.indexOf(column)] = value;
    return r;
  });
  return { rows, bad: faults.map(([, column, value, code], k) => ({ row: firstRow + k, column, value: String(value), code })) };
}

export type Written = { manifest: Manifest; bytes: Map<string, Uint8Array> };

/** Writes the sample exports, the manifest and one ObjectCreate event per file into `outDir`. */
export async function generate(outDir: string): Promise<Written> {
  mkdirSync(join(outDir, 'events'), { recursive: true });
  const rand = prng(20230220);
  const schools = makeSchools(rand);
  const files: FileEntry[] = [];
  const bytes = new Map<string, Uint8Array>();
  const write = (name: string, data: Uint8Array | string) => {
    const b = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    bytes.set(name, b);
    writeFileSync(join(outDir, name), b);
  };

  for (const [p, seed] of SEED.entries()) {
    const values = schoolValues(p, schools, rand);
    const mouo = municipalityValues(p);
    const prefix = `${p + 1}`.padStart(2, '0');
    const msg10 = seed.msg10 !== null;
    const common = { period: seed.label, period_key: `${seed.start}..${seed.end}`, period_source: 'column' as const, totals_row: null, bad_rows: [] as BadRow[] };

    if (p === 0) {
      // XLSX, two sheets, numeric cells, a KPP column (text, as Excel keeps leading digits);
      // every third INN a number, as a sheet typed by hand stores it. No ≥10-messages column:
      // the first week's export did not have it, so the seed's cell is empty.
      const wb = new ExcelJS.Workbook();
      wb.creator = 'Сферум';
      wb.created = new Date(Date.UTC(2023, 1, 22, 12));
      wb.modified = wb.created;
      const shape: RowShape = { period: seed.label, kpp: true, municipalityName: plain, msg10 };
      const header = schoolHeader(CANONICAL, { period: true, kpp: true, msg10 });
      const ws = wb.addWorksheet('Школы');
      ws.addRow(header);
      for (const [i, v] of values.entries()) {
        const r = schoolRow(v, shape);
        if (i % 3 === 0) r[header.indexOf(CANONICAL.inn)] = Number(v.school.inn);
        ws.addRow(r);
      }
      const m = municipalityTable(mouo, seed.label, plain, { inSferum: 'МОУО в Сфере', admin: 'Активно' });
      const ms = wb.addWorksheet('МОУО');
      ms.addRow(m.header);
      for (const r of m.rows) ms.addRow(r);
      const name = `${prefix}_sferum_${seed.label}.xlsx`;
      write(name, pinZipTimes(new Uint8Array(await wb.xlsx.writeBuffer()), wb.modified));
      files.push({
        ...common,
        name,
        format: 'xlsx',
        encoding: null,
        delimiter: null,
        tables: ['schools', 'municipalities'],
        variant: 'XLSX workbook with two sheets (Школы, МОУО), numeric cells, some INNs numeric, KPP column with branches, no ≥10-messages column',
        columns: { schools: header, municipalities: m.header },
        valid_rows: values.length + mouo.length,
        expected: { schools: schoolSums(values, msg10), municipalities: municipalitySums(mouo) },
      });
      continue;
    }

    const names = p === 3 ? ALTERNATE : p === 1 ? CP1251_SAFE : CANONICAL;
    const withPeriod = p !== 2;
    const kpp = p === 5;
    const namer = p === 3 ? variants(0) : p === 5 ? variants(1) : plain;
    const shape: RowShape = { period: withPeriod ? seed.label : null, kpp, municipalityName: namer, msg10 };
    const header = schoolHeader(names, { period: withPeriod, kpp, msg10 });
    const rows = values.map((v) => schoolRow(v, shape));
    const schoolEntry = (name: string, e: Pick<FileEntry, 'encoding' | 'delimiter' | 'variant'> & Partial<FileEntry>, subset: readonly SchoolValues[]): FileEntry => ({
      ...common,
      name,
      format: 'csv',
      tables: ['schools'],
      columns: { schools: header },
      valid_rows: subset.length,
      expected: { schools: schoolSums(subset, msg10) },
      ...e,
    });

    if (p === 1) {
      // Windows-1251, `;`, NBSP thousands and a totals row whose sums are right.
      const s = schoolSums(values, msg10);
      const totalsBy: Record<string, Cell> = {
        [names.period]: seed.label,
        [names.name]: 'Итого',
        [names.teachers]: s.teachers_total,
        [names.teachersIn]: s.teachers_in_sferum,
        [names.students]: s.students_total,
        [names.studentsIn]: s.students_in_sferum,
        [names.chat]: s.teachers_chat_creators,
        [names.msg3]: s.teachers_msg3,
        [names.msg10]: s.teachers_msg10,
      };
      // key fields (municipality, INN, flags) stay empty, as in a spreadsheet's summary line
      const totals = header.map((h) => totalsBy[h] ?? '');
      const name = `${prefix}a_schools_${seed.label}.csv`;
      write(name, encodeCp1251(csvText([header, ...rows, totals], ';', { nbspThousands: true })));
      files.push(schoolEntry(name, { encoding: 'windows-1251', delimiter: ';', variant: 'Windows-1251, ";", CRLF, NBSP thousands separators, totals row "Итого", KPI headers spelled out', totals_row: rows.length + 2 }, values));
    } else if (p === 2) {
      // UTF-8 with BOM, `,`, the period only in the file name; some names hold commas and quotes.
      const nameAt = header.indexOf(names.name);
      const quoted = rows.map((r, i) => (i % 7 === 0 ? r.map((c, k) => (k === nameAt ? `${String(c)}, корпус "Б" (ул. Ленина, ${i})` : c)) : r));
      const name = `${prefix}a_schools_${seed.start}_${seed.end}.csv`;
      write(name, `\ufeff${csvText([header, ...quoted], ',')}`);
      files.push(schoolEntry(name, { encoding: 'utf-8-bom', delimiter: ',', period_source: 'file name', variant: 'UTF-8 with BOM, ",", period only in the ISO file name, quoted names with commas and ""' }, values));
    } else if (p === 4) {
      // The schools export split by municipality into three files: their union is the whole.
      const parts = [
        ['a1', (m: number) => m < 11],
        ['a2', (m: number) => m >= 11 && m < 22],
        ['a3', (m: number) => m >= 22],
      ] as const;
      for (const [part, keep] of parts) {
        const subset = values.filter((v) => keep(v.school.municipality));
        const name = `${prefix}${part}_schools_part_${seed.label}.csv`;
        write(name, csvText([header, ...subset.map((v) => schoolRow(v, shape))], '\t'));
        files.push(schoolEntry(name, { encoding: 'utf-8', delimiter: '\t', variant: `UTF-8, tab, one of three files split by municipality (${new Set(subset.map((v) => v.school.municipality)).size} МОУО)` }, subset));
      }
    } else {
      const withBad = p === 3 || p === 6;
      const planted = withBad ? plantBadRows(values[3]!, header, names, rows.length + 2, shape) : { rows: [], bad: [] };
      const name = `${prefix}a_schools_${seed.label}.csv`;
      write(name, csvText([header, ...rows, ...planted.rows], ';'));
      const variant =
        p === 3
          ? 'UTF-8, ";", other header aliases, municipality name variants (set 1), planted bad rows'
          : p === 5
            ? 'UTF-8, ";", KPP column with branches (same INN, own KPP), municipality name variants (set 2)'
            : 'UTF-8, ";", planted bad rows';
      files.push(schoolEntry(name, { encoding: 'utf-8', delimiter: ';', variant, bad_rows: planted.bad }, values));
    }

    // The municipalities table of the period, one file; 07b also carries a planted bad row.
    const mNamer = p === 1 ? variants(1) : p === 3 ? variants(0) : plain;
    const m = municipalityTable(mouo, seed.label, mNamer, p === 3 ? { inSferum: 'Зарегистрировано в Сфере', admin: 'Активность администратора' } : { inSferum: 'МОУО в Сфере', admin: 'Активно' });
    const mBad: BadRow[] = p === 6 ? [{ row: m.rows.length + 2, column: 'МОУО', value: 'Неизвестный район', code: IssueCode.UnknownMunicipality }] : [];
    const mRows = p === 6 ? [...m.rows, [seed.label, 'Неизвестный район', 'да', 'нет']] : m.rows;
    const mName = `${prefix}b_mouo_${seed.label}.csv`;
    const cp = p === 1;
    write(mName, cp ? encodeCp1251(csvText([m.header, ...mRows], ';')) : csvText([m.header, ...mRows], ';'));
    files.push({
      ...common,
      name: mName,
      format: 'csv',
      encoding: cp ? 'windows-1251' : 'utf-8',
      delimiter: ';',
      tables: ['municipalities'],
      variant: `municipalities table, ${cp ? 'Windows-1251, name variants (set 2)' : p === 3 ? 'UTF-8, name variants (set 1), other aliases' : 'UTF-8'}${mBad.length ? ', a planted bad row' : ''}`,
      columns: { municipalities: m.header },
      valid_rows: m.rows.length,
      expected: { municipalities: municipalitySums(mouo) },
      bad_rows: mBad,
    });
  }

  // Upload order is the name order: chronological, schools before municipalities.
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const f of files) write(join('events', `${f.name}.json`), json(storageEvent('ObjectCreate', [{ key: `${KEY_PREFIX}${f.name}`, at: uploadTime(f, files) }])));
  const manifest: Manifest = { generator: 'npm run samples (scripts/samples/generate.ts)', region: '26', bucket: BUCKET, prefix: KEY_PREFIX, files };
  write('manifest.json', json(manifest));
  return { manifest, bytes };
}

/** The Monday after the period, 07:00 UTC (10:00 in Stavropol), two minutes between a period's files. */
function uploadTime(f: FileEntry, all: readonly FileEntry[]): string {
  const sameWeek = all.filter((g) => g.period === f.period);
  const minute = 2 * sameWeek.indexOf(f);
  return `${uploadDay(f.period_key.slice(12))}T07:${String(minute).padStart(2, '0')}:${String(7 + (f.name.length % 50)).padStart(2, '0')}`;
}

const secondsAfter = (isoSecond: string, s: number) => new Date(Date.parse(`${isoSecond}Z`) + s * 1000).toISOString().slice(0, 19);

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The trigger events for trying the functions by hand (`sferum-pulse run`, `yc … invoke`). */
export function writeTriggerEvents(eventsDir: string, samples: Written): string[] {
  mkdirSync(eventsDir, { recursive: true });
  const files = samples.manifest.files;
  const byName = (n: string) => files.find((f) => f.name.startsWith(n))!;
  const at = (f: FileEntry) => ({ key: `${KEY_PREFIX}${f.name}`, at: uploadTime(f, files) });
  const single = byName('03a_');
  const split = files.filter((f) => f.period === byName('05a1_').period);
  const out: Record<string, unknown> = {
    'object-create.json': storageEvent('ObjectCreate', [at(single)]),
    // One invocation with several uploads: the split period's files arrive together.
    'object-create-batch.json': storageEvent('ObjectCreate', split.slice(0, 3).map(at)),
    // An ACL edit (made public-read by mistake, then fixed) fires ObjectUpdate, not a new upload.
    'object-update.json': storageEvent('ObjectUpdate', [{ key: at(single).key, at: `${uploadDay(single.period_key.slice(12))}T11:42:18` }]),
    'object-delete.json': storageEvent('ObjectDelete', [{ key: at(single).key, at: `${uploadDay(single.period_key.slice(12))}T12:05:51` }]),
    // Monday 06:00 UTC, the cron `0 6 ? * MON *` of the weekly digest.
    'timer.json': timerEvent('digest', '2023-04-10T06:00:00'),
    // What ingest publishes a few seconds after accepting that upload.
    'ymq-period-changed.json': periodChangedEvent(at(single).key, samples.bytes.get(single.name)!, { start: single.period_key.slice(0, 10), end: single.period_key.slice(12) }, secondsAfter(at(single).at, 4)),
  };
  for (const [name, value] of Object.entries(out)) writeFileSync(join(eventsDir, name), json(value));
  return Object.keys(out);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  // With no arguments the committed files are refreshed; with a directory only the samples
  // go there, so a trial run never overwrites the repository's trigger events.
  const repoEvents = join(import.meta.dirname, '../../events');
  const samplesDir = resolve(process.argv[2] ?? join(repoEvents, 'samples'));
  const eventsDir = process.argv[3] ?? (process.argv[2] ? null : repoEvents);
  const written = await generate(samplesDir);
  const events = eventsDir === null ? [] : writeTriggerEvents(resolve(eventsDir), written);
  console.log(`wrote ${written.manifest.files.length} sample files and their manifest to ${samplesDir}${eventsDir === null ? '' : `, ${events.length} trigger events to ${resolve(eventsDir)}`}`);
}
