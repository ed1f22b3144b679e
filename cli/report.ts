// CLI: `report` — the ministry's documents from a data directory, through the same use case
// and the same parameter rules as the API's report routes (shared/api/report.ts): one
// SQLite read snapshot, the regional table, the workbook or the deck. A bad flag exits 2
// with the flag's name and what it accepts, as the API answers 400 / 404 naming the parameter.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RouteParams } from '../shared/api/params.ts';
import { apiRegions, documentName, readReportDocument, resolveRequest } from '../shared/api/report.ts';
import { formatCell, type ReportDocument } from '../shared/domain/report.ts';
import { defaultTargets } from '../shared/domain/targets.ts';
import { buildReference } from '../shared/runtime/reference.ts';
import { EXIT, sqliteIn, UsageError, type Io } from './common.ts';
import { terminalTable } from './table.ts';
import { paint, termOf } from './term.ts';

export const REPORT_FORMATS = ['table', 'csv', 'xlsx', 'pptx', 'json'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

const FLAGS = { 'data-dir': { type: 'string' }, region: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } } as const;

/** The flags checked before anything is read: the format, then the route's own parameters. */
export function reportRequest(args: string[], regions = apiRegions(buildReference().municipalities)) {
  const { values } = parseArgs({ args, options: FLAGS });
  const format = (values.format ?? 'table') as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format takes one of ${REPORT_FORMATS.join(', ')}; got "${values.format}"`);
  const query: Record<string, string> = { region: values.region ?? '26' };
  if (values.from !== undefined) query['from'] = values.from;
  if (values.to !== undefined) query['to'] = values.to;
  const r = resolveRequest(RouteParams.report, {}, query, regions);
  if (!r.ok) {
    const flag = r.error.parameter;
    const detail = r.error.message.replace(/^\w+: /, '');
    throw new UsageError(`--${flag}: ${detail}; got "${query[flag] ?? ''}"`);
  }
  return { format, region: r.region, range: r.value, dataDir: values['data-dir'], out: values.out };
}

async function render(doc: ReportDocument, format: Exclude<ReportFormat, 'table'>): Promise<Uint8Array> {
  switch (format) {
    case 'csv':
      return (await import('../shared/formats/csv/report.ts')).renderCsvBytes(doc.regional);
    case 'xlsx':
      return (await import('../shared/formats/xlsx/report.ts')).renderReportXlsx(doc);
    case 'pptx':
      return (await import('../shared/formats/pptx/report.ts')).renderReportPptx(doc);
    case 'json':
      return Buffer.from(`${JSON.stringify({ title: doc.title, subtitle: doc.subtitle, headers: doc.regional.headers, rows: doc.regional.rows.map((r) => r.map(formatCell)) }, null, 2)}\n`);
  }
}

export async function report(args: string[], io: Io): Promise<number> {
  const req = reportRequest(args);
  const term = termOf(io.out);
  const tty = term.tty;
  // CSV, JSON and files' bytes go out as they are, never fitted to the terminal
  const raw = io.raw ?? io.out;
  if ((req.format === 'xlsx' || req.format === 'pptx') && !req.out && tty) {
    throw new UsageError(`--format ${req.format} writes a file: add --out FILE.${req.format} (or redirect stdout to a file)`);
  }
  const path = sqliteIn(req.dataDir);
  const { SqliteReadModel } = await import('../shared/adapters/sqlite/read-model.ts');
  const read = new SqliteReadModel(path);
  let doc: ReportDocument;
  try {
    const parts = req.format === 'xlsx' || req.format === 'pptx' ? 'all' : 'regional';
    doc = await read.snapshot((v) => readReportDocument(v, req.region, req.range, defaultTargets().config, new Date(), parts));
  } finally {
    read.close();
  }
  if (req.format === 'table') {
    const c = paint(term);
    const notes = doc.notes.map((n) => `${c.yellow(`* ${n}`)}\n`).join('');
    const text = tty && !req.out ? `${c.bold(doc.title)}\n${doc.subtitle}\n\n${terminalTable(doc.regional, true, term.width, c)}\n${notes}${doc.footnote}\n` : terminalTable(doc.regional, false);
    if (req.out) writeFileSync(req.out, text);
    else io.out.write(text);
    return EXIT.ok;
  }
  const bytes = await render(doc, req.format);
  if (req.out) {
    writeFileSync(req.out, bytes);
    io.err.write(`${documentName(req.region.code, doc.weeks, req.range)}: ${doc.weeks.length} week(s) → ${req.out}\n`);
  } else raw.write(bytes);
  return EXIT.ok;
}
