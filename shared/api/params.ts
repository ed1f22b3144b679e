// Pure: the parameters of each API route, validated with zod. A bad value is a 400 that
// names the parameter; well-formed values that find nothing are the handler's 404s.
import { z } from 'zod';
import { AlertStatus } from '../domain/alerts.ts';
import { IsoDate, MetricId, parsePeriodKey, RegionCode } from '../domain/schemas.ts';

export type ParamError = { readonly parameter: string; readonly message: string };
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ParamError };

const Region = RegionCode;

const PeriodParam = z.string().transform((s, ctx) => {
  const p = parsePeriodKey(s);
  if (!p || !realDate(p.start) || !realDate(p.end)) {
    ctx.addIssue({ code: 'custom', message: 'expected YYYY-MM-DD..YYYY-MM-DD with the start not after the end' });
    return z.NEVER;
  }
  return p;
});

function realDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const DateParam = IsoDate.refine(realDate, 'expected a calendar date YYYY-MM-DD');

/** `region`, or a municipality id of the region's reference list. */
const ScopeParam = z
  .string()
  .regex(/^[a-z0-9_-]{1,64}$/, 'expected "region" or a municipality id (lower-case letters, digits, "_", "-")')
  .default('region');

/** Opaque to clients: base64url of the position after the last item of the previous page. */
const CursorBody = z.object({ v: z.literal(1), before: z.number().int().positive() });
export type Cursor = z.infer<typeof CursorBody>;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

const CursorParam = z.string().transform((s, ctx) => {
  try {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(s)) throw new Error('not base64url');
    return CursorBody.parse(JSON.parse(Buffer.from(s, 'base64url').toString('utf8')));
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not a cursor this API returned (use next_cursor of the previous page as it is)' });
    return z.NEVER;
  }
});

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 50;

const Limit = z
  .string()
  .regex(/^\d{1,3}$/, `expected an integer from 1 to ${MAX_PAGE}`)
  .transform(Number)
  .pipe(z.number().int().min(1, `expected an integer from 1 to ${MAX_PAGE}`).max(MAX_PAGE, `at most ${MAX_PAGE} items a page`));

/** A range of weeks by their start dates, both inclusive and optional. */
const inOrder = (q: { from?: string | undefined; to?: string | undefined }) => !q.from || !q.to || q.from <= q.to;
const IN_ORDER = { path: ['to'], message: 'must not be before from' };
const WeekRangeShape = z.object({ region: Region, from: DateParam.optional(), to: DateParam.optional() });
const WeekRange = WeekRangeShape.refine(inOrder, IN_ORDER);

export const RouteParams = {
  periods: z.object({ region: Region }),
  period: z.object({ region: Region, period: PeriodParam }),
  sources: z.object({ region: Region, period: PeriodParam, municipality: z.string().regex(/^[a-z0-9_-]{1,64}$/, 'expected a municipality id of the region').optional() }),
  timeseries: z.object({ region: Region, metric: MetricId, scope: ScopeParam }),
  report: WeekRange,
  inactiveSchools: WeekRangeShape.extend({ format: z.enum(['json', 'csv'], 'expected json or csv').default('json') }).refine(inOrder, IN_ORDER),
  alerts: z.object({ region: Region, state: AlertStatus.optional() }),
  uploads: z.object({ cursor: CursorParam.optional(), limit: Limit.optional() }),
  upload: z.object({ id: z.string().regex(/^[\w.:-]{1,128}$/, 'expected an upload id as the upload report shows it') }),
} as const;

/**
 * Parses path and query parameters together (path wins on a name clash). Only the
 * parameters the schema names are read, so unknown query parameters are ignored.
 */
export function parseParams<S extends z.ZodType>(schema: S, path: Readonly<Record<string, string>>, query: Readonly<Record<string, string>>): Parsed<z.infer<S>> {
  const r = schema.safeParse({ ...query, ...path });
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0]!;
  const parameter = String(issue.path[0] ?? 'request');
  const message = issue.code === 'invalid_value' && parameter === 'metric' ? `unknown metric id (one of ${MetricId.options.join(', ')})` : issue.message;
  return { ok: false, error: { parameter, message: `${parameter}: ${message}` } };
}
