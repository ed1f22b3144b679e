// Bench helper: the ingest and aggregate use cases wired to a variant's stores the way the
// functions wire them — a deployment's ingest settings, no queue (what they would publish is
// returned), a silent log — so each variant measures the stores, not its own wiring.
import { defaultTargets } from '../shared/domain/targets.ts';
import type { AggregateStore } from '../shared/ports/aggregate-store.ts';
import type { AlertStore } from '../shared/ports/alert-store.ts';
import type { Clock } from '../shared/ports/clock.ts';
import type { Logger } from '../shared/ports/logger.ts';
import type { ObjectStore } from '../shared/ports/object-store.ts';
import type { SnapshotStore } from '../shared/ports/snapshot-store.ts';
import type { UploadLedger } from '../shared/ports/upload-ledger.ts';
import type { ReferenceData } from '../shared/runtime/reference.ts';
import type { AggregateDeps } from '../shared/usecases/aggregate-period.ts';
import type { IngestDeps } from '../shared/usecases/ingest-object.ts';

export const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

export type BenchStores = { readonly ledger: UploadLedger; readonly snapshots: SnapshotStore; readonly aggregates: AggregateStore; readonly alerts: AlertStore };

export function pipelineOn(stores: BenchStores, objects: ObjectStore, ref: ReferenceData, clock: Clock): { ingest: IngestDeps; aggregate: AggregateDeps } {
  return {
    ingest: {
      objects,
      ledger: stores.ledger,
      snapshots: stores.snapshots,
      periodChanged: { publish: async () => undefined },
      clock,
      log: silent,
      settings: { uploadPrefix: 'uploads/', reportPrefix: 'reports/', defaultRegion: null, bufferBytes: 32 << 20, minLeaseMs: 30_000, maxLeaseMs: 300_000, stageBatchRows: 1000 },
      mapHeaders: ref.mapHeaders,
      matchers: ref.matchers,
      knownRegions: ref.knownRegions,
    },
    aggregate: { snapshots: stores.snapshots, aggregates: stores.aggregates, alerts: stores.alerts, sink: { publish: async () => undefined }, targets: defaultTargets().config, municipalities: ref.municipalities, clock },
  };
}
