// The bundled sample exports (events/samples) against the seed's table. Everything is read
// here with deliberately simple parsing of its own (a small CSV splitter, TextDecoder for
// Windows-1251, exceljs for the workbook, the contract's header aliases), never with the
// project's readers, so a bug in those cannot hide a wrong sample and vice versa.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { encodeCp1251 } from '../../../../scripts/samples/cp1251.ts';
import { generate, writeTriggerEvents, type FileEntry, type Manifest } from '../../../../scripts/samples/generate.ts';
import { CONTRACT_ALIASES } from '../../../support/contract-aliases.ts';
import { parseCsv } from '../../../support/csv.ts';
import { withCheckDigit } from '../../../support/builders.ts';
import { municipalitySums, schoolSums } from '../../../support/sums.ts';

const eventsDir = fileURLToPath(new URL('../../../../events/', import.meta.url));
const samplesDir = join(eventsDir, 'samples');
const manifest = JSON.parse(readFileSync(join(samplesDir, 'manifest.json'), 'utf8')) as Manifest;

// ---- the seed's table ------------------------------------------------------------------

type SeedRow = { label: string; cells: string[] };
const seedRows: SeedRow[] = readFileSync(fileURLToPath(new URL('../../../fixtures/seed-table.tsv', import.meta.url)), 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l !== '')
  .map((l) => ({ label: l.split('\t')[0]!, cells: l.split('\t') }));
const int = (cell: string) => Number(cell.replace(/\s/g, ''));
/** `0,064%` from a ratio, the seed's way: percent with `dp` decimals and a decimal comma. */
const pct = (ratio: number, dp: number) => `${(ratio * 100).toFixed(dp).replace('.', ',')}%`;

// ---- independent readers ----------------------------------------------------------------

type Cell = string | number | null;

/** The file's tables as [header, ...rows] per kind, decoded as the manifest says. */
async function readTables(f: FileEntry): Promise<Partial<Record<'schools' | 'municipalities', Cell[][]>>> {
  const bytes = readFileSync(join(samplesDir, f.name));
  if (f.format === 'xlsx') {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ExcelJS.Buffer);
    const sheet = (ws: ExcelJS.Worksheet) => {
      const out: Cell[][] = [];
      ws.eachRow({ includeEmpty: true }, (r) => out.push((r.values as Cell[]).slice(1).map((v) => v ?? null)));
      return out;
    };
    const [schools, mouo] = wb.worksheets;
    return { schools: sheet(schools!), municipalities: sheet(mouo!) };
  }
  const text = f.encoding === 'windows-1251' ? new TextDecoder('windows-1251').decode(bytes) : bytes.toString('utf8');
  if (f.encoding === 'utf-8-bom') expect(text.startsWith('\ufeff'), f.name).toBe(true);
  const rows = parseCsv(text.replace(/^\ufeff/, ''), f.delimiter!);
  return { [f.tables[0]!]: rows };
}

const fold = (h: string) => h.toLowerCase().replace(/ё/g, 'е').replace(/≥/g, '').replace(/[\s\u00a0]+/g, ' ').trim();
/** The contract's header aliases, folded the contract's way. */
const ALIASES = Object.entries(CONTRACT_ALIASES).map(([field, names]) => [field, names.map(fold)] as const);
function fieldOf(header: string): string | null {
  const h = fold(header);
  return ALIASES.find(([, names]) => names.includes(h))?.[0] ?? null;
}

const count = (c: Cell) => (typeof c === 'number' ? c : Number(String(c).replace(/[\s\u00a0]/g, '')));
const yes = (c: Cell) => String(c).toLowerCase() === 'да';

const innValid = (inn: string) => /^\d{10}$/.test(inn) && withCheckDigit(inn.slice(0, 9)) === inn;

type SchoolRow = { municipality: string; name: string; inn: string; kpp: string | null; values: Record<string, number>; in_sferum: boolean; admin_active: boolean };

