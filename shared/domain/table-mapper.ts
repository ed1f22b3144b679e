// Pure: turns the raw cells of one table (a CSV file or one XLSX sheet) into validated
// school or municipality rows, one row at a time, so a million-row file streams through
// without being held in memory. Each row is decided here once, in order: blank or totals
// row (totals-check.ts), its cells (row-reader.ts), the file's one region, the upload's
// scope (upload-scope.ts), duplicates and branches (duplicate-rule.ts), plausibility
// warnings (plausibility.ts). No I/O: the caller feeds rows and stages what comes out.
import { cellRef, cellText, type CellValue } from './cell.ts';
import { DuplicateRule, type Withdrawal } from './duplicate-rule.ts';
import { IssueCode } from './errors.ts';
import { looksLikeMojibake, type HeaderMapping } from './normalise/headers.ts';
import { countsAboveTotal, DEFAULT_BOUNDS, type PlausibilityBounds } from './plausibility.ts';
import { createRowReader, type RowReaderContext } from './row-reader.ts';
import { createIssueLog, type IssueLog } from './upload-report.ts';
import { scopeIssue, type UploadScope } from './upload-scope.ts';
import { periodLabel, SCHOOL_COUNT_FIELDS, type FieldName, type Issue, type MunicipalityRow, type Period, type SchoolRow, type TableKind } from './schemas.ts';
import { TotalsCheck } from './totals-check.ts';

export type { MunicipalityMatcher } from './row-reader.ts';

