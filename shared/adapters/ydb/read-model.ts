// Adapter: the API's ReadModel on YDB. Each snapshot is one snapshot read-only
// transaction: every read of a request runs in it, so a pointer flip or an aggregate
// recompute committed meanwhile is either wholly visible or not at all
// (test/contract/read-model.contract.ts).
//
// Except the region's read token, read first in a one-call snapshot of its own (begun and
// committed in the same ExecuteQuery): a response served from the cache needs nothing else,
// so it costs one round trip, not the token read and a commit. The callback runs with a view
// that reads only the token; at its first other read it is stopped and run again whole in
// the snapshot transaction, the token it read kept. The state that transaction reads is the
// token's or a later one, never an earlier one: a response built under a token is never
// older than the token (a writer renews the token in the transaction of its change, and
// tokens are never reused), so the cache stays correct. Requests in flight together share
// that one-call read (FreshReads): each gets a token read by a call begun after it asked.
//
// Reads whose cost does not depend on history (migration 0007): the region's read token is
// one point read (read_version), the period list the prefix of the period index
// (region_period), and a period's response two statements: the window's bounds (the last
// entries of the period index up to the period, read backwards) and then, by key range from
// the oldest of them, the window's aggregate rows and completeness, with the region's alert
// states, which the view then serves to `alerts` from memory — the same snapshot, so the
// same rows.
//
// A snapshot that fails on a retryable status (a lost session, OVERLOADED) is re-run
// whole by YdbClient.tx; that is safe because it only reads.
import { comparePeriods, type AlertState } from '../../domain/alerts.ts';
import type { AggregateRow } from '../../domain/metrics.ts';
import type { Period } from '../../domain/schemas.ts';
import type { ReadModel, ReadView, StartRange } from '../../ports/read-model.ts';
import { aggregateReads, byScopeOrder } from './aggregate-store.ts';
import { alertsForRegion, alertStates } from './alert-store.ts';
import { FreshReads } from '../fresh-reads.ts';
import { readRows, type Runner, type YdbClient } from './client.ts';
import { col, decodeRows, param } from './codec.ts';
import { AGGREGATE_COLUMNS, AGGREGATE_PERIODS_BETWEEN, ALERT_READ_COLUMNS, COMPLETENESS_BETWEEN, COMPLETENESS_READ_COLUMNS, PERIOD_COLUMNS, PERIOD_WINDOW, PERIOD_WINDOW_BOUNDS, READ_VERSION } from './queries.ts';
import { currentSchoolsOn, inForceOn, schoolSourcesOn } from './snapshot-store.ts';
import { rowPeriod, rowToAggregate, rowToCompleteness } from './tables.ts';
import { completedReports, reportOf } from './upload-ledger.ts';

/** The region's read token, one point read. */
async function readToken(run: Runner, region: string): Promise<string> {
  const [rs] = await run(READ_VERSION, { $region: param(col.utf8, region) }, 'reading the read token');
  const row = rs ? decodeRows(rs, { version: col.utf8 })[0] : undefined;
  // a region nothing was written for yet still has a state: empty
  return `ydb:${row?.version ?? 'empty'}`;
}

/**
 * The read view over one runner: every statement goes through `run`. `tokens`: the region
 * tokens already read for this view (see the header), read once per region by `token`.
 */
