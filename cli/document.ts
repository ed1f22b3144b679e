// CLI: the one JSON document of `run --json` — the upload reports (from the bucket, else
// the ledger), the periods with regional and municipal metrics (the AggregateStore) and
// the notifications as delivered (the outbox's delivered events, as published to the
// notifications queue) — and its plain-text summary.
import { z } from 'zod';
import type { NotificationEvent as NotificationEventType } from '../shared/domain/events.ts';
import { IssueCode } from '../shared/domain/errors.ts';
import { issueText } from '../shared/domain/issue-text.ts';
import { reportKeyOf } from '../shared/domain/upload-report.ts';
import { NotificationEvent } from '../shared/domain/events.ts';
import type { AggregateRow } from '../shared/domain/metrics.ts';
import { regionalTable } from '../shared/domain/report.ts';
import { periodKey, periodLabel, UploadReport, type Completeness, type Issue } from '../shared/domain/schemas.ts';
import type { ObjectStore } from '../shared/ports/object-store.ts';
import type { Stores } from '../shared/runtime/composition.ts';
import { readDeliveries } from '../shared/usecases/outbox.ts';
import { terminalTable } from './table.ts';
import { paint } from './term.ts';

/** An issue of the run document: the stable code for programs, where it is, and the report's own message. */
const RunIssue = z.object({ code: z.string(), sheet: z.string().nullable(), row: z.number().nullable(), column: z.string().nullable(), value: z.string().nullable(), message: z.string() });

/**
 * One upload's outcome in the run document: the CLI's three statuses and every issue in
 * full, for a person reading one run. Not the API's UploadSummary (shared/api/views.ts),
 * a list entry with counts and the ledger's statuses.
 */
export const RunUpload = z.object({
  key: z.string(),
  status: z.enum(['accepted', 'partial', 'rejected']),
  tables: z.array(z.enum(['schools', 'municipalities'])),
  period: z.string().nullable(),
  rows: z.object({ accepted: z.number(), rejected: z.number() }),
  errors: z.array(RunIssue),
  warnings: z.array(RunIssue),
});
export type RunUpload = z.infer<typeof RunUpload>;

export type PeriodSummary = {
  period: { start: string; end: string; label: string };
  /** which municipalities' exports the period has, as stored with its aggregates */
  completeness: Completeness | null;
  region: { id: string; metrics: Record<string, number | null> };
  municipalities: { id: string; name: string; metrics: Record<string, number | null> }[];
  warnings: unknown[];
};

export type RunDocument = { uploads: RunUpload[]; periods: PeriodSummary[]; notifications: NotificationEventType[] };

const issue = (i: Issue): z.infer<typeof RunIssue> => ({ code: i.code, sheet: i.sheet, row: i.row, column: i.column, value: i.value, message: i.message });

/** The CLI's three statuses: a superseded upload was accepted, and then replaced by a newer one. */
function status(r: UploadReport): RunUpload['status'] {
  if (r.status === 'accepted' || r.status === 'partial' || r.status === 'rejected') return r.status;
  if (r.rows.accepted === 0) return 'rejected';
  return r.rows.rejected === 0 ? 'accepted' : 'partial';
}

export function summarise(key: string, r: UploadReport): RunUpload {
  return {
    key,
    status: status(r),
    tables: [...new Set(r.tables.map((t) => t.kind))],
    period: r.periods.length === 1 ? periodKey(r.periods[0]!) : null,
    rows: r.rows,
    errors: r.errors.map(issue),
    warnings: r.warnings.map(issue),
  };
}

async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** The report of one upload: `reports/<key>.json` in the bucket, else the ledger's. */
export async function reportFor(s3: ObjectStore, stores: Stores, bucket: string, key: string, reportPrefix = 'reports/'): Promise<UploadReport | null> {
  const body = await s3.get(bucket, reportKeyOf(reportPrefix, key));
  if (body) return UploadReport.parse(JSON.parse(await text(body)));
  for (const e of await stores.ledger.entriesForKey(bucket, key)) {
    const r = await stores.ledger.getReport(e.uploadId);
    if (r) return r;
  }
  return null;
}

