// Pure: evaluates each target for each scope in one period. `met` when the value reaches
// the threshold; `breach` when it misses and the period ends on or after the due date;
// before the due date, `at_risk` when a least-squares line through the scope's last
// periods (at least 3 with values) does not reach the threshold by the due date, otherwise
// `pending`. A missing value is `no_data` (neither met nor breached); a scope whose export
// is missing in the period is `no_data` and `inhibited`, so none of its alerts move.
import { z } from 'zod';
import { Scope, TargetRef } from './events.ts';
import { metricInfo } from './metric-catalog.ts';
import { scopeKey, UNBOUNDED_SHARES, type AggregateRow } from './metrics.ts';
import { Period, RegionCode } from './schemas.ts';

/**
 * `provisional` («нет полных данных»): the period still lacks exports, so the target is not judged yet.
 * `needs_review` («данные требуют проверки»): a share past 100 % is implausible data, not a result.
 */
export const EvaluationStatus = z.enum(['met', 'breach', 'at_risk', 'pending', 'no_data', 'provisional', 'needs_review']);
export type EvaluationStatus = z.infer<typeof EvaluationStatus>;

export const Evaluation = z.object({
  region: RegionCode,
  period: Period,
  scope: Scope,
  target: TargetRef,
  status: EvaluationStatus,
  value: z.number().nullable(),
  /** the same scope's value in the previous stored period */
  previous_value: z.number().nullable(),
  /** the trend's value on the due date (null without a trend) */
  projected: z.number().nullable(),
  /** the scope's export is missing in this period: its alerts are held as they are */
  inhibited: z.boolean(),
});
export type Evaluation = z.infer<typeof Evaluation>;

/** How many of the latest periods the trend looks at (at least MIN_TREND_POINTS of them with values). */
export const TREND_WINDOW = 8;
export const MIN_TREND_POINTS = 3;

// Shares are ratios of integers; a tolerance keeps 1 − 1e-16 from missing a 100 % target.
const EPS = 1e-9;

export type Line = { readonly slope: number; readonly intercept: number };

/** Ordinary least squares y = intercept + slope·x; null with fewer than 2 distinct x. */
export function leastSquares(points: readonly { x: number; y: number }[]): Line | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** Days since 1970-01-01 of an ISO date: the x axis of the trend. */
export function dayNumber(isoDate: string): number {
  return Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000;
}

export function reaches(value: number, target: Pick<TargetRef, 'op' | 'threshold'>): boolean {
  return target.op === '=' ? Math.abs(value - target.threshold) <= EPS || value > target.threshold : value >= target.threshold - EPS;
}

/**
 * A share above 100 % can only come from rows whose count exceeds the total it belongs to
 * (pupils in Sferum above pupils, KPI counts above teachers): such a scope is never `met`
 * (a 527 % «цель достигнута» was the result before), nor breached or trended. Teachers in
 * Sferum above teachers is the ministry's own data (18 013 of 17 218 in its table): that
 * share may pass 100 % and is judged as it is.
 */
export function needsReview(metric: TargetRef['metric'], value: number): boolean {
  return metricInfo(metric).kind === 'share' && !UNBOUNDED_SHARES.has(metric) && value > 1 + EPS;
}

export type TargetInput = {
  readonly region: string;
  readonly period: Period;
  readonly scope: Scope;
  readonly target: TargetRef;
  readonly value: number | null;
  /** the scope's values in earlier periods, ascending; nulls allowed */
  readonly history: readonly { period: Period; value: number | null }[];
  readonly exportMissing: boolean;
};

export function evaluateTarget(input: TargetInput): Evaluation {
  const { target, value, period } = input;
  const previous = input.history.at(-1)?.value ?? null;
  const base = { region: input.region, period, scope: input.scope, target, value, previous_value: previous, projected: null, inhibited: false };
  if (input.exportMissing) return { ...base, status: 'no_data', inhibited: true };
  if (value === null) return { ...base, status: 'no_data' };
  if (needsReview(target.metric, value)) return { ...base, status: 'needs_review' };
  if (reaches(value, target)) return { ...base, status: 'met' };
  if (period.end >= target.due) return { ...base, status: 'breach' };

  // The trend is fitted on period end dates: irregular periods (3 days, 9 days) keep their
  // true spacing, and the due date sits on the same axis.
  const points = [...input.history, { period, value }]
    .slice(-TREND_WINDOW)
    .filter((p): p is { period: Period; value: number } => p.value !== null)
    .map((p) => ({ x: dayNumber(p.period.end), y: p.value }));
  if (points.length < MIN_TREND_POINTS) return { ...base, status: 'pending' };
  const line = leastSquares(points);
  if (!line) return { ...base, status: 'pending' };
  const projected = line.intercept + line.slope * dayNumber(target.due);
  return { ...base, projected, status: reaches(projected, target) ? 'pending' : 'at_risk' };
}

/**
 * The evaluations of a period that is not judged yet (completeness `provisional`): each
 * target keeps its value but reads `provisional` («нет полных данных») — neither met nor
 * breached, no trend, and no alert moves on it.
 */
export function provisionally(evaluations: readonly Evaluation[]): Evaluation[] {
  return evaluations.map((e) => ({ ...e, status: 'provisional', projected: null, inhibited: false }));
}

/**
 * Every target of every scope in one period. `history` holds the stored rows of earlier
 * periods, ascending (the caller passes the last TREND_WINDOW − 1 or more).
 */
export function evaluatePeriod(input: {
  readonly current: readonly AggregateRow[];
  readonly history: readonly { readonly period: Period; readonly rows: readonly AggregateRow[] }[];
  readonly targetsFor: (scope: Scope) => readonly TargetRef[];
}): Evaluation[] {
  const regionRow = input.current.find((r) => r.scope.level === 'region');
  const anyExport = regionRow?.has_export ?? input.current.some((r) => r.has_export);
  const past = input.history.map((h) => ({ period: h.period, byScope: new Map(h.rows.map((r) => [scopeKey(r.scope), r])) }));
  const out: Evaluation[] = [];
  for (const row of input.current) {
    const key = scopeKey(row.scope);
    const exportMissing = row.scope.level === 'municipality' && anyExport && !row.has_export;
    for (const target of input.targetsFor(row.scope)) {
      const history = past.map((h) => ({ period: h.period, value: h.byScope.get(key)?.values[target.metric] ?? null }));
      out.push(
        evaluateTarget({
          region: row.region,
          period: row.period,
          scope: row.scope,
          target,
          value: row.values[target.metric],
          history,
          exportMissing,
        }),
      );
    }
  }
  return out;
}
