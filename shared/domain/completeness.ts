// Pure: how complete a (region, period) is — which municipalities of the region's reference
// have school rows and which have a row in the МОУО table, whatever mix of regional and
// municipal uploads supplied them — and the reporting deadline after which a week still
// missing exports is closed as `incomplete` instead of waiting as `provisional`.
// A provisional week is shown but never judged (targets read «нет полных данных», no alert
// moves); a complete or closed week is evaluated. "Now" is passed in.
import { z } from 'zod';
import { type Completeness, type CompletenessState, type KindCompleteness, type Period } from './schemas.ts';

/** A region's reference list as completeness needs it: ids and names, in the reference's order. */
export type ReferenceList = readonly { readonly id: string; readonly name: string }[];

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * `wed 21:00`: the first such weekday after the period's last day, at that time (UTC, like
 * the timers' cron expressions; 21:00 UTC is midnight in Moscow, so the default is the end
 * of the Wednesday after the week).
 */
export const ReportingDeadline = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):([0-5]\d)$/, 'expected "<mon..sun> HH:MM" (UTC), e.g. "wed 21:00"')
  .transform((s) => {
    const [day, time] = s.split(' ') as [(typeof WEEKDAYS)[number], string];
    const [h, m] = time.split(':').map(Number) as [number, number];
    return { weekday: WEEKDAYS.indexOf(day), minutes: h * 60 + m };
  });
export type ReportingDeadline = z.output<typeof ReportingDeadline>;

/** Without REPORTING_DEADLINE: the end of the Wednesday after the week, in Moscow. */
export const DEFAULT_REPORTING_DEADLINE: ReportingDeadline = ReportingDeadline.parse('wed 21:00');

const DAY = 86_400_000;

/** The moment (ms since epoch) after which a period still missing exports is closed as incomplete. */
export function deadlineMs(period: Period, deadline: ReportingDeadline): number {
  const end = Date.parse(`${period.end}T00:00:00Z`);
  const endWeekday = (new Date(end).getUTCDay() + 6) % 7; // Monday = 0
  // strictly after the last day: a week ending on a Wednesday waits for the next Wednesday
  const days = ((deadline.weekday - endWeekday + 7) % 7) || 7;
  return end + days * DAY + deadline.minutes * 60_000;
}

/**
 * Whether a period's deadline has passed at `nowMs`: the one rule by which the aggregate
 * stage closes a week as incomplete and `close_weeks` hands the week back to it.
 */
export function pastDeadline(period: Period, nowMs: number, deadline: ReportingDeadline = DEFAULT_REPORTING_DEADLINE): boolean {
  return nowMs >= deadlineMs(period, deadline);
}

/** «Александровский МО», «город-курорт Кисловодск» → as the ministry writes them in a list. */
export function shortMunicipalityName(name: string): string {
  return name
    .replace(/\s*муниципальный округ$/u, ' МО')
    .replace(/\s*городской округ$/u, ' ГО')
    .replace(/\s*муниципальный район$/u, ' МР')
    .trim();
}

function kind(reference: ReferenceList, present: ReadonlySet<string>): KindCompleteness {
  const missing = reference.filter((m) => !present.has(m.id)).map((m) => m.id);
  return { expected: reference.length, reported: reference.length - missing.length, missing };
}

function names(reference: ReferenceList, ids: readonly string[]): string {
  const byId = new Map(reference.map((m) => [m.id, m.name]));
  return ids.map((id) => shortMunicipalityName(byId.get(id) ?? id)).join(', ');
}

/**
 * The completeness of one (region, period). `schools` and `municipalities` are the ids
 * carried by the period's current school rows and МОУО rows; ids outside the reference do
 * not count (a row never names an unknown municipality, but a reference may shrink).
 * Complete when both kinds cover the whole reference; otherwise provisional until the
 * deadline has passed, then incomplete.
 */
export function periodCompleteness(input: {
  readonly reference: ReferenceList;
  readonly schools: Iterable<string>;
  readonly municipalities: Iterable<string>;
  readonly pastDeadline: boolean;
}): Completeness {
  const schools = kind(input.reference, new Set(input.schools));
  const municipalities = kind(input.reference, new Set(input.municipalities));
  const complete = schools.missing.length === 0 && municipalities.missing.length === 0;
  const state: CompletenessState = complete ? 'complete' : input.pastDeadline ? 'incomplete' : 'provisional';
  return { complete, state, label: completenessLabel(state, schools, municipalities, input.reference), schools, municipalities };
}

function completenessLabel(state: CompletenessState, schools: KindCompleteness, mouo: KindCompleteness, reference: ReferenceList): string | null {
  if (state === 'complete') return null;
  if (state === 'provisional') {
    const table = mouo.missing.length === 0 ? '' : `; таблица МОУО: ${mouo.reported} из ${mouo.expected}`;
    return `предварительно: ${schools.reported} из ${schools.expected} МОУО${table}`;
  }
  const parts: string[] = [];
  if (schools.missing.length > 0) parts.push(`нет выгрузок ${names(reference, schools.missing)}`);
  if (mouo.missing.length === mouo.expected) parts.push('нет таблицы МОУО');
  else if (mouo.missing.length > 0) parts.push(`нет строк таблицы МОУО: ${names(reference, mouo.missing)}`);
  return `неполные данные: ${parts.join('; ')}`;
}

/** Whether the period's targets may be judged: a complete week, or one closed after its deadline. */
export function isJudged(c: Pick<Completeness, 'state'>): boolean {
  return c.state !== 'provisional';
}
