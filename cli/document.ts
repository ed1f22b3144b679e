// CLI: the one JSON document of `run --json` — the upload reports (from the bucket, else
// the ledger), the periods with regional and municipal metrics (the AggregateStore) and
// the notifications as delivered (the outbox's delivered events, as published to the
// notifications queue) — and its plain-text summary.
import { z } from 'zod';
import type { NotificationEvent as NotificationEventType } from '../shared/domain/events.ts';
import { reportKeyOf } from '../shared/domain/upload-report.ts';
import { NotificationEvent } from '../shared/domain/events.ts';
import type { AggregateRow } from '../shared/domain/metrics.ts';
import { regionalTable } from '../shared/domain/report.ts';
import { periodKey, periodLabel, UploadReport, type Completeness, type Issue } from '../shared/domain/schemas.ts';
import type { ObjectStore } from '../shared/ports/object-store.ts';
import type { Stores } from '../shared/runtime/composition.ts';
import { terminalTable } from './table.ts';

const RunIssue = z.object({ row: z.number().nullable(), column: z.string().nullable(), value: z.string().nullable(), message: z.string() });

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

const issue = (i: Issue): z.infer<typeof RunIssue> => ({ row: i.row, column: i.column, value: i.value, message: i.message });

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
        : { key, status: 'rejected', tables: [], period: null, rows: { accepted: 0, rejected: 0 }, errors: [{ row: null, column: null, value: null, message: 'no upload report was written: the ingest function failed (see the function logs on stderr and the dead letters)' }], warnings: [] },
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
  const delivered = new Set((await input.stores.outbox.list('delivered', { limit: 100_000 })).flatMap((d) => d.eventIds));
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
  for (const d of await stores.outbox.list('delivered', { limit: 100_000 })) {
    const c = out.get(d.channelId) ?? { messages: 0, events: 0 };
    c.messages++;
    c.events += d.eventIds.length;
    out.set(d.channelId, c);
  }
  return out;
}

/**
 * The headline figures in one block: the weeks, the uploads by status, the notifications
 * and the channels they went to (a local run has only the log channel, so they are in
 * functions.log).
 */
export function headline(doc: RunDocument, channels: ReadonlyMap<string, { messages: number; events: number }>): string[] {
  const count = (s: RunUpload['status']) => doc.uploads.filter((u) => u.status === s).length;
  const rejectedRows = doc.uploads.reduce((n, u) => n + u.rows.rejected, 0);
  const weeks = doc.periods.length === 0 ? '0' : `${doc.periods.length}: ${doc.periods[0]!.period.label} – ${doc.periods.at(-1)!.period.label}`;
  const via = [...channels].map(([id, c]) => `${c.messages} message(s) via "${id}"${id === 'log' ? ' (the log channel: functions.log)' : ''}`).join(', ');
  return [
    'Summary',
    `  weeks          ${weeks}`,
    `  uploads        ${doc.uploads.length}: ${count('accepted')} accepted, ${count('partial')} partial (${rejectedRows} rows rejected), ${count('rejected')} rejected`,
    `  notifications  ${doc.notifications.length} delivered${via ? `: ${via}` : ''}`,
  ];
}

/** The run's summary; the table is aligned on a terminal and TSV when piped. */
export function summaryText(doc: RunDocument, opts: { tty: boolean; channels: ReadonlyMap<string, { messages: number; events: number }> }): string {
  const lines = ['Uploads:'];
  for (const u of doc.uploads) {
    lines.push(`  ${u.status.padEnd(8)} ${u.key}  rows ${u.rows.accepted} accepted, ${u.rows.rejected} rejected${u.period ? `  ${u.period}` : ''}`);
    for (const e of u.errors.slice(0, 10)) lines.push(`           row ${e.row ?? '-'} · ${e.column ?? '-'} · ${JSON.stringify(e.value)} — ${e.message}`);
    if (u.errors.length > 10) lines.push(`           … ${u.errors.length - 10} more errors in the report`);
  }
  if (doc.periods.length > 0) {
    const table = regionalTable(doc.periods.map((p) => ({ period: p.period, values: p.region.metrics as AggregateRow['values'] })));
    lines.push('', table.title, '', terminalTable(table, opts.tty).trimEnd());
  } else lines.push('', 'No periods were aggregated.');
  lines.push('', `Notifications delivered: ${doc.notifications.length}`);
  for (const n of doc.notifications.slice(0, 20)) lines.push(`  ${n.type} · ${n.scope.name} · ${n.target?.id ?? '-'} · ${n.period.label}`);
  if (doc.notifications.length > 20) lines.push(`  … ${doc.notifications.length - 20} more`);
  lines.push('', ...headline(doc, opts.channels));
  return `${lines.join('\n')}\n`;
}
