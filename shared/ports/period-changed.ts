// Port: the hand-off from ingest to aggregate (a Message Queue in the cloud, the local
// runtime's queue locally). Delivery is at least once; consumers are idempotent.
import type { PeriodChanged } from '../domain/schemas.ts';

export interface PeriodChangedSink {
  publish(events: readonly PeriodChanged[]): Promise<void>;
}
