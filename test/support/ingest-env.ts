// Test helper: the ingest function wired to real parts — s3rver over HTTP, a SQLite file
// in a temp dir, the project's reference data — with an in-memory PeriodChanged queue and
// an injectable clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../shared/adapters/sqlite/database.ts';
import { SqliteSnapshotStore } from '../../shared/adapters/sqlite/snapshot-store.ts';
import { SqliteUploadLedger } from '../../shared/adapters/sqlite/upload-ledger.ts';
import { UploadReport, type PeriodChanged } from '../../shared/domain/schemas.ts';
import type { SnapshotStore } from '../../shared/ports/snapshot-store.ts';
import type { UploadLedger } from '../../shared/ports/upload-ledger.ts';
import { buildReference } from '../../shared/runtime/reference.ts';
import type { IngestDeps, IngestSettings } from '../../shared/usecases/ingest-object.ts';
import { capturedLogger } from './logs.ts';
import { startS3, TEST_BUCKET, type S3Fixture } from './s3.ts';

export type IngestEnv = {
  s3: S3Fixture;
  db: Db;
  dbPath: string;
  snapshots: SnapshotStore;
  ledger: UploadLedger;
  published: PeriodChanged[];
  clock: { nowMs(): number; set(ms: number): void; advance(ms: number): void };
  logs: ReturnType<typeof capturedLogger>;
  deps(over?: Partial<IngestDeps>): IngestDeps;
  upload(key: string, body: Uint8Array | string, metadata?: Record<string, string>): Promise<void>;
  /** the report ingest wrote beside the upload (`reports/<key>.json`), as stored; null when there is none */
  reportText(key: string): Promise<string | null>;
  /** the same, parsed with the report's schema */
  report(key: string): Promise<UploadReport | null>;
  [Symbol.asyncDispose](): Promise<void>;
};

export const TEST_SETTINGS: IngestSettings = {
  uploadPrefix: 'uploads/',
  reportPrefix: 'reports/',
  defaultRegion: '26',
  bufferBytes: 32 * 1024 * 1024,
  minLeaseMs: 30_000,
  maxLeaseMs: 300_000,
  stageBatchRows: 500,
};

const reference = buildReference();

export async function startIngestEnv(): Promise<IngestEnv> {
  const s3 = await startS3();
  const dir = mkdtempSync(join(tmpdir(), 'sp-db-'));
  const dbPath = join(dir, 'pulse.sqlite');
  const db = openDatabase(dbPath);
  const snapshots = new SqliteSnapshotStore(db);
  const ledger = new SqliteUploadLedger(db);
  const published: PeriodChanged[] = [];
  let now = Date.parse('2023-03-13T09:00:00Z');
  const clock = { nowMs: () => now, set: (ms: number) => void (now = ms), advance: (ms: number) => void (now += ms) };
  const logs = capturedLogger();
  const deps = (over: Partial<IngestDeps> = {}): IngestDeps => ({
    objects: s3.store,
    ledger,
    snapshots,
    periodChanged: { publish: async (e) => void published.push(...e) },
    clock,
    log: logs.log,
    settings: TEST_SETTINGS,
    mapHeaders: reference.mapHeaders,
    matchers: reference.matchers,
    knownRegions: reference.knownRegions,
    ...over,
  });
  const reportText = async (key: string): Promise<string | null> => {
    const body = await s3.store.get(TEST_BUCKET, `${TEST_SETTINGS.reportPrefix}${key}.json`);
    if (!body) return null;
    const chunks: Uint8Array[] = [];
    for await (const c of body) chunks.push(c);
    return Buffer.concat(chunks).toString('utf8');
  };
  return {
    s3,
    db,
    dbPath,
    snapshots,
    ledger,
    published,
    clock,
    logs,
    deps,
    upload: (key, body, metadata) => s3.store.put(TEST_BUCKET, key, body, metadata ? { metadata } : {}),
    reportText,
    report: async (key) => {
      const text = await reportText(key);
      return text === null ? null : UploadReport.parse(JSON.parse(text));
    },
    async [Symbol.asyncDispose]() {
      db.close();
      await s3.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