export function readViewOn(run: Runner, tokens = new Map<string, string>(), token = (region: string) => readToken(run, region)): ReadView {
  // alert states read with a period window, for `alerts` of the same region in this view
  const alertsRead = new Map<string, AlertState[]>();
  const reads = aggregateReads(run);
  return {
    async version(region) {
      // the upload list and an upload's report belong to no region: never reused
      if (region === null) return null;
      const known = tokens.get(region);
      if (known !== undefined) return known;
      const read = await token(region);
      tokens.set(region, read);
      return read;
    },
    ...reads,
    async periods(region, starts) {
      if (!starts) return reads.periods(region);
      return (await readRows(run, AGGREGATE_PERIODS_BETWEEN, rangeParams(region, starts), PERIOD_COLUMNS, 'listing aggregate periods in a range')).map(rowPeriod);
    },
    async completeness(region, starts) {
      if (!starts) return reads.completeness(region);
      return (await readRows(run, COMPLETENESS_BETWEEN, rangeParams(region, starts), COMPLETENESS_READ_COLUMNS, 'reading period completeness in a range')).map(rowToCompleteness);
    },
    async periodWindow(region, period, earlier) {
      // the window's bounds first (≤ earlier + 1 index rows), then its rows by key range:
      // both reads are bounded by the window, never by the region's history
      const [bounds] = await run(
        PERIOD_WINDOW_BOUNDS,
        { $region: param(col.utf8, region), $period_start: param(col.date, period.start), $periods: param(col.uint64, earlier + 1) },
        `reading the window bounds of ${region} ${period.start}..${period.end}`,
      );
      const periods = (bounds ? decodeRows(bounds, PERIOD_COLUMNS) : []).map(rowPeriod);
      // the period has no aggregates: nothing else to read
      if (!periods.some((p) => comparePeriods(p, period) === 0)) return { rows: [], history: [], completeness: [] };
      const from = periods.reduce((a, b) => (comparePeriods(a, b) <= 0 ? a : b));
      const [agg, alerts, completeness] = await run(
        PERIOD_WINDOW,
        { $region: param(col.utf8, region), $from: param(col.date, from.start), $period_start: param(col.date, period.start) },
        `reading the window of ${region} ${period.start}..${period.end}`,
      );
      alertsRead.set(region, alerts ? alertStates(decodeRows(alerts, ALERT_READ_COLUMNS)) : []);
      const inWindow = (p: Period) => comparePeriods(p, from) >= 0 && comparePeriods(p, period) <= 0;
      const byPeriod = new Map<string, { period: Period; rows: AggregateRow[] }>();
      for (const r of agg ? decodeRows(agg, AGGREGATE_COLUMNS) : []) {
        const k = `${r.period_start}|${r.period_end}`;
        let p = byPeriod.get(k);
        if (!p) byPeriod.set(k, (p = { period: rowPeriod(r), rows: [] }));
        p.rows.push(rowToAggregate(r));
      }
      const ordered = [...byPeriod.values()].filter((p) => inWindow(p.period)).sort((a, b) => comparePeriods(a.period, b.period));
      for (const p of ordered) p.rows.sort(byScopeOrder);
      const current = ordered.find((p) => comparePeriods(p.period, period) === 0);
      if (!current) return { rows: [], history: [], completeness: [] };
      return {
        rows: current.rows,
        history: ordered.filter((p) => comparePeriods(p.period, period) < 0).slice(-earlier),
        completeness: (completeness ? decodeRows(completeness, COMPLETENESS_READ_COLUMNS) : [])
          .map(rowToCompleteness)
          .filter((c) => inWindow(c.period))
          .sort((a, b) => comparePeriods(a.period, b.period)),
      };
    },
    schools: (region, period) => currentSchoolsOn(run, region, period),
    inForce: (region, period) => inForceOn(run, region, period),
    schoolSources: (region, period, municipalityId) => schoolSourcesOn(run, region, period, municipalityId),
    alerts: async (region) => alertsRead.get(region) ?? (await alertsForRegion(run, region)),
    report: (uploadId) => reportOf(run, uploadId),
    reports: (opts) => completedReports(run, opts),
  };
}

const rangeParams = (region: string, starts: StartRange) => ({ $region: param(col.utf8, region), $from: param(col.date, starts.from), $to: param(col.date, starts.to) });

/** What stops a callback at its first read past the token: it is run again in the snapshot transaction. */
const NEEDS_SNAPSHOT = new Error('a read past the read token: run again in a snapshot transaction');

const tokenOnly: Runner = () => Promise.reject(NEEDS_SNAPSHOT);

export class YdbReadModel implements ReadModel {
  readonly #db: YdbClient;
  readonly #tokens: FreshReads<string, string>;

  constructor(db: YdbClient) {
    this.#db = db;
    this.#tokens = new FreshReads((region) => readToken((text, params, what) => db.run(text, params, { what, idempotent: true, mode: 'snapshotReadOnly' }), region));
  }

  async snapshot<T>(fn: (view: ReadView) => Promise<T>): Promise<T> {
    const tokens = new Map<string, string>();
    try {
      return await fn(readViewOn(tokenOnly, tokens, (region) => this.#tokens.get(region)));
    } catch (err) {
      if (err !== NEEDS_SNAPSHOT) throw err;
    }
    return this.#db.tx('snapshot', 'reading a consistent view', (tx) => fn(readViewOn(tx.query, tokens)));
  }
}
