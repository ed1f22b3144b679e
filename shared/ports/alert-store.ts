// Port: the alert state per (region, alert, scope). The aggregate stage is its only writer
// (one period at a time per region); the API and the digest read it.
import type { AlertState } from '../domain/alerts.ts';

export interface AlertStore {
  /** Every stored alert state of a region. */
  forRegion(region: string): Promise<AlertState[]>;
  /** Inserts or replaces the given states in one transaction. */
  save(states: readonly AlertState[]): Promise<void>;
}