export type MapperContext = RowReaderContext & {
  readonly mapping: HeaderMapping & { kind: TableKind };
  /** where errors and warnings go (bounded); one log may serve every table of a file */
  readonly issues?: IssueLog;
  /**
   * The region of the file's earlier tables (null before the first row): one upload commits
   * under one region's pointers, so a second region ends the file at its first row. The
   * mapper hands the region on in its summary, for the next table.
   */
  readonly fileRegion?: string | null;
  /** what the upload's key may hold (upload-scope.ts); a row outside it is rejected; null: anything */
  readonly scope?: UploadScope | null;
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

/** A cell the reader could give no value (an XLSX error or uncalculated formula), by its reference. */
export type UnreadableCell = { readonly index: number; readonly cell: string; readonly why: string };

export type MappedRow =
  | { readonly kind: 'schools'; readonly row: SchoolRow }
  | { readonly kind: 'municipalities'; readonly row: MunicipalityRow };

export type RowOutcome =
  | { readonly type: 'row'; readonly mapped: MappedRow }
  | { readonly type: 'skipped' }
  /**
   * `withdraws`: this row conflicts with a school row handed out earlier, which is rejected
   * now too; the caller takes it out of what it staged (duplicate-rule.ts says why).
   */
  | { readonly type: 'rejected'; readonly withdraws?: Withdrawal }
  /** the row makes the whole file unacceptable (a second region) */
  | { readonly type: 'file_error'; readonly issue: Issue };

export type MapperSummary = {
  /** the file's region after this table (fileRegion for the next one) */
  readonly region: string | null;
  /** rows handed out and not withdrawn, inside the upload's scope */
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
  const presentCounts = SCHOOL_COUNT_FIELDS.filter((f) => col.has(f));
  const log = ctx.issues ?? createIssueLog();
  // one owner per decision: the cells of a row, the rules across rows, the totals check
  const rows = createRowReader(ctx, col, log, ctx.bounds ?? DEFAULT_BOUNDS);
  const { issue } = rows;
  const totals = new TotalsCheck(kind, presentCounts, rows.cell);
  // per school of the table, compact (compact-keys.ts): its memory is the ingest's largest
  const maxSchools = ctx.maxSchools ?? DEFAULT_MAX_SCHOOLS;
  const duplicates = new DuplicateRule(presentCounts, hasKpp, maxSchools);
  let region: string | null = ctx.fileRegion ?? null;
  // each row is counted once, by its decision; a withdrawal moves an earlier row from handed out to rejected
  let handedOut = 0;
  let withdrawn = 0;
  let rejected = 0;
  let skipped = 0;

  /** A valid row of another region than the file's earlier rows, as the file error it is. */
  function otherRegion(rowRegion: string, row: number): Issue | null {
    if (ctx.fileRegion === undefined || region === rowRegion) return null;
    if (region === null) {
      region = rowRegion;
      return null;
    }
    return issue(IssueCode.UnknownRegion, `the file mixes regions: this row is in region ${rowRegion}, earlier rows in ${region}; upload one file per region`, row, col.has('region') ? 'region' : null, rowRegion);
  }

  /** A valid row outside what the upload's key may hold, as the row error it is (naming the cell as written). */
  function outsideScope(r: { region: string; municipality_id: string }, row: number, cells: readonly CellValue[]): Issue | null {
    return scopeIssue(ctx.scope ?? null, r, {
      file: ctx.file,
      sheet: ctx.sheet,
      row,
      headerOf: (f) => (col.has(f) ? (headers[col.get(f)!] ?? null) : null),
      writtenOf: (f) => {
        const v = rows.cell(cells, f);
        return v === null ? null : cellText(v);
      },
    });
  }

  /** Duplicate and branch rules for a valid school row, their warnings and errors logged: emit it, skip a repeat, reject a conflict, or end the file. */
  function admitSchool(r: SchoolRow, row: number): { type: 'emit' } | { type: 'skip' } | { type: 'reject'; withdraws: Withdrawal | null } | { type: 'file_error'; issue: Issue } {
    const d = duplicates.decide(r, row);
    if (d.kind === 'too_many') {
      return { type: 'file_error', issue: issue(IssueCode.TooManyRows, `the table has more than ${maxSchools} schools (limit ${maxSchools}, INGEST_MAX_SCHOOLS); upload it in parts, by municipality or by week`, row, null, null) };
    }
    if (d.possibleBranch) log.warn(issue(IssueCode.PossibleBranch, `INN ${r.school_inn} appears with another school name: possible branch, kept as a separate unit`, row, 'school_inn', r.school_inn));
    if (d.kind === 'new') return { type: 'emit' };
    if (d.kind === 'repeat') {
      log.warn(issue(IssueCode.DuplicateIdentical, `school ${r.school_key} repeats row ${d.firstRow} with identical values; counted once`, row, 'school_inn', r.school_inn));
      return { type: 'skip' };
    }
    const message = `school ${r.school_key} appears in rows ${d.firstRow} and ${row} with different values; both rejected`;
    if (d.firstConflict) log.error(issue(IssueCode.DuplicateConflict, message, d.firstRow, 'school_inn', r.school_inn));
    log.error(issue(IssueCode.DuplicateConflict, message, row, 'school_inn', r.school_inn));
    return { type: 'reject', withdraws: d.withdraws };
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
      if (totals.isTotalsRow(cells)) {
        skipped++;
        totals.note(row, cells);
        return { type: 'skipped' };
      }
      if (unknowable.length > 0) {
        rejected++;
        // the cell, not "missing": the admin has a value there that Excel could not compute
        for (const u of unknowable) log.error(issue(IssueCode.UnreadableCell, `cell ${u.cell} ${u.why}`, row, mapping.columns[u.index]!, u.cell));
        return { type: 'rejected' };
      }
      const problems: Issue[] = [];
      const r = kind === 'schools' ? rows.school(cells, row, problems) : rows.municipality(cells, row, problems);
      if (!r) {
        rejected++;
        for (const p of problems) log.error(p);
        return { type: 'rejected' };
      }
      const mixed = otherRegion(r.region, row);
      if (mixed) return { type: 'file_error', issue: mixed };
      // before the duplicate rule: a row the upload may not hold is no school of this upload
      const outside = outsideScope(r, row, cells);
      if (outside) {
        rejected++;
        log.error(outside);
        return { type: 'rejected' };
      }
      if (kind === 'municipalities') {
        handedOut++;
        return { type: 'row', mapped: { kind: 'municipalities', row: r as MunicipalityRow } };
      }
      const school = r as SchoolRow;
      const admission = admitSchool(school, row);
      if (admission.type === 'file_error') return admission;
      if (admission.type === 'skip') {
        skipped++;
        return { type: 'skipped' };
      }
      if (admission.type === 'reject') {
        rejected++;
        if (!admission.withdraws) return { type: 'rejected' };
        withdrawn++;
        totals.withdraw(admission.withdraws.counts);
        return { type: 'rejected', withdraws: admission.withdraws };
      }
      // kept: the ministry's own figures have more teachers in Sferum than teachers
      for (const a of countsAboveTotal(school)) {
        const code = a.field === 'teachers_in_sferum' ? IssueCode.TeachersInSferumAboveTotal : IssueCode.CountAboveTotal;
        log.warn(issue(code, `school ${school.school_key}: ${a.message}`, row, a.field, a.value));
      }
      if (!school.school_inn.startsWith(school.region)) {
        log.warn(issue(IssueCode.InnOutsideRegion, `INN ${school.school_inn} was not issued in region ${school.region}`, row, 'school_inn', school.school_inn));
      }
      totals.add(school);
      handedOut++;
      return { type: 'row', mapped: { kind: 'schools', row: school } };
    },

    /** Checks totals rows against the computed sums; the table's counts and the file's region. */
    finish(): MapperSummary {
      for (const w of totals.warnings(issue)) log.warn(w);
      return { region, accepted: handedOut - withdrawn, rejected: rejected + withdrawn, skipped };
    },
  };
}
