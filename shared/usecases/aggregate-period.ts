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
//  5. Evaluate each target for each scope (the trend uses the last TREND_WINDOW periods).
//  6. Apply the evaluations and the export checks to the stored alert states (pure), publish
//     the transition events, then save the states. Publishing first means a crash in
//     between republishes the same deterministic ids on retry (the notifier drops them);
//     the opposite order could lose an event.
// Only the touched (region, period) is recomputed; other periods are read, never rebuilt.
// Infrastructure faults propagate (the handler lets the trigger retry them).
import { applyPeriod, comparePeriods, type ExportCheck } from '../domain/alerts.ts';
import { evaluatePeriod, TREND_WINDOW, type Evaluation } from '../domain/evaluate.ts';
import type { NotificationEvent } from '../domain/events.ts';
import { computeMetrics, toAggregateRows, withDeltas, type AggregateRow } from '../domain/metrics.ts';
import type { PeriodChanged, Period } from '../domain/schemas.ts';
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
};

export type AggregateOutcome =
  | {
      readonly kind: 'aggregated';
      readonly region: string;
      readonly period: Period;
      readonly rows: number;
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

  const stored = (await deps.aggregates.periods(region)).filter((p) => !same(p, period));
  const earlier = stored.filter((p) => comparePeriods(p, period) < 0);
  const next = stored.find((p) => comparePeriods(p, period) > 0) ?? null;
  const historyPeriods = earlier.slice(-(TREND_WINDOW - 1));
  const history = await Promise.all(historyPeriods.map(async (p) => ({ period: p, rows: await deps.aggregates.readPeriod(region, p) })));
  const previous = history.at(-1)?.rows ?? null;

  const rows = toAggregateRows(metrics, previous);
  await deps.aggregates.replacePeriod(region, period, rows);
  if (next) {
    const nextRows = await deps.aggregates.readPeriod(region, next);
    await deps.aggregates.replacePeriod(region, next, withDeltas(nextRows, rows));
  }

  const evaluations = evaluatePeriod({
    current: rows,
    history,
    targetsFor: (scope) => targetsFor(deps.targets, region, scope),
  });
  const exports: ExportCheck[] = exportChecks(rows);
  const { changed, events } = applyPeriod(await deps.alerts.forRegion(region), evaluations, exports, nowIso);
  if (events.length > 0) await deps.sink.publish(events);
  if (changed.length > 0) await deps.alerts.save(changed);
  return { kind: 'aggregated', region, period, rows: rows.length, evaluations, events };
}

/** A municipality's export is missing when it has no school rows while others have them. */
function exportChecks(rows: readonly AggregateRow[]): ExportCheck[] {
  const anyExport = rows.some((r) => r.scope.level === 'municipality' && r.has_export);
  if (!anyExport) return [];
  return rows
    .filter((r) => r.scope.level === 'municipality')
    .map((r) => ({ region: r.region, scope: r.scope, period: r.period, missing: !r.has_export }));
}
