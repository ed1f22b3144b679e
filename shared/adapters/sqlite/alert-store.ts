// Adapter: AlertStore on SQLite. One row per (region, alert, scope level, scope id); the
// state is kept as validated JSON beside the columns a query filters on (status, period).
// Each call's SQLite failures are translated into the pipeline's errors (`sqlite` in database.ts).
import { AlertState } from '../../domain/alerts.ts';
import type { AlertStore } from '../../ports/alert-store.ts';
import { alertRecord } from '../alert-rows.ts';
import { immediate, sqlite, type Db } from './database.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alert_state (
  region       TEXT NOT NULL,
  alert_id     TEXT NOT NULL,
  level        TEXT NOT NULL,
  unit         TEXT NOT NULL,
  status       TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end   TEXT NOT NULL,
  changed_at   TEXT NOT NULL,
  state_json   TEXT NOT NULL,
  PRIMARY KEY (region, alert_id, level, unit)
) WITHOUT ROWID;
`;

export class SqliteAlertStore implements AlertStore {
  readonly #db: Db;
  readonly #upsert;
  readonly #forRegion;

  constructor(db: Db) {
    db.exec(SCHEMA);
    this.#db = db;
    this.#upsert = db.prepare(`INSERT INTO alert_state VALUES (@region, @alert_id, @level, @unit, @status, @period_start, @period_end, @changed_at, @state_json)
      ON CONFLICT (region, alert_id, level, unit) DO UPDATE SET status = excluded.status, period_start = excluded.period_start,
        period_end = excluded.period_end, changed_at = excluded.changed_at, state_json = excluded.state_json`);
    this.#forRegion = db.prepare<[string], { state_json: string }>(
      `SELECT state_json FROM alert_state WHERE region = ? ORDER BY level, unit, alert_id`,
    );
  }

  async forRegion(region: string): Promise<AlertState[]> {
    return sqlite('alert store forRegion', () => this.#forRegion.all(region).map((r) => AlertState.parse(JSON.parse(r.state_json))));
  }

  async save(states: readonly AlertState[]): Promise<void> {
    sqlite('alert store save', () =>
      immediate(this.#db, () => {
        for (const s of states) this.#upsert.run({ ...alertRecord(s), state_json: JSON.stringify(s) });
      }),
    );
  }
}