/** Valid school rows of a table: the totals row and the manifest's bad rows left out. */
function schoolRows(f: FileEntry, table: Cell[][]): SchoolRow[] {
  const [header, ...data] = table;
  const fields = header!.map((h) => fieldOf(String(h)));
  const bad = new Set(f.bad_rows.map((b) => b.row));
  return data.flatMap((cells, i) => {
    const rowNo = i + 2;
    if (bad.has(rowNo) || rowNo === f.totals_row) return [];
    const get = (field: string) => cells[fields.indexOf(field)] ?? null;
    const values: Record<string, number> = {};
    for (const k of ['teachers_total', 'teachers_in_sferum', 'students_total', 'students_in_sferum', 'teachers_chat_creators', 'teachers_msg3', 'teachers_msg10']) {
      if (fields.includes(k)) values[k] = count(get(k));
    }
    return [{ municipality: String(get('municipality')), name: String(get('school_name')), inn: String(get('school_inn')), kpp: fields.includes('school_kpp') ? String(get('school_kpp')) : null, values, in_sferum: yes(get('in_sferum')), admin_active: yes(get('admin_active')) }];
  });
}

function mouoRows(f: FileEntry, table: Cell[][]) {
  const [header, ...data] = table;
  const fields = header!.map((h) => fieldOf(String(h)));
  const bad = new Set(f.bad_rows.map((b) => b.row));
  return data.filter((_, i) => !bad.has(i + 2)).map((cells) => ({ in_sferum: yes(cells[fields.indexOf('in_sferum')]!), admin_active: yes(cells[fields.indexOf('admin_active')]!) }));
}

const parsed = new Map<string, { tables: Awaited<ReturnType<typeof readTables>>; schools: SchoolRow[] }>();
async function read(f: FileEntry) {
  let p = parsed.get(f.name);
  if (!p) {
    const tables = await readTables(f);
    p = { tables, schools: tables.schools ? schoolRows(f, tables.schools) : [] };
    parsed.set(f.name, p);
  }
  return p;
}
const periodFiles = (label: string) => manifest.files.filter((f) => f.period === label);

// ---- the tests ----------------------------------------------------------------------------

