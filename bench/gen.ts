// Bench inputs, generated deterministically into a temp dir (nothing large is committed):
// 89 regions (Stavropol's real reference list plus 88 synthetic ones, ~2 500
// municipalities), the national schools export (45 000 rows) as UTF-8 CSV, Windows-1251
// CSV and XLSX, and a 1 000 000-row CSV of the same shape (with 100 k / 500 k prefixes).
// Every dataset also exists split per region (`<name>.split/<code>.<ext>`), because the
// ingest use case commits one region per upload (a file that mixes regions is rejected).
// `garbage-200k`: the contract's header over 200 000 rows of which no cell is valid — the
// worst case for the size of a report and for ingest's memory.
import { createWriteStream, mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import stavropol from '../shared/domain/data/municipalities-26.json' with { type: 'json' };
import { createMunicipalityMatcher, MunicipalityReference } from '../shared/domain/normalise/municipality.ts';
import { innCheckDigit } from '../shared/domain/normalise/inn.ts';
import { prng } from '../scripts/samples/model.ts';
import { encodeCp1251 } from '../scripts/samples/cp1251.ts';

export const GEN_VERSION = 3;
export const PERIOD_CELL = '06.03-10.03.2023';
export const PERIOD = { start: '2023-03-06', end: '2023-03-10' } as const;
export const FILE_NAME = `ОО_${PERIOD_CELL}`;

export const HEADERS = [
  'Регион',
  'Муниципалитет',
  'Наименование ОО',
  'ИНН',
  'КПП',
  'Период',
  'В Сфере',
  'Администратор активен',
  'Педагогов всего',
  'Педагогов в Сфере',
  'Обучающихся всего',
  'Обучающихся в Сфере',
  'Педагогов, создавших ≥1 чат',
  'Педагогов, написавших ≥3 сообщений за неделю',
  'Педагогов, написавших ≥10 сообщений за неделю',
  'Педагогов, совершивших ≥1 звонок за неделю',
] as const;

export type RegionRef = MunicipalityReference;

const SYL = ['бор', 'ка', 'ло', 'ми', 'нов', 'ро', 'са', 'тур', 'вел', 'гор', 'дуб', 'жар', 'зим', 'кам', 'лес', 'мор', 'пол', 'рад', 'сел', 'тих', 'ус', 'хол', 'чер', 'ям'];
const CONS_END = ['ов', 'ин', 'ан', 'ен', 'ач', 'ар', 'ол', 'ун'];

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** 89 region references: code 26 is the project's real list, the others synthetic. */
export function makeReferences(): RegionRef[] {
  const rand = prng(20230306);
  const refs: RegionRef[] = [];
  const base = MunicipalityReference.parse(stavropol);
  for (let code = 1; code <= 89; code++) {
    const c = String(code).padStart(2, '0');
    if (c === '26') {
      refs.push(base);
      continue;
    }
    // 88 synthetic regions, 22-34 municipalities each, 2 467 in all: with Stavropol's 33, 2 500
    const n = 28 + (code % 2 === 0 ? 6 : -6) * ((code % 4) >> 1 ? 1 : 0) + (code <= 3 ? 1 : 0);
    const used = new Set<string>();
    const municipalities: MunicipalityReference['municipalities'] = [];
    for (let k = 0; municipalities.length < n && k < 10_000; k++) {
      const word = SYL[Math.floor(rand() * SYL.length)]! + SYL[Math.floor(rand() * SYL.length)]! + CONS_END[Math.floor(rand() * CONS_END.length)]!;
      if (used.has(word.slice(0, 6))) continue;
      used.add(word.slice(0, 6));
      const city = rand() < 0.15;
      municipalities.push({
        id: `r${c}-m${String(municipalities.length + 1).padStart(3, '0')}`,
        name: city ? `город ${cap(word)}` : `${cap(word)}ский муниципальный округ`,
        status: city ? 'urban_okrug' : 'municipal_okrug',
      });
    }
    refs.push(MunicipalityReference.parse({ region: { code: c, name: `Синтетическая область ${c}` }, municipalities }));
  }
  // Keep only names the project's matcher resolves to themselves.
  for (const r of refs) {
    const m = createMunicipalityMatcher(r);
    r.municipalities = r.municipalities.filter((e) => {
      const hit = m(e.name);
      return hit.ok && hit.value.id === e.id;
    });
  }
  return refs;
}

type Dataset = { rows: number; regions: readonly RegionRef[] };

const TYPES = ['МБОУ СОШ', 'МКОУ СОШ', 'МБОУ лицей', 'МБОУ гимназия', 'МКОУ ООШ', 'ГБОУ школа-интернат'];

function groupN(n: number, rand: () => number): string {
  if (n < 1000) return String(n);
  const s = String(n);
  const sep = rand() < 0.5 ? ' ' : '\u00a0';
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += sep;
    out += s[i];
  }
  return out;
}

