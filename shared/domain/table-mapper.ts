// Pure: turns the raw cells of one table (a CSV file or one XLSX sheet) into validated
// school or municipality rows, one row at a time, so a million-row file streams through
// without being held in memory. Cross-row rules live here too: totals rows (checked
// against the computed sums), duplicates (identical → one school and a warning;
// conflicting → both rejected) and branches (same INN, different names).
// No I/O: the caller feeds rows and stages what comes out.
import { HashIndex, SeenSchools } from './compact-keys.ts';
import { IssueCode } from './errors.ts';
import { createIssueLog, type IssueLog } from './upload-report.ts';
import { looksLikeMojibake, type HeaderMapping } from './normalise/headers.ts';
import { parseCount } from './normalise/count.ts';
import { parseInn, parseKpp } from './normalise/inn.ts';
import type { createMunicipalityMatcher } from './normalise/municipality.ts';
import { parseDay, parsePeriod, periodOfDays } from './normalise/period.ts';
import { resolveRegion } from './normalise/region.ts';
import { foldText } from './normalise/text.ts';
import { beyondBound, countsAboveTotal, DEFAULT_BOUNDS, type PlausibilityBounds } from './plausibility.ts';
import { parseYesNo } from './normalise/yesno.ts';
import type { CellValue } from './cell.ts';
import type { Result } from './result.ts';
import {
  MunicipalityRow,
  SCHOOL_COUNT_FIELDS,
  SchoolRow,
  periodKey,
  periodLabel,
  type FieldName,
  type Issue,
  type Period,
  type SchoolCountField,
  type TableKind,
} from './schemas.ts';

export type MapperContext = {
  readonly file: string;
  readonly sheet: string | null;
  readonly headers: readonly string[];
  readonly mapping: HeaderMapping & { kind: TableKind };
  /** period from a title line, the file name, key or metadata, used when a row carries none */
  readonly fallbackPeriod: Period | null;
  /** the upload's day (YYYY-MM-DD): a period starting well after it is a warning */
  readonly receivedOn?: string;
  /** region from the key or the configuration, used when the table has no region column */
  readonly objectKey: string;
  readonly defaultRegion: string | null;
  readonly knownRegions: readonly { code: string; name: string }[];
  /** the municipality matcher of each region that has a reference list */
  readonly matchers: ReadonlyMap<string, MunicipalityMatcher>;
  /** where errors and warnings go (bounded); one log may serve every table of a file */
  readonly issues?: IssueLog;
  /**
   * The region of the file's rows so far, shared by its tables: one upload commits under one
   * region's pointers, so a second region ends the file at its first row.
   */
  readonly fileRegion?: { code: string | null };
  /** counts beyond these are row errors (plausibility.ts); the defaults when absent */
  readonly bounds?: PlausibilityBounds;
  /** schools one table may hold (DEFAULT_MAX_SCHOOLS when absent) */
  readonly maxSchools?: number;
};

export type TableAdmission =
  | { readonly kind: 'table'; readonly mapping: HeaderMapping & { kind: TableKind }; readonly warnings: readonly Issue[] }
  | { readonly kind: 'skip'; readonly warning: Issue }
  | { readonly kind: 'reject'; readonly error: Issue };

/**
 * The header rules of one table: whether its header makes it a table of the contract, a
 * sheet to skip (a workbook may hold notes or instructions) or a reason to reject the file.
 */