describe('sample manifest against the seed table', () => {
  test('covers the seed\'s seven periods, in upload order, with a sortable prefix per file', () => {
    expect([...new Set(manifest.files.map((f) => f.period))]).toEqual(seedRows.map((r) => r.label));
    const names = manifest.files.map((f) => f.name);
    expect(names).toEqual([...names].sort());
    for (const n of names) expect(n).toMatch(/^\d{2}[a-z]?\d?_/);
  });

  test.each(seedRows.map((r) => [r.label, r] as const))('the sums of %s reproduce the seed row cell for cell', (label, seed) => {
    const files = periodFiles(label);
    const add = (pick: (f: FileEntry) => number | null | undefined) => {
      const vals = files.map(pick).filter((v): v is number | null => v !== undefined);
      return vals.every((v) => v === null) ? null : vals.reduce<number>((a, v) => a + (v ?? 0), 0);
    };
    const s = (k: keyof NonNullable<FileEntry['expected']['schools']>) => add((f) => f.expected.schools?.[k]);
    const m = (k: keyof NonNullable<FileEntry['expected']['municipalities']>) => add((f) => f.expected.municipalities?.[k]);
    const teachers = s('teachers_total')!;
    const kpi = (k: 'teachers_chat_creators' | 'teachers_msg3' | 'teachers_msg10') => (s(k) === null ? '' : pct(s(k)! / teachers, 3));
    const c = seed.cells;
    expect({
      schools: s('schools_total'),
      inSferum: s('schools_in_sferum'),
      inactive: s('schools_inactive'),
      schoolsShare: pct(s('schools_in_sferum')! / s('schools_total')!, 2),
      teachers,
      teachersIn: s('teachers_in_sferum'),
      students: s('students_total'),
      studentsIn: s('students_in_sferum'),
      studentsShare: pct(s('students_in_sferum')! / s('students_total')!, 2),
      mouo: m('mouo_total'),
      mouoIn: m('mouo_in_sferum'),
      mouoInactive: m('mouo_inactive'),
      chat: kpi('teachers_chat_creators'),
      msg3: kpi('teachers_msg3'),
      msg10: kpi('teachers_msg10'),
      calls: s('teachers_calls'),
    }).toEqual({
      schools: int(c[1]!),
      inSferum: int(c[2]!),
      inactive: int(c[3]!),
      schoolsShare: c[4],
      teachers: int(c[5]!),
      teachersIn: int(c[6]!),
      students: int(c[7]!),
      studentsIn: int(c[8]!),
      studentsShare: c[9],
      mouo: int(c[10]!),
      mouoIn: int(c[11]!),
      mouoInactive: int(c[12]!),
      chat: c[13],
      msg3: c[14],
      msg10: c[15],
      calls: null,
    });
  });

  test('the implied KPI counts are the research note\'s integers', () => {
    const sumOf = (k: 'teachers_chat_creators' | 'teachers_msg3' | 'teachers_msg10') =>
      seedRows.map((r) => {
        const v = periodFiles(r.label).map((f) => f.expected.schools?.[k]).filter((x) => x !== undefined);
        return v.every((x) => x === null) ? null : v.reduce<number>((a, x) => a + (x ?? 0), 0);
      });
    expect(sumOf('teachers_chat_creators')).toEqual([3666, 3682, 3700, 3718, 3730, 3745, 3745]);
    expect(sumOf('teachers_msg3')).toEqual([11, 21, 14, 25, 22, 11, 61]);
    expect(sumOf('teachers_msg10')).toEqual([null, 5, 4, 6, 5, 2, 17]);
  });

  test('every planted bad row names a contract issue code', () => {
    const codes = manifest.files.flatMap((f) => f.bad_rows.map((b) => b.code));
    expect(new Set(codes)).toEqual(new Set(['row.bad_inn', 'row.unknown_municipality', 'row.bad_count', 'row.bad_yes_no']));
  });
});

