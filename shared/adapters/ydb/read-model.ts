// Adapter: the API's ReadModel on YDB. Each snapshot is one snapshot read-only
// transaction: every read of a request runs in it, so a pointer flip or an aggregate
// recompute committed meanwhile is either wholly visible or not at all (T25). Reads page
// past YDB's 1 000-row result cap with the same statements the stores use (queries.ts),
// and a truncated page fails instead of passing as complete.
//
// A snapshot that fails on a retryable status (a lost session, OVERLOADED) is re-run
// whole by YdbClient.tx; that is safe because it only reads.
import type { ReadModel, ReadView } from '../../ports/read-model.ts';
import { aggregateReads } from './aggregate-store.ts';
import { alertsForRegion } from './alert-store.ts';
import type { Runner, YdbClient } from './client.ts';
import { currentSchoolsOn, inForceOn, schoolSourcesOn } from './snapshot-store.ts';
import { completedReports, reportOf } from './upload-ledger.ts';

/** The read view over one runner: every statement goes through `run`. */
export function readViewOn(run: Runner): ReadView {
  return {
    // YDB has no cheap token of a committed state (a counter bumped by every writer would
    // add a write to each upload and recompute), so responses are rebuilt per request.
    version: async () => null,
    ...aggregateReads(run),
    schools: (region, period) => currentSchoolsOn(run, region, period),
    inForce: (region, period) => inForceOn(run, region, period),
    schoolSources: (region, period, municipalityId) => schoolSourcesOn(run, region, period, municipalityId),
    alerts: (region) => alertsForRegion(run, region),
    report: (uploadId) => reportOf(run, uploadId),
    reports: (opts) => completedReports(run, opts),
  };
}

export class YdbReadModel implements ReadModel {
  readonly #db: YdbClient;

  constructor(db: YdbClient) {
    this.#db = db;
  }

  snapshot<T>(fn: (view: ReadView) => Promise<T>): Promise<T> {
    return this.#db.tx('snapshot', 'reading a consistent view', (tx) => fn(readViewOn(tx.query)));
  }
}
