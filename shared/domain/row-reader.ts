// Pure: one raw row of a table read into a school or municipality row, or the row errors
// that say which cells are wrong. Cell parsing, region and municipality resolution and the
// period rules (a title's week, a lone date, a period in the future) live here; what the
// rows mean together (duplicates, totals, the file's region, the upload's scope) is the
// table mapper's (table-mapper.ts). A row is read at a time: nothing here grows with the file
// but the two bounded caches of distinct region and period texts.
import { IssueCode } from './errors.ts';
import { cellRef, cellText, type CellValue } from './cell.ts';
import type { IssueLog } from './upload-report.ts';
import { parseCount } from './normalise/count.ts';
import { parseInn, parseKpp } from './normalise/inn.ts';
import type { createMunicipalityMatcher } from './normalise/municipality.ts';
import { parseDay, parsePeriod, periodOfDays } from './normalise/period.ts';
import { resolveRegion } from './normalise/region.ts';
import { foldText } from './normalise/text.ts';
import { parseYesNo } from './normalise/yesno.ts';
import { beyondBound, type PlausibilityBounds } from './plausibility.ts';
import type { Result } from './result.ts';
import { MunicipalityRow, SCHOOL_COUNT_FIELDS, SchoolRow, periodKey, periodLabel, type FieldName, type Issue, type Period, type SchoolCountField } from './schemas.ts';

/** Resolves a municipality cell to the reference entry of its region. */
export type MunicipalityMatcher = ReturnType<typeof createMunicipalityMatcher>;

export type RowReaderContext = {
  readonly file: string;
  readonly sheet: string | null;
  readonly headers: readonly string[];
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
};

/** An issue at a row, in a field's column, with the cell's value as text. */
export type IssueAt = (code: string, message: string, row: number, field: FieldName | null, value: CellValue) => Issue;

const FUTURE_DAYS = 7;

/**
 * The reader of one table's rows: `col` is each field's column, `log` takes the warnings a
 * readable row still earns (a period in the future); row errors go into the caller's
 * `problems`, so the caller decides the row.
 */
export function createRowReader(ctx: RowReaderContext, col: ReadonlyMap<FieldName, number>, log: IssueLog, bounds: PlausibilityBounds) {
  const { headers } = ctx;
  const hasKpp = col.has('school_kpp');
  const issue: IssueAt = (code, message, row, field, value) => ({
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
      problems.push(issue(IssueCode.InvalidRow, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), row, null, null));
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
      problems.push(issue(IssueCode.InvalidRow, parsed.error.message, row, null, null));
      return undefined;
    }
    return parsed.data;
  }

  return { issue, cell, school: mapSchool, municipality: mapMunicipality };
}