export async function collect(input: {
  s3: ObjectStore;
  stores: Stores;
  bucket: string;
  keys: readonly string[];
  regions: readonly string[];
  /** every body published to the notifications queue, in order */
  published: readonly string[];
}): Promise<RunDocument> {
  const uploads: RunUpload[] = [];
  for (const key of input.keys) {
    const r = await reportFor(input.s3, input.stores, input.bucket, key);
    uploads.push(
      r
        ? summarise(key, r)
        : { key, status: 'rejected', tables: [], period: null, rows: { accepted: 0, rejected: 0 }, errors: [{ code: IssueCode.IngestFailed, sheet: null, row: null, column: null, value: null, message: 'no upload report was written: the ingest function failed (see the function logs on stderr and the dead letters)' }], warnings: [] },
    );
  }
  const periods: PeriodSummary[] = [];
  for (const region of input.regions) {
    const completeness = new Map((await input.stores.aggregates.completeness(region)).map((c) => [periodKey(c.period), c.completeness]));
    for (const period of await input.stores.aggregates.periods(region)) {
      const rows = await input.stores.aggregates.readPeriod(region, period);
      const regionRow = rows.find((r) => r.scope.level === 'region');
      periods.push({
        period: { start: period.start, end: period.end, label: periodLabel(period) },
        completeness: completeness.get(periodKey(period)) ?? null,
        region: { id: region, metrics: { ...(regionRow?.values ?? {}) } },
        municipalities: rows.filter((r) => r.scope.level === 'municipality').map((r) => ({ id: r.scope.id, name: r.scope.name, metrics: { ...r.values } })),
        warnings: rows.flatMap((r) => r.warnings),
      });
    }
  }
  const delivered = new Set((await readDeliveries(input.stores.outbox, 'delivered', 100_000)).flatMap((d) => d.eventIds));
  const seen = new Set<string>();
  const notifications: NotificationEventType[] = [];
  for (const body of input.published) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      continue;
    }
    const e = NotificationEvent.safeParse(json);
    if (e.success && delivered.has(e.data.id) && !seen.has(e.data.id)) {
      seen.add(e.data.id);
      notifications.push(e.data);
    }
  }
  return { uploads, periods, notifications };
}

/** Delivered messages per channel id (a message may carry several events), from the outbox. */
export async function deliveredByChannel(stores: Stores): Promise<Map<string, { messages: number; events: number }>> {
  const out = new Map<string, { messages: number; events: number }>();
  for (const d of await readDeliveries(stores.outbox, 'delivered', 100_000)) {
    const c = out.get(d.channelId) ?? { messages: 0, events: 0 };
    c.messages++;
    c.events += d.eventIds.length;
    out.set(d.channelId, c);
  }
  return out;
}

/** `148 notifications in 117 messages`, and why the two differ, per channel. */
function deliveries(doc: RunDocument, channels: ReadonlyMap<string, { messages: number; events: number }>, dataDir: string | null): string {
  const messages = [...channels.values()].reduce((n, c) => n + c.messages, 0);
  const via = [...channels].map(([id, c]) => `${c.messages} via "${id}"${id === 'log' ? ` (the log channel writes them to ${dataDir ? `${dataDir}/functions.log` : 'functions.log; keep it with --data-dir DIR'})` : ''}`).join(', ');
  if (doc.notifications.length === 0) return '0 delivered';
  // the outbox groups the events of one (region, scope, week) into one message per channel
  return `${doc.notifications.length} delivered in ${messages} message(s)${via ? `: ${via}` : ''}; one message carries all of one municipality's (or the region's) notifications of one week`;
}

/**
 * The headline figures in one block: the weeks, the uploads by status, the notifications
 * and the messages that carried them (fewer: one message groups a scope's week).
 */
export function headline(doc: RunDocument, channels: ReadonlyMap<string, { messages: number; events: number }>, dataDir: string | null = null): string[] {
  const count = (s: RunUpload['status']) => doc.uploads.filter((u) => u.status === s).length;
  const rejectedRows = doc.uploads.reduce((n, u) => n + u.rows.rejected, 0);
  const weeks = doc.periods.length === 0 ? '0' : `${doc.periods.length}: ${doc.periods[0]!.period.label} – ${doc.periods.at(-1)!.period.label}`;
  return [
    'Summary',
    `  weeks          ${weeks}`,
    `  uploads        ${doc.uploads.length}: ${count('accepted')} accepted, ${count('partial')} partial (${rejectedRows} rows rejected), ${count('rejected')} rejected`,
    `  notifications  ${deliveries(doc, channels, dataDir)}`,
  ];
}

/** `2023-03-13..2023-03-17` → `13.03-17.03.2023`; anything else as it is. */
function weekOf(key: string): string {
  const m = /^(\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d)$/.exec(key);
  return m ? periodLabel({ start: m[1]!, end: m[2]! }) : key;
}