export function admitTable(t: {
  readonly file: string;
  readonly sheet: string | null;
  readonly headerRow: number;
  readonly headers: readonly string[];
  readonly mapping: HeaderMapping;
  /** a period is known without a period column (title line, file name, key, metadata) */
  readonly periodElsewhere: boolean;
  /** a workbook sheet, which may be skipped; a CSV file is its one table */
  readonly skippable: boolean;
  /** where the period comes from when no column holds it: said in a warning, it is a guess */
  readonly periodFrom?: { readonly period: Period; readonly source: string; readonly row: number | null } | null;
}): TableAdmission {
  const { mapping, headers } = t;
  const at = (code: string, message: string, column: string | null = null): Issue => ({ code, message, file: t.file, sheet: t.sheet, row: t.headerRow, column, value: null });
  if (mapping.kind === null) {
    if (looksLikeMojibake(headers)) {
      return { kind: 'reject', error: at(IssueCode.MojibakeHeaders, 'the headers look like UTF-8 text that was decoded as Windows-1251 and saved again; export the file again as UTF-8 or Windows-1251') };
    }
    if (t.skippable) return { kind: 'skip', warning: at(IssueCode.NotATable, 'sheet has no recognisable school or municipality columns; skipped') };
    return { kind: 'reject', error: at(IssueCode.NotATable, 'no school or municipality columns found in the header row') };
  }
  if (mapping.missing.length > 0) {
    // `column` keeps the missing fields' ids (stable for programs); `value` the headers the
    // file does have, so the admin's message can set what is missing beside what was found
    const found = headers.map((x) => x.trim()).filter((x) => x !== '');
    return { kind: 'reject', error: { ...at(IssueCode.MissingColumn, `required column missing: ${mapping.missing.join(', ')}`, mapping.missing.join(', ')), value: found.join('; ') } };
  }
  const dup = mapping.duplicates[0];
  if (dup) {
    return { kind: 'reject', error: at(IssueCode.DuplicateColumn, `several columns map to ${dup.field}: ${dup.indexes.map((i) => headers[i]).join(', ')}`, dup.field) };
  }
  const split = mapping.columns.includes('period_start') || mapping.columns.includes('period_end');
  if (!mapping.columns.includes('period') && !split && !t.periodElsewhere) {
    return { kind: 'reject', error: at(IssueCode.NoPeriod, 'no period column, and neither a title line, the file name, the object key nor its metadata carries a period') };
  }
  // Only the header name is reported: the values of unknown columns may be personal data.
  const warnings = mapping.unknown.map((u) => ({ ...at(IssueCode.UnknownColumn, `unknown column ignored: ${u.header}`, u.header) }));
  if (!mapping.columns.includes('period') && !split && t.periodFrom) {
    const f = t.periodFrom;
    const where =
      f.source === 'title' ? `строки над таблицей (строка ${f.row ?? '?'}, ячейка ${cellRef(0, f.row ?? 1)})` : f.source === 'file_name' ? 'имени файла' : f.source === 'object_key' ? 'пути загруженного объекта' : 'метаданных загруженного объекта';
    warnings.push({ ...at(IssueCode.PeriodGuessed, `в таблице нет столбца периода: период ${periodLabel(f.period)} взят из ${where}`), row: f.source === 'title' ? f.row : null, value: periodLabel(f.period) });
  }
  // A column matched by a guess is read, and the admin is told which cell was guessed at.
  for (const n of mapping.notes) {
    const cell = cellRef(n.index, t.headerRow);
    warnings.push(
      n.code === 'homoglyph'
        ? at(IssueCode.HeaderHomoglyph, `заголовок «${n.header}» (ячейка ${cell}) содержит латинские буквы, похожие на русские; столбец прочитан как ${n.field}`, n.header)
        : at(IssueCode.HeaderCombined, `заголовок столбца ${cell.replace(/\d+$/u, '')} распознан только вместе с заголовком группы над ним: «${n.header}» прочитан как ${n.field}`, n.header),
    );
  }
  return { kind: 'table', mapping: { ...mapping, kind: mapping.kind }, warnings };
}

