// Adapter: AlertStore on YDB. One row per (region, alert, scope level, scope id) with the
// state kept as validated JSON beside the columns a query filters on. `save` writes every
// state in one UPSERT statement, so a period's transitions land together or not at all,
// with a new read token of the region (read_version) in the same statement.
import type { AlertState } from '../../domain/alerts.ts';
import type { AlertStore } from '../../ports/alert-store.ts';
import { readRows, type Runner, type YdbClient } from './client.ts';
import { ALERT_COLUMNS, ALERT_READ_COLUMNS, ALERTS_FOR_REGION, ALERTS_SAVE } from './queries.ts';
import { byText, col, listParam, param, type RowOf } from './codec.ts';
import { T, alertToRow, rowToAlert, versionRow } from './tables.ts';

/** Every alert state of a region over any runner (a store's statements or a snapshot transaction's). */
export async function alertsForRegion(run: Runner, region: string): Promise<AlertState[]> {
  return alertStates(await readRows(run, ALERTS_FOR_REGION, { $region: param(col.utf8, region) }, ALERT_READ_COLUMNS, 'reading alert states'));
}

/** A region's alert rows as states, in the SQLite adapter's order: level, unit, alert id. */
export function alertStates(rows: RowOf<typeof ALERT_READ_COLUMNS>[]): AlertState[] {
  return rows.sort((a, b) => byText(a.level, b.level) || byText(a.unit, b.unit) || byText(a.alert_id, b.alert_id)).map(rowToAlert);
}

export class YdbAlertStore implements AlertStore {
  readonly #db: YdbClient;

  constructor(db: YdbClient) {
    this.#db = db;
  }

  forRegion(region: string): Promise<AlertState[]> {
    return alertsForRegion(this.#db.reader, region);
  }

  async save(states: readonly AlertState[]): Promise<void> {
    if (states.length === 0) return;
    // the API shows alert states: every region they belong to gets a new read token
    const regions = [...new Set(states.map((s) => s.region))];
    await this.#db.run(
      ALERTS_SAVE,
      { $rows: listParam(ALERT_COLUMNS, states.map(alertToRow)), $read_token: listParam(T.readVersion.columns, regions.map((r) => versionRow(r, Date.now()))) },
      { what: 'saving alert states', idempotent: true },
    );
  }
}