function csvCell(s: string): string {
  return /[";\n\r]/u.test(s) ? `"${s.replace(/"/gu, '""')}"` : s;
}

/**
 * Rows of a national export, region by region, municipality by municipality. Each row is
 * the array of 16 cell strings (as a CSV exporter writes them) plus numeric twins for XLSX.
 */
export function* nationalRows(ds: Dataset): Generator<{ region: string; cells: string[]; nums: (number | null)[] }> {
  const rand = prng(ds.rows);
  const regionWeights = ds.regions.map((_, i) => 0.5 + ((i * 7919) % 100) / 100);
  const wsum = regionWeights.reduce((a, b) => a + b, 0);
  let emitted = 0;
  for (let ri = 0; ri < ds.regions.length; ri++) {
    const ref = ds.regions[ri]!;
    const code = ref.region.code;
    const n = ri === ds.regions.length - 1 ? ds.rows - emitted : Math.round((ds.rows * regionWeights[ri]!) / wsum);
    const muns = ref.municipalities;
    for (let k = 0; k < n; k++) {
      const school = k; // unique per region
      const mun = muns[Math.floor((k * muns.length) / n)]!;
      const munName = rand() < 0.1 && !mun.name.startsWith('город') ? mun.name.replace('муниципальный округ', 'МО') : mun.name;
      const type = TYPES[school % TYPES.length]!;
      const quoted = rand() < 0.4;
      const name = quoted ? `${type} "Школа № ${1 + (school % 97)}" ${mun.name.split(' ')[0]} (${school + 1})` : `${type} № ${1 + (school % 97)} (${school + 1})`;
      const first9 = `${code}${String(1_000_000 + school).slice(-7)}`;
      const inn = `${first9}${innCheckDigit(first9)}`;
      const kpp = `${code}${String(1 + (school % 90)).padStart(2, '0')}01001`;
      const inSferum = rand() < 0.97;
      const active = inSferum && rand() < 0.92;
      const teachers = 10 + Math.floor(rand() * 120);
      const teachersIn = inSferum ? Math.floor(teachers * (0.7 + rand() * 0.3)) : 0;
      const students = 80 + Math.floor(rand() * 2400);
      const studentsIn = inSferum ? Math.floor(students * (0.5 + rand() * 0.5)) : 0;
      const chat = Math.floor(teachersIn * rand() * 0.5);
      const msg3 = Math.floor(teachersIn * rand() * 0.2);
      const msg10 = Math.floor(msg3 * rand() * 0.5);
      const calls = Math.floor(teachersIn * rand() * 0.1);
      const nums = [teachers, teachersIn, students, studentsIn, chat, msg3, msg10, calls];
      const cells = [ref.region.name, munName, name, inn, kpp, PERIOD_CELL, inSferum ? 'Да' : 'Нет', active ? 'Да' : 'Нет', ...nums.map((v) => groupN(v, rand))];
      yield { region: code, cells, nums };
    }
    emitted += n;
  }
}

const line = (cells: readonly string[]) => `${cells.map(csvCell).join(';')}\r\n`;

class Sink {
  #ws;
  #buf: string[] = [];
  #len = 0;
  bytes = 0;
  constructor(
    path: string,
    private readonly cp1251: boolean,
  ) {
    this.#ws = createWriteStream(path);
    if (!cp1251) this.#write(Buffer.from([0xef, 0xbb, 0xbf])); // UTF-8 BOM, as Excel writes it
  }
  #write(b: Uint8Array) {
    this.bytes += b.length;
    return this.#ws.write(b);
  }
  async add(s: string) {
    this.#buf.push(s);
    this.#len += s.length;
    if (this.#len > 1 << 20) await this.flush();
  }
  async flush() {
    const text = this.#buf.join('');
    this.#buf = [];
    this.#len = 0;
    if (!this.#write(this.cp1251 ? encodeCp1251(text) : Buffer.from(text, 'utf8'))) await once(this.#ws, 'drain');
  }
  async close() {
    await this.flush();
    this.#ws.end();
    await once(this.#ws, 'finish');
  }
}

export type Inputs = {
  dir: string;
  references: RegionRef[];
  /** dataset name → whole file, split dir with per-region files, rows */
  files: Record<string, { path: string; split: string; rows: number; bytes: number; kind: 'csv' | 'xlsx'; encoding: 'utf-8' | 'windows-1251' | null }>;
};

/** Writes one CSV dataset (whole + split per region); `limits` lists row prefixes to cut too. */
async function writeCsv(dir: string, name: string, ds: Dataset, cp1251: boolean, prefixes: Record<string, number>, files: Inputs['files']) {
  // Windows-1251 has no `≥`: a CP1251 export writes `>=` (the header fold treats both alike).
  const header = line(cp1251 ? HEADERS.map((h) => h.replace('≥', '>=')) : HEADERS);
  const outs = Object.entries(prefixes).map(([pname, limit]) => {
    const split = join(dir, `${pname}.split`);
    mkdirSync(split, { recursive: true });
    return { pname, limit, whole: new Sink(join(dir, `${pname}.csv`), cp1251), split, per: new Map<string, Sink>(), rows: 0 };
  });
  for (const o of outs) await o.whole.add(header);
  let i = 0;
  for (const r of nationalRows(ds)) {
    const l = line(r.cells);
    for (const o of outs) {
      if (i >= o.limit) continue;
      o.rows++;
      await o.whole.add(l);
      let s = o.per.get(r.region);
      if (!s) {
        s = new Sink(join(o.split, `${r.region}.csv`), cp1251);
        await s.add(header);
        // close the previous region's file: rows come region by region
        for (const [code, prev] of o.per) if (code !== r.region) await prev.close();
        for (const code of [...o.per.keys()]) if (code !== r.region) o.per.delete(code);
        o.per.set(r.region, s);
      }
      await s.add(l);
    }
    i++;
  }
  for (const o of outs) {
    await o.whole.close();
    for (const s of o.per.values()) await s.close();
    files[o.pname] = { path: join(dir, `${o.pname}.csv`), split: o.split, rows: o.rows, bytes: o.whole.bytes, kind: 'csv', encoding: cp1251 ? 'windows-1251' : 'utf-8' };
  }
  void name;
}

async function writeXlsx(dir: string, name: string, ds: Dataset, files: Inputs['files']) {
  // loaded here, not with the module: the measurement children import this file for its
  // constants, and exceljs would add ~27 MiB to every child's peak RSS
  const { default: ExcelJS } = await import('exceljs');
  const split = join(dir, `${name}.split`);
  mkdirSync(split, { recursive: true });
  const open = (path: string) => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: false });
    const ws = wb.addWorksheet('ОО');
    ws.addRow([...HEADERS]).commit();
    return { wb, ws };
  };
  const row = (r: { cells: string[]; nums: (number | null)[] }) => [...r.cells.slice(0, 3), Number(r.cells[3]), r.cells[4], ...r.cells.slice(5, 8), ...r.nums];
  const whole = open(join(dir, `${name}.xlsx`));
  let cur = null as { code: string; w: ReturnType<typeof open> } | null;
  let rows = 0;
  for (const r of nationalRows(ds)) {
    whole.ws.addRow(row(r)).commit();
    if (cur?.code !== r.region) {
      if (cur) {
        cur.w.ws.commit();
        await cur.w.wb.commit();
      }
      cur = { code: r.region, w: open(join(split, `${r.region}.xlsx`)) };
    }
    cur.w.ws.addRow(row(r)).commit();
    rows++;
  }
  if (cur) {
    cur.w.ws.commit();
    await cur.w.wb.commit();
  }
  whole.ws.commit();
  await whole.wb.commit();
  const { statSync } = await import('node:fs');
  files[name] = { path: join(dir, `${name}.xlsx`), split, rows, bytes: statSync(join(dir, `${name}.xlsx`)).size, kind: 'xlsx', encoding: null };
}

/**
 * One region's schools as one upload (the memory worst case of the mapper's per-upload
 * state): region 26's reference, `one-100k` … `one-1m` rows, each school once (`one-900k`,
 * ~193 MiB, is the largest under the production limits: see BENCHMARKS.md). Written once
 * into the dir (independent of the options), like the garbage dataset.
 */
export const ONE_REGION_ROWS = { 'one-100k': 100_000, 'one-300k': 300_000, 'one-900k': 900_000, 'one-1m': 1_000_000 } as const;

async function withOneRegion(dir: string, references: readonly RegionRef[], files: Inputs['files']): Promise<Inputs['files']> {
  const { statSync, rmSync } = await import('node:fs');
  const out = { ...files };
  const ref = references.find((r) => r.region.code === '26')!;
  const max = Math.max(...Object.values(ONE_REGION_ROWS));
  if (!Object.keys(ONE_REGION_ROWS).every((n) => existsSync(join(dir, `${n}.csv`)))) {
    await writeCsv(dir, 'one', { rows: max, regions: [ref] }, false, { ...ONE_REGION_ROWS }, out);
  }
  for (const [name, rows] of Object.entries(ONE_REGION_ROWS)) {
    const path = join(dir, `${name}.csv`);
    out[name] = { path, split: join(dir, `${name}.split`), rows, bytes: statSync(path).size, kind: 'csv', encoding: 'utf-8' };
  }
  // one line of 150 MB, the file's first: the reader must refuse it before it is held whole
  // (the delimiter detection read the first record whole: 430 MiB, issue 24)
  const linePath = join(dir, 'line-150m.csv');
  if (!existsSync(linePath) || statSync(linePath).size < LINE_BYTES) {
    rmSync(linePath, { force: true });
    const sink = new Sink(linePath, false);
    const chunk = 'Ы'.repeat(1 << 19); // 1 MiB of UTF-8 per chunk, no delimiter, no newline
    for (let b = 0; b < LINE_BYTES; b += 1 << 20) await sink.add(chunk);
    await sink.add('\r\n');
    await sink.close();
  }
  out['line-150m'] = { path: linePath, split: join(dir, 'line-150m.split'), rows: 1, bytes: statSync(linePath).size, kind: 'csv', encoding: 'utf-8' };
  return out;
}

const LINE_BYTES = 150 * 1024 * 1024;

export const GARBAGE_ROWS = 200_000;

/** The garbage dataset, written once into the dir (it does not depend on the options). */
async function withGarbage(dir: string, files: Inputs['files']): Promise<Inputs['files']> {
  const path = join(dir, 'garbage-200k.csv');
  if (!existsSync(path)) {
    const rnd = prng(12);
    const junk = ['когда-то', 'x', '-5', '1,5', 'может', 'много', '0x1F', 'N/A', '?', 'Нигде', '12.13-45.14.2023', '123'];
    const sink = new Sink(path, false);
    await sink.add(line(HEADERS));
    for (let i = 0; i < GARBAGE_ROWS; i++) await sink.add(line(HEADERS.map(() => junk[Math.floor(rnd() * junk.length)]!)));
    await sink.close();
  }
  const { statSync } = await import('node:fs');
  return { ...files, 'garbage-200k': { path, split: join(dir, 'garbage-200k.split'), rows: GARBAGE_ROWS, bytes: statSync(path).size, kind: 'csv', encoding: 'utf-8' } };
}

/** Generates every input unless the dir already holds this generator version's output. */
export async function generate(dir: string, opts: { bigRows: number; nationalRows: number }): Promise<Inputs> {
  mkdirSync(dir, { recursive: true });
  const manifest = join(dir, 'manifest.json');
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as Inputs & { version: number; opts: typeof opts };
    if (m.version === GEN_VERSION && JSON.stringify(m.opts) === JSON.stringify(opts)) return withManifest(manifest, { ...m, files: await withOneRegion(dir, m.references, await withGarbage(dir, m.files)) });
  }
  const references = makeReferences();
  writeFileSync(join(dir, 'references.json'), JSON.stringify(references));
  const files: Inputs['files'] = {};
  const national = { rows: opts.nationalRows, regions: references };
  await writeCsv(dir, 'nat-utf8', national, false, { 'nat-utf8': opts.nationalRows }, files);
  await writeCsv(dir, 'nat-cp1251', national, true, { 'nat-cp1251': opts.nationalRows }, files);
  await writeXlsx(dir, 'nat-xlsx', national, files);
  const big = { rows: opts.bigRows, regions: references };
  const prefixes: Record<string, number> = {};
  for (const n of [100_000, 500_000, opts.bigRows]) if (n <= opts.bigRows) prefixes[`big-${n >= 1e6 ? `${n / 1e6}m` : `${n / 1e3}k`}`] = n;
  await writeCsv(dir, 'big', big, false, prefixes, files);
  return withManifest(manifest, { dir, references, files: await withOneRegion(dir, references, await withGarbage(dir, files)), version: GEN_VERSION, opts });
}

function withManifest<T extends Inputs>(path: string, m: T): T {
  writeFileSync(path, JSON.stringify(m));
  return m;
}