/** `A`, `Z`, `AA`: a spreadsheet's column letters for a 0-based index. */
export function columnLetters(index: number): string {
  let out = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

/** `C5`: the cell an admin finds a value by, for a 0-based column and the sheet's row number. */
export function cellRef(index: number, row: number): string {
  return `${columnLetters(index)}${row}`;
}

/** A cell the reader could give no value (an XLSX error or uncalculated formula), by its reference. */
export type UnreadableCell = { readonly index: number; readonly cell: string; readonly why: string };

/** Resolves a municipality cell to the reference entry of its region. */
export type MunicipalityMatcher = ReturnType<typeof createMunicipalityMatcher>;

export type MappedRow =
  | { readonly kind: 'schools'; readonly row: SchoolRow }
  | { readonly kind: 'municipalities'; readonly row: MunicipalityRow };

export type RowOutcome =
  | { readonly type: 'row'; readonly mapped: MappedRow }
  | { readonly type: 'skipped' }
  | { readonly type: 'rejected' }
  /** the row makes the whole file unacceptable (a second region) */
  | { readonly type: 'file_error'; readonly issue: Issue };

export type MapperSummary = {
  /** rows already handed out that a later conflicting duplicate turned into rejections */
  readonly retract: readonly { period: Period; schoolKey: string }[];
  readonly accepted: number;
  readonly rejected: number;
  readonly skipped: number;
};

/**
 * Schools one table may hold: the duplicate rule remembers each (~40 bytes), and 1 000 000
 * of them ingest under 200 MiB peak RSS (BENCHMARKS.md, `ingest1:one-1m`); one more is a
 * file error at that row, before the memory grows further.
 */
export const DEFAULT_MAX_SCHOOLS = 1_000_000;

const FUTURE_DAYS = 7;

// Totals rows kept for the sums check: a table has one, a garbage file may have thousands.
const MAX_TOTALS_ROWS = 100;
/** Columns without a header reported per table; a sheet of stray notes says enough with these. */
const MAX_UNREAD_WARNINGS = 20;

/** Creates a stateful mapper for one table; its issue log collects errors and warnings in order. */
export function createTableMapper(ctx: MapperContext) {
  const { mapping, headers } = ctx;
  const kind = mapping.kind;
  const col = new Map<FieldName, number>();
  mapping.columns.forEach((f, i) => {
    if (f !== null && !col.has(f)) col.set(f, i);
  });
  const hasKpp = col.has('school_kpp');
  const bounds = ctx.bounds ?? DEFAULT_BOUNDS;
  const presentCounts = SCHOOL_COUNT_FIELDS.filter((f) => col.has(f));
  const log = ctx.issues ?? createIssueLog();
  // per school of the table, compact (compact-keys.ts): its memory is the ingest's largest
  const seen = new SeenSchools(presentCounts.length);
  const maxSchools = ctx.maxSchools ?? DEFAULT_MAX_SCHOOLS;
  // the branch rule (no KPP column): INNs seen, and INN + name pairs seen
  const inns = new HashIndex();
  const innNames = new HashIndex();
  const sums = new Map<SchoolCountField, number>();
  const totalsRows: { row: number; values: Map<SchoolCountField, number | null> }[] = [];
  let accepted = 0;
  let rejected = 0;
  let skipped = 0;
  let retract: { period: Period; schoolKey: string }[] = [];

  const issue = (code: string, message: string, row: number, field: FieldName | null, value: CellValue): Issue => ({
    code,
    message,
    file: ctx.file,
    sheet: ctx.sheet,
    row,
    column: field === null ? null : (headers[col.get(field) ?? -1] ?? field),
    value: value === null || value === undefined ? null : cellText(value),
  });

  const cell = (cells: readonly CellValue[], f: FieldName): CellValue => {
    const i = col.get(f);
    return i === undefined ? null : (cells[i] ?? null);
  };

  /** Reads a field through its normaliser; a failure becomes a row error naming the cell. */
  function field<T>(cells: readonly CellValue[], row: number, f: FieldName, parse: (v: CellValue) => Result<T>, problems: Issue[]): T | undefined {
    const raw = cell(cells, f);
    const r = parse(raw);
    if (r.ok) return r.value;
    problems.push(issue(r.code, r.message, row, f, raw));
    return undefined;
  }

  function required<T>(v: T | null | undefined, row: number, f: FieldName, cells: readonly CellValue[], problems: Issue[]): T | undefined {
    if (v === null) {
      problems.push(issue(IssueCode.MissingValue, `${f} is required`, row, f, cell(cells, f)));
      return undefined;
    }
    return v ?? undefined;
  }

  // A cheap look at the raw text first: folding every row's names just to find the one
  // totals row cost a fifth of the ingest's CPU (bench profile).
  const TOTALS_HINT = /^[\s\u00a0]*[ИиВв]/u;
  const isLabel = (v: CellValue) => {
    const t = cellText(v);
    if (!TOTALS_HINT.test(t)) return false;
    const f = foldText(t);
    return f.startsWith('итого') || f.startsWith('всего');
  };

  function isTotalsRow(cells: readonly CellValue[]): boolean {
    if (!isLabel(cell(cells, kind === 'schools' ? 'school_name' : 'municipality')) && !isLabel(cell(cells, 'municipality'))) return false;
    const key = kind === 'schools' ? cell(cells, 'school_inn') : null;
    return key === null || key === '';
  }

  // A table repeats a handful of region values; resolve each distinct cell once.
  const regions = new Map<string, Result<string>>();
  function regionOf(cells: readonly CellValue[], row: number, problems: Issue[]): string | undefined {
    const value = col.has('region') ? cell(cells, 'region') : undefined;
    const memo = `${typeof value}:${cellText(value ?? null)}`;
    let r = regions.get(memo);
    if (!r) {
      r = resolveRegion({ columnValue: value, key: ctx.objectKey, defaultRegion: ctx.defaultRegion, known: ctx.knownRegions });
      if (regions.size < 1000) regions.set(memo, r);
    }
    if (r.ok) return r.value;
    problems.push(issue(r.code, r.message, row, col.has('region') ? 'region' : null, cell(cells, 'region')));
    return undefined;
  }

  // Every row of a table usually carries the same period text; parse each distinct text once.
  const periods = new Map<string, Result<Period>>();
  const periodCell = (raw: CellValue): Result<Period> => {
    if (typeof raw !== 'string') return parsePeriod(raw);
    let r = periods.get(raw);
    if (!r) {
      r = parsePeriod(raw);
      if (periods.size < 1000) periods.set(raw, r);
    }
    return r;
  };

  // A period starting more than FUTURE_DAYS after the upload is a typo of the year or the
  // month more often than an early export: said once per distinct period.
  const futureFrom = ctx.receivedOn ? new Date(Date.parse(ctx.receivedOn) + FUTURE_DAYS * 86_400_000).toISOString().slice(0, 10) : null;
  const warnedFuture = new Set<string>();
  function checkFuture(p: Period, row: number, raw: CellValue) {
    if (futureFrom === null || p.start <= futureFrom || warnedFuture.has(p.start) || warnedFuture.size >= 100) return;
    warnedFuture.add(p.start);
    log.warn(issue(IssueCode.FuturePeriod, `the period starts on ${p.start}, more than ${FUTURE_DAYS} days after the upload (${ctx.receivedOn})`, row, col.has('period') ? 'period' : null, raw ?? periodKey(p)));
  }

  /**
   * A lone date where a period belongs: the week the file states elsewhere (a title line,
   * the file name) when the date lies in it, else a row error naming the cell. Never the
   * week guessed from the date alone.
   */
  function singleDate(f: FieldName, raw: CellValue, day: string | null, row: number, problems: Issue[]): Period | undefined {
    const stated = ctx.fallbackPeriod;
    if (stated && (day === null || (stated.start <= day && day <= stated.end))) return stated;
    const at = cellRef(col.get(f) ?? 0, row);
    const why = stated ? `не входит в период ${periodLabel(stated)}, указанный в файле` : 'конец периода нигде в файле не указан';
    problems.push(issue(IssueCode.PeriodSingleDate, `ячейка ${at}: одна дата${day ? ` (${day.split('-').reverse().join('.')})` : ''} — не период, а ${why}; укажите период целиком (06.03-10.03.2023) или столбцы «с» и «по»`, row, f, raw));
    return undefined;
  }

  /** A period split over a «с» and a «по» column: both ends, each a date cell or text. */
  function splitPeriodOf(cells: readonly CellValue[], row: number, problems: Issue[]): Period | undefined {
    const from = field(cells, row, 'period_start', parseDay, problems);
    const to = field(cells, row, 'period_end', parseDay, problems);
    if (from === undefined || to === undefined) return undefined;
    if (from !== null && to !== null) return field(cells, row, 'period_start', () => periodOfDays(from, to), problems);
    if (from === null && to === null) {
      if (ctx.fallbackPeriod) return ctx.fallbackPeriod;
      problems.push(issue(IssueCode.MissingValue, 'the row has no period and the file name carries none', row, 'period_start', null));
      return undefined;
    }
    return from === null ? singleDate('period_end', cell(cells, 'period_end'), to, row, problems) : singleDate('period_start', cell(cells, 'period_start'), from, row, problems);
  }

  function periodOf(cells: readonly CellValue[], row: number, problems: Issue[]): Period | undefined {
    if (!col.has('period') && (col.has('period_start') || col.has('period_end'))) {
      const p = splitPeriodOf(cells, row, problems);
      if (p) checkFuture(p, row, null);
      return p;
    }
    const raw = cell(cells, 'period');
    if (raw === null || raw === '') {
      if (ctx.fallbackPeriod) {
        checkFuture(ctx.fallbackPeriod, row, null);
        return ctx.fallbackPeriod;
      }
      problems.push(issue(IssueCode.MissingValue, 'the row has no period and the file name carries none', row, 'period', raw));
      return undefined;
    }
    const r = periodCell(raw);
    if (!r.ok && r.code === IssueCode.PeriodSingleDate) {
      const day = parseDay(raw);
      return singleDate('period', raw, day.ok ? day.value : null, row, problems);
    }
    const p = field(cells, row, 'period', () => r, problems);
    if (p) checkFuture(p, row, raw);
    return p;
  }

  function municipalityOf(cells: readonly CellValue[], row: number, region: string | undefined, problems: Issue[]) {
    if (region === undefined) return undefined;
    const matcher = ctx.matchers.get(region);
    if (!matcher) {
      problems.push(issue(IssueCode.UnknownRegion, `no municipality reference for region ${region}`, row, 'municipality', cell(cells, 'municipality')));
      return undefined;
    }
    return field(cells, row, 'municipality', matcher, problems);
  }

  function mapSchool(cells: readonly CellValue[], row: number, problems: Issue[]): SchoolRow | undefined {
    const region = regionOf(cells, row, problems);
    const period = periodOf(cells, row, problems);
    const municipality = municipalityOf(cells, row, region, problems);
    const inn = field(cells, row, 'school_inn', parseInn, problems);
    const kpp = hasKpp ? field(cells, row, 'school_kpp', parseKpp, problems) : null;
    const nameRaw = cellText(cell(cells, 'school_name')).trim();
    if (nameRaw === '') problems.push(issue(IssueCode.MissingValue, 'school_name is required', row, 'school_name', null));
    const inSferum = required(field(cells, row, 'in_sferum', parseYesNo, problems), row, 'in_sferum', cells, problems);
    const adminActive = required(field(cells, row, 'admin_active', parseYesNo, problems), row, 'admin_active', cells, problems);
    const counts = {} as Record<SchoolCountField, number | null>;
    for (const f of SCHOOL_COUNT_FIELDS) {
      counts[f] = col.has(f) ? (field(cells, row, f, parseCount, problems) ?? null) : null;
      const beyond = beyondBound(f, counts[f], bounds);
      if (beyond) problems.push(issue(IssueCode.ImplausibleCount, beyond, row, f, cell(cells, f)));
    }
    if (problems.length > 0 || region === undefined || period === undefined || municipality === undefined || inn === undefined || kpp === undefined || inSferum === undefined || adminActive === undefined) {
      return undefined;
    }
    const schoolKey = hasKpp ? `${inn}:${kpp ?? '-'}` : `${inn}#${foldText(nameRaw)}`;
    const candidate = {
      region,
      period,
      municipality_id: municipality.id,
      school_key: schoolKey,
      school_inn: inn,
      school_kpp: kpp,
      school_name: nameRaw,
      in_sferum: inSferum,
      admin_active: adminActive,
      ...counts,
    };
    const parsed = SchoolRow.safeParse(candidate);
    if (!parsed.success) {
      problems.push(issue(IssueCode.MissingValue, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), row, null, null));
      return undefined;
    }
    return parsed.data;
  }

  function mapMunicipality(cells: readonly CellValue[], row: number, problems: Issue[]): MunicipalityRow | undefined {
    const region = regionOf(cells, row, problems);
    const period = periodOf(cells, row, problems);
    const municipality = municipalityOf(cells, row, region, problems);
    const inSferum = required(field(cells, row, 'in_sferum', parseYesNo, problems), row, 'in_sferum', cells, problems);
    const adminActive = required(field(cells, row, 'admin_active', parseYesNo, problems), row, 'admin_active', cells, problems);
    if (problems.length > 0 || region === undefined || period === undefined || municipality === undefined || inSferum === undefined || adminActive === undefined) {
      return undefined;
    }
    const parsed = MunicipalityRow.safeParse({ region, period, municipality_id: municipality.id, in_sferum: inSferum, admin_active: adminActive });
    if (!parsed.success) {
      problems.push(issue(IssueCode.MissingValue, parsed.error.message, row, null, null));
      return undefined;
    }
    return parsed.data;
  }

  /** A valid row of another region than the file's earlier rows, as the file error it is. */
  function otherRegion(region: string, row: number): Issue | null {
    const lock = ctx.fileRegion;
    if (!lock || lock.code === region) return null;
    if (lock.code === null) {
      lock.code = region;
      return null;
    }
    return issue(IssueCode.UnknownRegion, `the file mixes regions: this row is in region ${region}, earlier rows in ${lock.code}; upload one file per region`, row, col.has('region') ? 'region' : null, region);
  }

  /** Duplicate and branch rules for a valid school row: emit it, skip a repeat, reject a conflict, or end the file. */
  function admitSchool(r: SchoolRow, row: number): 'emit' | 'skip' | 'reject' | Issue {
    const k = `${periodKey(r.period)}|${r.school_key}`;
    const fingerprint = schoolFingerprint(r);
    const prev = seen.find(k);
    if (prev < 0 && seen.size >= maxSchools) {
      return issue(IssueCode.TooManyRows, `the table has more than ${maxSchools} schools (limit ${maxSchools}, INGEST_MAX_SCHOOLS); upload it in parts, by municipality or by week`, row, null, null);
    }
    if (!hasKpp) {
      const innSeen = inns.upsert(r.school_inn).added === false;
      if (innNames.upsert(r.school_key).added && innSeen) {
        log.warn(issue(IssueCode.PossibleBranch, `INN ${r.school_inn} appears with another school name: possible branch, kept as a separate unit`, row, 'school_inn', r.school_inn));
      }
    }
    if (prev < 0) {
      seen.add(k, row, fingerprint, presentCounts.map((f) => r[f]));
      return 'emit';
    }
    const prevRow = seen.row(prev);
    if (!seen.conflicted(prev) && seen.sameValues(prev, fingerprint)) {
      log.warn(issue(IssueCode.DuplicateIdentical, `school ${r.school_key} repeats row ${prevRow} with identical values; counted once`, row, 'school_inn', r.school_inn));
      return 'skip';
    }
    const message = `school ${r.school_key} appears in rows ${prevRow} and ${row} with different values; both rejected`;
    if (!seen.conflicted(prev)) {
      if (seen.emitted(prev)) {
        retract.push({ period: r.period, schoolKey: r.school_key });
        accepted--;
        rejected++;
        subtractSums(seen.counts(prev));
      }
      seen.markConflicted(prev);
      log.error(issue(IssueCode.DuplicateConflict, message, prevRow, 'school_inn', r.school_inn));
    }
    log.error(issue(IssueCode.DuplicateConflict, message, row, 'school_inn', r.school_inn));
    return 'reject';
  }

  // Columns whose values nobody reads because their header is blank (an unknown header is
  // already reported by name): the first value in each is said once, by cell, so data in a
  // column without a header is never dropped silently.
  const unnamed = headers.flatMap((h, i) => (mapping.columns[i] == null && h.trim() === '' ? [i] : []));
  const unnamedFrom = headers.length;
  const warnedUnread = new Set<number>();
  function checkUnread(row: number, cells: readonly CellValue[]) {
    if (warnedUnread.size >= MAX_UNREAD_WARNINGS) return;
    const report = (i: number) => {
      if (warnedUnread.has(i)) return;
      const v = cells[i];
      if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return;
      warnedUnread.add(i);
      const at = cellRef(i, row);
      log.warn({
        code: IssueCode.UnreadColumnData,
        message: `столбец ${at.replace(/\d+$/u, '')} без заголовка содержит данные (первое значение — ячейка ${at}); столбец не прочитан: дайте ему заголовок из шаблона`,
        file: ctx.file,
        sheet: ctx.sheet,
        row,
        column: at.replace(/\d+$/u, ''),
        value: null,
      });
    };
    for (const i of unnamed) report(i);
    for (let i = unnamedFrom; i < cells.length && i < unnamedFrom + 64; i++) report(i);
  }

  // Sums of emitted rows for the totals check; a retracted row's values come out again,
  // read back from the duplicate rule's memory of its counts (in presentCounts order).
  function addSums(r: SchoolRow) {
    for (const f of presentCounts) {
      const v = r[f];
      if (v !== null) sums.set(f, (sums.get(f) ?? 0) + v);
    }
  }
  function subtractSums(counts: readonly (number | null)[]) {
    presentCounts.forEach((f, i) => {
      const v = counts[i] ?? null;
      if (v !== null) sums.set(f, (sums.get(f) ?? 0) - v);
    });
  }

  return {
    kind,
    issues: log,
    get errors() {
      return log.errors;
    },
    get warnings() {
      return log.warnings;
    },

    /** A row the reader could not read (CSV framing): rejected with the reader's issue. */
    reject(problem: Issue): RowOutcome {
      rejected++;
      log.error(problem);
      return { type: 'rejected' };
    },

    /**
     * Maps one raw row. Blank rows and totals rows are skipped; bad rows are rejected with
     * issues. `unreadable` are cells the reader could not give a value (null in `cells`).
     */
    accept(row: number, cells: readonly CellValue[], unreadable: readonly UnreadableCell[] = []): RowOutcome {
      if (cells.length > unnamedFrom || unnamed.length > 0) checkUnread(row, cells);
      const unknowable = unreadable.filter((u) => mapping.columns[u.index] != null);
      if (unknowable.length === 0 && cells.every((c) => c === null || (typeof c === 'string' && c.trim() === ''))) {
        skipped++;
        return { type: 'skipped' };
      }
      if (isTotalsRow(cells)) {
        skipped++;
        if (totalsRows.length < MAX_TOTALS_ROWS) {
          const values = new Map<SchoolCountField, number | null>();
          for (const f of presentCounts) {
            const r = parseCount(cell(cells, f));
            values.set(f, r.ok ? r.value : null);
          }
          totalsRows.push({ row, values });
        }
        return { type: 'skipped' };
      }
      if (unknowable.length > 0) {
        rejected++;
        // the cell, not "missing": the admin has a value there that Excel could not compute
        for (const u of unknowable) log.error(issue(IssueCode.UnreadableCell, `cell ${u.cell} ${u.why}`, row, mapping.columns[u.index]!, u.cell));
        return { type: 'rejected' };
      }
      const problems: Issue[] = [];
      if (kind === 'schools') {
        const r = mapSchool(cells, row, problems);
        const mixed = r && otherRegion(r.region, row);
        if (mixed) return { type: 'file_error', issue: mixed };
        const admission = r ? admitSchool(r, row) : 'reject';
        if (typeof admission === 'object') return { type: 'file_error', issue: admission };
        if (r && admission === 'emit') {
          // kept: the ministry's own figures have more teachers in Sferum than teachers
          for (const a of countsAboveTotal(r)) {
            const code = a.field === 'teachers_in_sferum' ? IssueCode.TeachersInSferumAboveTotal : IssueCode.CountAboveTotal;
            log.warn(issue(code, `school ${r.school_key}: ${a.message}`, row, a.field, a.value));
          }
          if (!r.school_inn.startsWith(r.region)) {
            log.warn(issue(IssueCode.InnOutsideRegion, `INN ${r.school_inn} was not issued in region ${r.region}`, row, 'school_inn', r.school_inn));
          }
          addSums(r);
          accepted++;
          return { type: 'row', mapped: { kind: 'schools', row: r } };
        }
        if (admission === 'skip') {
          skipped++;
          return { type: 'skipped' };
        }
      } else {
        const r = mapMunicipality(cells, row, problems);
        const mixed = r && otherRegion(r.region, row);
        if (mixed) return { type: 'file_error', issue: mixed };
        if (r) {
          accepted++;
          return { type: 'row', mapped: { kind: 'municipalities', row: r } };
        }
      }
      rejected++;
      for (const p of problems) log.error(p);
      return { type: 'rejected' };
    },

    /** Checks totals rows against the computed sums and hands back rows to retract. */
    finish(): MapperSummary {
      for (const t of totalsRows) {
        for (const [f, stated] of t.values) {
          const computed = sums.get(f) ?? 0;
          if (stated !== null && stated !== computed) {
            log.warn(issue(IssueCode.TotalsMismatch, `totals row says ${f} = ${stated}, the accepted rows sum to ${computed}`, t.row, f, stated));
          }
        }
      }
      if (totalsRows.length > 0) {
        log.warn(issue(IssueCode.TotalsRowSkipped, 'a totals row was skipped and checked against the computed sums', totalsRows[0]!.row, null, null));
      }
      const out = { retract, accepted, rejected, skipped };
      retract = [];
      return out;
    },
  };
}

export type TableMapper = ReturnType<typeof createTableMapper>;

/** The values that tell an identical repeat from a conflicting one, as one comparable string. */
function schoolFingerprint(r: SchoolRow): string {
  return JSON.stringify([r.municipality_id, r.school_name, r.in_sferum, r.admin_active, ...SCHOOL_COUNT_FIELDS.map((f) => r[f])]);
}

/** A cell as text for messages and name fields: numbers without exponent, dates as ISO days. */
export function cellText(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  return String(v);
}
