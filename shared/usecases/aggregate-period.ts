// Use case: recompute one (region, period) after its snapshots changed, evaluate the
// targets, move the alert states and hand the resulting events to the notifier.
//
// Primary course (one PeriodChanged):
//  1. Read the period's current school and municipality rows through the snapshot port.
//  2. Compute every metric for the region and each municipality of the reference (pure).
//  3. Attach week-over-week deltas against the previous stored period and replace the
//     period's aggregate rows in one transaction. The rows depend only on the snapshots and
//     the stored previous period, so recomputing twice leaves the same rows.
//  4. If a later period is stored, refresh its deltas: its "previous" just changed.
//     The period's completeness (which municipalities of the reference have school rows and
//     МОУО rows; provisional or, after the reporting deadline, incomplete) is stored with them.
//  5. Evaluate each target for each scope (the trend uses the last TREND_WINDOW judged
//     periods). A provisional period stops here: its evaluations read `provisional`, no
//     alert moves and nothing is sent; the upload that completes it, or the deadline's
//     re-aggregation that closes it, evaluates it then — once, by the alerts' transitions.
//  6. Apply the evaluations and the export checks to the stored alert states (pure), publish
//     the transition events, then save the states. Publishing first means a crash in
//     between republishes the same deterministic ids on retry (the notifier drops them);
//     the opposite order could lose an event.
// Only the touched (region, period) is recomputed; other periods are read, never rebuilt.
// Infrastructure faults propagate (the handler lets the trigger retry them).
import { applyPeriod, comparePeriods, type ExportCheck } from '../domain/alerts.ts';
import { isJudged, pastDeadline, periodCompleteness, type ReportingDeadline } from '../domain/completeness.ts';
import { evaluatePeriod, provisionally, TREND_WINDOW, type Evaluation } from '../domain/evaluate.ts';
import type { NotificationEvent } from '../domain/events.ts';
import { computeMetrics, toAggregateRows, withDeltas, type AggregateRow } from '../domain/metrics.ts';
import { periodKey, type Completeness, type PeriodChanged, type Period } from '../domain/schemas.ts';
import { targetsFor, type TargetsConfig } from '../domain/targets.ts';
import type { AggregateStore } from '../ports/aggregate-store.ts';
import type { AlertStore } from '../ports/alert-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { NotificationSink } from '../ports/notification-sink.ts';
import type { SnapshotStore } from '../ports/snapshot-store.ts';

/** A region's reference list as the aggregate needs it (MunicipalityReference fits). */
export type RegionReference = {
  readonly region: { readonly name: string };
  readonly municipalities: readonly { readonly id: string; readonly name: string }[];
};

export type AggregateDeps = {
  readonly snapshots: Pick<SnapshotStore, 'currentSchools' | 'currentMunicipalities'>;
  readonly aggregates: AggregateStore;
  readonly alerts: AlertStore;
  readonly sink: NotificationSink;
  readonly targets: TargetsConfig;
  /** region code → reference list; a region without one gets scopes only for the ids its rows carry */
  readonly municipalities: ReadonlyMap<string, RegionReference>;
  readonly clock: Clock;
  /** after it an incomplete period is closed as `incomplete` and judged (REPORTING_DEADLINE; default the Wednesday after the week) */
  readonly reportingDeadline?: ReportingDeadline;
};

export type AggregateOutcome =
  | {
      readonly kind: 'aggregated';
      readonly region: string;
      readonly period: Period;
      readonly rows: number;
      readonly completeness: Completeness;
      readonly evaluations: readonly Evaluation[];
      readonly events: readonly NotificationEvent[];
    }
  | { readonly kind: 'emptied'; readonly region: string; readonly period: Period };

const same = (a: Period, b: Period) => comparePeriods(a, b) === 0;

export async function aggregatePeriod(deps: AggregateDeps, event: PeriodChanged): Promise<AggregateOutcome> {
  const { region, period } = event;
  const nowIso = new Date(deps.clock.nowMs()).toISOString();
  const [schools, mouo] = await Promise.all([deps.snapshots.currentSchools(region, period), deps.snapshots.currentMunicipalities(region, period)]);

  if (schools.length === 0 && mouo.length === 0) {
    // Nothing is current for the period any more: its aggregate rows go too, and no alert
    // moves (no data is neither met nor breached).
    await deps.aggregates.replacePeriod(region, period, []);
    return { kind: 'emptied', region, period };
  }

  const ref = deps.municipalities.get(region);
  const metrics = computeMetrics({
    region,
    regionName: ref?.region.name ?? region,
    period,
    schools,
    municipalities: mouo,
    reference: ref?.municipalities ?? [],
  });

  // Without a reference list the municipalities the rows name are the whole region.
  const reference = ref?.municipalities ?? [...new Set([...schools, ...mouo].map((r) => r.municipality_id))].sort().map((id) => ({ id, name: id }));
  const completeness = periodCompleteness({
    reference,
    schools: schools.map((s) => s.municipality_id),
    municipalities: mouo.map((m) => m.municipality_id),
    pastDeadline: pastDeadline(period, deps.clock.nowMs(), deps.reportingDeadline),
  });

  const stored = (await deps.aggregates.periods(region)).filter((p) => !same(p, period));
  const earlier = stored.filter((p) => comparePeriods(p, period) < 0);
  const next = stored.find((p) => comparePeriods(p, period) > 0) ?? null;
  // A trend is drawn through judged weeks only: a provisional week's partial sums would bend it.
  const provisional = new Set((await deps.aggregates.completeness(region)).filter((c) => !isJudged(c.completeness)).map((c) => periodKey(c.period)));
  const previousPeriod = earlier.at(-1);
  const historyPeriods = earlier.filter((p) => !provisional.has(periodKey(p))).slice(-(TREND_WINDOW - 1));
  const history = await Promise.all(historyPeriods.map(async (p) => ({ period: p, rows: await deps.aggregates.readPeriod(region, p) })));
  // deltas compare with the stored week just before, judged or not, as the table shows them
  const previous = previousPeriod ? (history.find((h) => same(h.period, previousPeriod))?.rows ?? (await deps.aggregates.readPeriod(region, previousPeriod))) : null;

  const rows = toAggregateRows(metrics, previous);
  await deps.aggregates.replacePeriod(region, period, rows, completeness);
  if (next) {
    const nextRows = await deps.aggregates.readPeriod(region, next);
    await deps.aggregates.replacePeriod(region, next, withDeltas(nextRows, rows));
  }

  const evaluated = evaluatePeriod({
    current: rows,
    history,
    targetsFor: (scope) => targetsFor(deps.targets, region, scope),
  });
  if (!isJudged(completeness)) {
    return { kind: 'aggregated', region, period, rows: rows.length, completeness, evaluations: provisionally(evaluated), events: [] };
  }
  const evaluations = evaluated;
  const exports: ExportCheck[] = exportChecks(rows);
  const { changed, events } = applyPeriod(await deps.alerts.forRegion(region), evaluations, exports, nowIso);
  if (events.length > 0) await deps.sink.publish(events);
  if (changed.length > 0) await deps.alerts.save(changed);
  return { kind: 'aggregated', region, period, rows: rows.length, completeness, evaluations, events };
}

/** A municipality's export is missing when it has no school rows while others have them. */
function exportChecks(rows: readonly AggregateRow[]): ExportCheck[] {
  const anyExport = rows.some((r) => r.scope.level === 'municipality' && r.has_export);
  if (!anyExport) return [];
  return rows
    .filter((r) => r.scope.level === 'municipality')
    .map((r) => ({ region: r.region, scope: r.scope, period: r.period, missing: !r.has_export }));
}
