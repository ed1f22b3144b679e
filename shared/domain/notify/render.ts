// Pure: the text and JSON payload of one message from the events of one group, using the
// Russian templates in `shared/domain/data/notify-templates.json` (data, so wording changes
// need no code change) and each metric's phrase from the metric catalog. Messages carry
// organisation-level data only: scope names, metric names, values, targets, the period and
// a link to the dashboard; never a person or a contact.
// Share metrics are stored as fractions (0..1, the contract's unit) and printed as
// percentages with a decimal comma: 0.21292 → `21,292 %`.
import { z } from 'zod';
import rawTemplates from '../data/notify-templates.json' with { type: 'json' };
import { NotificationType, type NotificationEvent, type TargetRef } from '../events.ts';
import { routeUrl } from '../routes.ts';
import { metricInfo } from '../metric-catalog.ts';
import { type MetricId, periodKey } from '../schemas.ts';
import { sortItems } from './grouping.ts';

export const NotifyTemplates = z.object({
  subject: z.string(),
  header: z.string(),
  scope_kind: z.object({ region: z.string(), municipality: z.string() }),
  item: z.record(NotificationType, z.string()),
  digest_item: z.string(),
  bullet: z.string(),
  more: z.string(),
  no_value: z.string(),
  link: z.string(),
  ops: z.object({ '>=': z.string(), '=': z.string() }),
});
export type NotifyTemplates = z.infer<typeof NotifyTemplates>;

export const DEFAULT_TEMPLATES: NotifyTemplates = NotifyTemplates.parse(rawTemplates);

/** Items beyond this are summarised as "…and N more" (VK caps a message at 4096 chars). */
export const MAX_LISTED_ITEMS = 40;

export type RenderedMessage = {
  readonly subject: string;
  readonly text: string;
  /** the webhook body (also what the log channel prints) */
  readonly payload: WebhookPayload;
};

export type WebhookPayload = {
  readonly type: 'sferum_pulse.notification';
  readonly delivery_id: string;
  readonly region: string;
  readonly scope: NotificationEvent['scope'];
  readonly period: NotificationEvent['period'];
  readonly items: readonly {
    readonly event_id: string;
    readonly type: NotificationEvent['type'];
    readonly target: TargetRef | null;
    readonly value: number | null;
    readonly previous_value: number | null;
  }[];
  readonly text: string;
  readonly link: string | null;
};

const NBSP = '\u00a0';

/** Up to 3 decimals, trailing zeros dropped, decimal comma, no-break space between thousands. */
export function formatNumber(v: number): string {
  const fixed = (Math.round(v * 1000) / 1000).toFixed(3).replace(/\.?0+$/, '');
  const [int = '0', frac] = fixed.split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = sign ? int.slice(1) : int;
  const grouped = digits.length > 4 ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP) : digits;
  return `${sign}${grouped}${frac ? `,${frac}` : ''}`;
}

export function formatMetricValue(metric: MetricId | undefined, v: number | null, t: NotifyTemplates): string {
  if (v === null) return t.no_value;
  return metric !== undefined && metricInfo(metric).kind === 'share' ? `${formatNumber(v * 100)} %` : formatNumber(v);
}

/** `2023-09-01` → `01.09.2023` */
export function formatDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

export function fill(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, k: string) => vars[k] ?? whole);
}

/**
 * The dashboard opened on the event's region, period and scope (a municipality opens its
 * own view). The path comes from the API's route table; a browser follows it with the key
 * the dashboard keeps for the session, which an API route could not be sent.
 */
export function reportLink(event: NotificationEvent, apiBaseUrl: string | undefined): string | null {
  if (!apiBaseUrl) return null;
  const path = routeUrl('dashboard_page', {}, {
    region: event.region,
    period: periodKey(event.period),
    scope: event.scope.level === 'region' ? 'region' : event.scope.id,
  });
  return `${apiBaseUrl.replace(/\/+$/, '')}${path}`;
}

function targetVars(target: TargetRef | null, value: number | null, t: NotifyTemplates): Record<string, string> {
  if (!target) return { value: formatMetricValue(undefined, value, t) };
  return {
    metric: metricInfo(target.metric).phrase,
    value: formatMetricValue(target.metric, value, t),
    op: t.ops[target.op],
    threshold: formatMetricValue(target.metric, target.threshold, t),
    due: formatDate(target.due),
  };
}

function itemLines(e: NotificationEvent, t: NotifyTemplates): string[] {
  const base = { period: e.period.label, ...targetVars(e.target, e.value, t) };
  if (e.type !== 'digest') return [fill(t.item[e.type] ?? e.type, base)];
  const items = e.items ?? [];
  return [
    fill(t.item.digest ?? '{count}', { ...base, count: String(items.length) }),
    ...items.map((i) => t.bullet + fill(t.digest_item, { scope: i.scope.name, ...targetVars(i.target, i.value, t) })),
    ...(e.notes ?? []),
  ];
}

/**
 * One message for the events of a group (same region, scope and period; the caller
 * guarantees it). Items are listed in a stable order so a retry renders the same body.
 */
export function renderMessage(
  deliveryId: string,
  events: readonly NotificationEvent[],
  opts: { readonly apiBaseUrl?: string | undefined; readonly templates?: NotifyTemplates } = {},
): RenderedMessage {
  const t = opts.templates ?? DEFAULT_TEMPLATES;
  const items = sortItems(events);
  const first = items[0];
  if (!first) throw new RangeError('renderMessage needs at least one event');
  const vars = { scope: first.scope.name, scope_kind: t.scope_kind[first.scope.level], period: first.period.label };
  const listed = items.slice(0, MAX_LISTED_ITEMS);
  const lines = listed.flatMap((e) => itemLines(e, t));
  const body =
    listed.length === 1 && first.type !== 'digest'
      ? lines
      : lines.map((l) => (l.startsWith(t.bullet) ? `  ${l}` : t.bullet + l));
  if (items.length > listed.length) body.push(fill(t.more, { count: String(items.length - listed.length) }));
  const link = reportLink(first, opts.apiBaseUrl);
  const text = [fill(t.header, vars), ...body, ...(link ? [fill(t.link, { url: link })] : [])].join('\n');
  return {
    subject: fill(t.subject, vars),
    text,
    payload: {
      type: 'sferum_pulse.notification',
      delivery_id: deliveryId,
      region: first.region,
      scope: first.scope,
      period: first.period,
      items: items.map((e) => ({ event_id: e.id, type: e.type, target: e.target, value: e.value, previous_value: e.previous_value })),
      text,
      link,
    },
  };
}