describe('sample files against their manifest', () => {
  test.each(manifest.files.map((f) => [f.name, f] as const))('%s: headers, valid-row sums and bad cells are as listed', async (_, f) => {
    const { tables, schools } = await read(f);
    expect(Object.keys(tables).sort()).toEqual([...f.tables].sort());
    for (const kind of f.tables) expect(tables[kind]![0]!.map(String), `${f.name} ${kind}`).toEqual(f.columns[kind]);
    // no file has a calls column; a period column exactly when the manifest says so
    for (const kind of f.tables) expect(tables[kind]![0]!.map((h) => fieldOf(String(h)))).not.toContain('teachers_calls');
    expect(tables[f.tables[0]!]![0]!.some((h) => fieldOf(String(h)) === 'period')).toBe(f.period_source === 'column');
    if (f.period_source === 'file name') expect(f.name).toContain(f.period_key.replace('..', '_'));
    else expect(f.name).toContain(f.period);

    if (tables.schools) {
      expect(schoolSums(schools.map((r) => ({ ...r.values, in_sferum: r.in_sferum, admin_active: r.admin_active })))).toEqual(f.expected.schools);
      for (const r of schools) {
        expect(innValid(r.inn) && r.inn.startsWith('26'), `${f.name}: INN ${r.inn}`).toBe(true);
        for (const v of Object.values(r.values)) expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
      }
    }
    if (tables.municipalities) {
      expect(municipalitySums(mouoRows(f, tables.municipalities))).toEqual(f.expected.municipalities);
    }

    // each planted bad row is where the manifest says, with that value in that column
    const table = tables[f.tables.includes('schools') ? 'schools' : 'municipalities']!;
    for (const b of f.bad_rows) expect(String(table[b.row - 1]![table[0]!.map(String).indexOf(b.column)]), `${f.name} row ${b.row}`).toBe(b.value);
    if (f.totals_row !== null) {
      const totals = table[f.totals_row - 1]!;
      expect(totals).toContain('Итого');
      // the totals row's numbers are the sums of the valid rows
      const header = table[0]!.map((h) => fieldOf(String(h)));
      expect(count(totals[header.indexOf('teachers_total')]!)).toBe(f.expected.schools?.teachers_total);
      expect(count(totals[header.indexOf('students_in_sferum')]!)).toBe(f.expected.schools?.students_in_sferum);
    }
  });

  test('a Windows-1251 file carries NBSP thousands separators and no UTF-8', () => {
    const f = manifest.files.find((x) => x.encoding === 'windows-1251' && x.tables.includes('schools'))!;
    const bytes = readFileSync(join(samplesDir, f.name));
    expect(bytes.includes(0xa0)).toBe(true);
    expect(bytes.toString('utf8')).toContain('\ufffd');
    expect(new TextDecoder('windows-1251').decode(bytes)).toContain('16\u00a0819');
  });

  test('schools keep their INNs across periods, span all 33 МОУО, and a few branches share an INN with their own KPP', async () => {
    const innsOf = async (label: string) => new Set((await Promise.all(periodFiles(label).map(read))).flatMap((p) => p.schools.map((s) => `${s.inn}|${s.name.replace(/, корпус.*$/, '')}`)));
    const later = await Promise.all(seedRows.slice(1).map((r) => innsOf(r.label)));
    for (const s of later) expect([...s].sort()).toEqual([...later[0]!].sort());
    const first = await innsOf(seedRows[0]!.label);
    expect([...later[0]!].every((k) => first.has(k))).toBe(true);

    // a file with canonical names shows every municipality
    const plain = await read(manifest.files.find((f) => f.name.startsWith('02a_'))!);
    expect(new Set(plain.schools.map((s) => s.municipality)).size).toBe(33);

    const withKpp = manifest.files.filter((f) => f.columns.schools?.some((h) => fieldOf(h) === 'school_kpp'));
    expect(withKpp.length).toBeGreaterThan(0);
    for (const f of withKpp) {
      const byInn = new Map<string, Set<string>>();
      for (const s of (await read(f)).schools) byInn.set(s.inn, new Set([...(byInn.get(s.inn) ?? []), s.kpp!]));
      const branches = [...byInn.values()].filter((k) => k.size > 1);
      expect(branches.length, f.name).toBeGreaterThanOrEqual(3);
      for (const k of branches) expect(k.size, f.name).toBe(2);
    }
  });

  test('some schools have more teachers in Sferum than teachers in total, as the seed\'s region does', async () => {
    const p = await read(manifest.files[0]!);
    expect(p.schools.some((s) => s.values.teachers_in_sferum! > s.values.teachers_total!)).toBe(true);
  });

  test('municipality names vary across files', async () => {
    const names = new Set<string>();
    for (const f of manifest.files) {
      const { tables } = await read(f);
      for (const t of Object.values(tables)) {
        const at = t![0]!.map((h) => fieldOf(String(h))).indexOf('municipality');
        for (const r of t!.slice(1)) names.add(String(r[at]));
      }
    }
    for (const n of ['Буденновский МО', 'Будённовский муниципальный округ', 'Грачевский район', 'г. Ставрополь', 'город-курорт Пятигорск', 'Георгиевский ГО']) expect(names).toContain(n);
  });
});