/**
 * One issue as a person reads it: where (the row, the sheet), then why in Russian from the
 * one code → phrase module the upload page and the dashboard use (the phrase names the
 * column and the value as written); a file-level issue says «файл», never `null`.
 */
export function issueLine(e: RunUpload['errors'][number], file: string): string {
  const where = e.row === null ? 'файл' : `строка ${e.row}`;
  const sheet = e.sheet ? ` (лист «${e.sheet}»)` : '';
  return `${where}${sheet}: ${issueText({ ...e, file })}`;
}

export type SummaryOptions = {
  readonly tty: boolean;
  /** the terminal's width; null in a pipe */
  readonly width?: number | null;
  readonly color?: boolean;
  readonly channels: ReadonlyMap<string, { messages: number; events: number }>;
  /** the data directory the run keeps (--data-dir), null when it was temporary */
  readonly dataDir?: string | null;
};

/** The run's summary; the table is aligned (to the terminal's width) on a terminal and TSV when piped. */
export function summaryText(doc: RunDocument, opts: SummaryOptions): string {
  const c = paint({ color: opts.color ?? false });
  const statusColour = { accepted: c.green, partial: c.yellow, rejected: c.red } as const;
  const prefixes = [...new Set(doc.uploads.map((u) => u.key.slice(0, u.key.lastIndexOf('/') + 1)))];
  const common = prefixes.length === 1 ? prefixes[0]! : '';
  const lines = [c.bold(`Uploads${common ? ` (under ${common})` : ''}:`)];
  for (const u of doc.uploads) {
    const rows = u.rows.rejected === 0 ? `${u.rows.accepted} rows` : `${u.rows.accepted} rows accepted, ${u.rows.rejected} rejected`;
    lines.push(`  ${statusColour[u.status](u.status.padEnd(8))}  ${u.key.slice(common.length)} — ${rows}${u.period ? `, ${weekOf(u.period)}` : ''}`);
    for (const e of u.errors.slice(0, 10)) lines.push(`            ${issueLine(e, u.key)}`);
    if (u.errors.length > 10) lines.push(`            … ${u.errors.length - 10} more in the upload's report`);
  }
  if (doc.periods.length > 0) {
    const table = regionalTable(doc.periods.map((p) => ({ period: p.period, values: p.region.metrics as AggregateRow['values'], completeness: p.completeness })));
    lines.push('', c.bold(table.title), '', terminalTable(table, opts.tty, opts.width ?? null, c).trimEnd());
    // a week whose figures are not final says so under the table, as the documents do
    for (const [i, note] of (table.rowNotes ?? []).entries()) if (note) lines.push(c.yellow(`* ${(table.rows[i]![0] as { value: string }).value} — ${note}`));
  } else lines.push('', 'No periods were aggregated.');
  lines.push('', c.bold(`Notifications: ${doc.notifications.length} delivered`));
  const typeColour = (t: string) => (/opened|breach$/.test(t) ? c.red(t) : /resolved/.test(t) ? c.green(t) : /risk/.test(t) ? c.yellow(t) : t);
  // by kind and target, with how many and over which weeks: 148 lines of names would say less
  const groups = new Map<string, { type: string; target: string; n: number; first: string; last: string }>();
  for (const n of doc.notifications) {
    const key = `${n.type}|${n.target?.id ?? '-'}`;
    const g = groups.get(key) ?? { type: n.type, target: n.target?.id ?? '-', n: 0, first: n.period.label, last: n.period.label };
    g.n++;
    g.last = n.period.label;
    groups.set(key, g);
  }
  const typeW = Math.max(0, ...[...groups.values()].map((g) => g.type.length));
  const targetW = Math.max(0, ...[...groups.values()].map((g) => g.target.length));
  for (const g of groups.values()) {
    // «20.02 – 07.04.2023»: from the first week's start to the last week's end
    const weeks = g.first === g.last ? g.first : `${g.first.split('-')[0]} – ${g.last.split('-').at(-1)}`;
    lines.push(`  ${typeColour(g.type.padEnd(typeW))}  ${g.target.padEnd(targetW)}  ${String(g.n).padStart(4)}  ${weeks}`);
  }
  lines.push('', ...headline(doc, opts.channels, opts.dataDir ?? null).map((l, i) => (i === 0 ? c.bold(l) : l)));
  return `${lines.join('\n')}\n`;
}
