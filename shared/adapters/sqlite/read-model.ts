// Adapter: the API's ReadModel on SQLite. It owns a second connection to the database
// file, used only for reads: each snapshot is one deferred read transaction on it, and in
// WAL mode that transaction sees the last commit before its first read and nothing after,
// while writers go on through their own connection. A separate connection matters: a
// transaction left open across `await`s on the writers' shared handle would swallow their
// writes into it. Snapshots on this connection run one at a time. Its SQLite failures, as
// the stores' it reads through, are translated into the pipeline's errors (`sqlite` in
// database.ts): the API answers a fault, never a better-sqlite3 error.
import { UploadReport } from '../../domain/schemas.ts';
import { windowFromPeriods, type LedgerReport, type ReadModel, type ReadView } from '../../ports/read-model.ts';
import { SqliteAggregateStore } from './aggregate-store.ts';
import { SqliteAlertStore } from './alert-store.ts';
import { openDatabase, sqlite, type Db } from './database.ts';
import { SqliteSnapshotStore } from './snapshot-store.ts';
import { SqliteUploadLedger } from './upload-ledger.ts';

export class SqliteReadModel implements ReadModel {
  readonly #db: Db;
  readonly #view: ReadView;
  #queue: Promise<unknown> = Promise.resolve();

  /** Opens its own connection to the database file at `path` (not `:memory:`, which one connection owns). */
  constructor(path: string) {
    if (path === ':memory:' || path === '') throw new RangeError('SqliteReadModel needs a database file; an in-memory database has no second connection');
    this.#db = openDatabase(path);
    // The adapters create their tables if missing, so a reader may start before any writer.
    const aggregates = new SqliteAggregateStore(this.#db);
    const alerts = new SqliteAlertStore(this.#db);
    const ledger = new SqliteUploadLedger(this.#db);
    const snapshots = new SqliteSnapshotStore(this.#db);
    const reports = this.#db.prepare<[number, number], { sequence: number; report_json: string }>(
      `SELECT sequence, report_json FROM upload_ledger WHERE status = 'completed' AND report_json IS NOT NULL AND sequence < ?
       ORDER BY sequence DESC LIMIT ?`,
    );
    // data_version changes whenever another connection commits; this connection never
    // writes, so within one read transaction it names the snapshot being read. The read of
    // sqlite_schema comes first because a deferred transaction takes its snapshot at its
    // first read, and the pragma reports the state of that snapshot.
    const begin = this.#db.prepare('SELECT 1 FROM sqlite_schema LIMIT 1');
    const dataVersion = this.#db.prepare<[], { data_version: number }>('PRAGMA data_version');
    const view: ReadView = {
      // the whole file's state: coarser than a region's, never wrong
      version: async () =>
        sqlite('read model version', () => {
          begin.get();
          return `sqlite:${dataVersion.get()!.data_version}`;
        }),
      periods: (region) => aggregates.periods(region),
      completeness: (region) => aggregates.completeness(region),
      readPeriod: (region, period) => aggregates.readPeriod(region, period),
      periodWindow: (region, period, earlier) => windowFromPeriods(view, region, period, earlier),
      timeseries: (region, metric, scope) => aggregates.timeseries(region, metric, scope),
      schools: (region, period) => snapshots.currentSchools(region, period),
      inForce: (region, period) => snapshots.inForce(region, period),
      schoolSources: (region, period, municipalityId) => snapshots.schoolSources(region, period, municipalityId),
      alerts: (region) => alerts.forRegion(region),
      report: (id) => ledger.getReport(id),
      reports: async ({ limit, before }): Promise<LedgerReport[]> =>
        sqlite('read model reports', () =>
          reports.all(before ?? Number.MAX_SAFE_INTEGER, limit).map((r) => ({ sequence: r.sequence, report: UploadReport.parse(JSON.parse(r.report_json)) })),
        ),
    };
    this.#view = view;
  }

  snapshot<T>(fn: (view: ReadView) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      sqlite('read model snapshot', () => this.#db.exec('BEGIN DEFERRED'));
      try {
        return await fn(this.#view);
      } finally {
        // A read transaction has nothing to keep; ending it releases the WAL snapshot.
        sqlite('read model snapshot', () => this.#db.exec('ROLLBACK'));
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.#db.close();
  }
}