describe('trigger events', () => {
  const load = (path: string) => JSON.parse(readFileSync(join(eventsDir, path), 'utf8')) as { messages: { event_metadata: Record<string, unknown>; details: Record<string, unknown> }[] };
  const storageKeys = ['event_id', 'event_type', 'created_at', 'tracing_context', 'cloud_id', 'folder_id'];

  test('one ObjectCreate event per sample file, for its key in the exports bucket', () => {
    expect(readdirSync(join(samplesDir, 'events')).sort()).toEqual(manifest.files.map((f) => `${f.name}.json`).sort());
    const ids = new Set<unknown>();
    for (const f of manifest.files) {
      const [m, ...rest] = load(`samples/events/${f.name}.json`).messages;
      expect(rest).toEqual([]);
      expect(Object.keys(m!.event_metadata)).toEqual(storageKeys);
      expect(m!.event_metadata.event_type).toBe('yandex.cloud.events.storage.ObjectCreate');
      expect(m!.details).toEqual({ bucket_id: 'sferum-pulse-exports', object_id: `uploads/26/${f.name}` });
      ids.add(m!.event_metadata.event_id);
    }
    expect(ids.size).toBe(manifest.files.length);
  });

  test('the hand-run events have the platform\'s shapes', () => {
    const types = { 'object-create.json': 'storage.ObjectCreate', 'object-create-batch.json': 'storage.ObjectCreate', 'object-update.json': 'storage.ObjectUpdate', 'object-delete.json': 'storage.ObjectDelete', 'timer.json': 'serverless.triggers.TimerMessage', 'ymq-period-changed.json': 'messagequeue.QueueMessage' };
    for (const [file, type] of Object.entries(types)) {
      const e = load(file);
      expect(e.messages.length, file).toBe(file.includes('batch') ? 3 : 1);
      for (const m of e.messages) {
        expect(m.event_metadata.event_type, file).toBe(`yandex.cloud.events.${type}`);
        expect(String(m.event_metadata.created_at)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
        if (type.startsWith('storage')) {
          expect(Object.keys(m.event_metadata)).toEqual(storageKeys);
          expect(String(m.details.object_id)).toMatch(/^uploads\/26\/\d{2}/);
        }
      }
    }
    expect(load('timer.json').messages[0]!.details).toMatchObject({ payload: 'digest' });
    const q = load('ymq-period-changed.json').messages[0]!.details as { message: { body: string } };
    expect(JSON.parse(q.message.body)).toMatchObject({ type: 'period_changed', region: '26', period: { start: '2023-03-06', end: '2023-03-10' } });
  });
});

describe('cp1251 encoder', () => {
  test('round-trips through the platform decoder for Cyrillic and the export symbols', () => {
    const text = 'АБВ…ЯабвяЁё\u00a0«»№—–; Итого 17\u00a0218';
    const cyrillic = Array.from({ length: 64 }, (_, i) => String.fromCharCode(0x410 + i)).join('');
    for (const t of [text.replace('…', ''), cyrillic]) expect(new TextDecoder('windows-1251').decode(encodeCp1251(t))).toBe(t);
    expect(() => encodeCp1251('≥')).toThrow(/U\+2265/);
  });
});

describe('generator', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'samples-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const listAll = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name).slice(dir.length + 1)).sort();

  test('two runs at different clock times give byte-identical files, equal to the committed ones', { timeout: 60_000 }, async () => {
    const run = async (name: string, now: string) => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(now));
      try {
        const written = await generate(join(tmp, name, 'samples'));
        writeTriggerEvents(join(tmp, name, 'events'), written);
      } finally {
        vi.useRealTimers();
      }
      return join(tmp, name);
    };
    const a = await run('a', '2024-01-01T00:00:00Z');
    const b = await run('b', '2031-07-15T13:37:59Z');
    const files = listAll(a);
    expect(listAll(b)).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);

    // `npm run samples` was run and committed: the repository holds exactly these bytes
    expect(listAll(samplesDir)).toEqual(listAll(join(a, 'samples')));
    for (const f of listAll(join(a, 'samples'))) expect(readFileSync(join(samplesDir, f)).equals(readFileSync(join(a, 'samples', f))), f).toBe(true);
    for (const f of listAll(join(a, 'events'))) expect(readFileSync(join(eventsDir, f)).equals(readFileSync(join(a, 'events', f))), f).toBe(true);
  });
});
