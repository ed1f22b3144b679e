// Integration: the SQLite pointer flip is one transaction. A commit reads the current-batch
// pointer of every unit it replaces, decides the flips (newer upload wins) and writes them.
// Another connection to the same file (another function's handler, the API) must see none
// or all of a commit's flips, and a second commit must not land between the first one's
// read and its writes. Each test stops the commit at the one moment a missing transaction
// shows and acts from another connection there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { openDatabase, type Db } from '../../../../shared/adapters/sqlite/database.ts';
import { SqliteSnapshotStore } from '../../../../shared/adapters/sqlite/snapshot-store.ts';
import { TransientError } from '../../../../shared/domain/errors.ts';
import { batchCommit, commitUnit } from '../../../support/builders.ts';

// After the plan is read and before its flips are written: where a racing commit would land.
const afterPlan = vi.hoisted(() => ({ probe: null as null | (() => void) }));
vi.mock('../../../../shared/domain/store-rules/commit-plan.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../../shared/domain/store-rules/commit-plan.ts')>();
  return {
    ...real,
    decideCommit: (...args: Parameters<typeof real.decideCommit>) => {
      const decided = real.decideCommit(...args);
      const probe = afterPlan.probe;
      afterPlan.probe = null;
      probe?.();
      return decided;
    },
  };
});

let dir: string;
let writer: Db;
let other: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-flip-'));
  writer = openDatabase(join(dir, 'pulse.sqlite'));
  other = openDatabase(join(dir, 'pulse.sqlite'));
  // the probes run on the writer's own thread: waiting for the writer's lock would only stall
  other.pragma('busy_timeout = 0');
  afterPlan.probe = null;
});

afterEach(() => {
  writer.close();
  other.close();
  rmSync(dir, { recursive: true, force: true });
});

const units = [commitUnit('budennovsky'), commitUnit('izobilnensky')];
const source = (n: number) => ({ lastModifiedMs: n, sequence: n });

function pointers(db: Db): Record<string, string> {
  const rows = db.prepare<[], { municipality_id: string; batch_id: string }>(`SELECT municipality_id, batch_id FROM current_batch ORDER BY municipality_id`).all();
  return Object.fromEntries(rows.map((r) => [r.municipality_id, r.batch_id]));
}

test('a reader on another connection sees the old pointers or the new ones, never a half-flipped period', async () => {
  const store = new SqliteSnapshotStore(writer);
  await store.commitBatch(batchCommit({ batchId: 'old', units, source: source(1) }));
  // Fires inside the second pointer write: by then the first write has been committed
  // unless the flips share one transaction.
  let writes = 0;
  let seen: Record<string, string> | null = null;
  writer.function('flip_probe', () => {
    if (++writes === 2) seen = pointers(other);
    return null;
  });
  writer.exec(`CREATE TEMP TRIGGER flip_probe AFTER INSERT ON main.current_batch BEGIN SELECT flip_probe(); END;`);
  await store.commitBatch(batchCommit({ batchId: 'new', units, source: source(2) }));
  expect(writes).toBe(2);
  expect(seen).toEqual({ budennovsky: 'old', izobilnensky: 'old' });
  expect(pointers(other)).toEqual({ budennovsky: 'new', izobilnensky: 'new' });
});

test('a newer commit racing an older one cannot land between its read and its writes', async () => {
  const store = new SqliteSnapshotStore(writer);
  const rival = new SqliteSnapshotStore(other);
  await store.commitBatch(batchCommit({ batchId: 'old', units, source: source(1) }));
  let rivalCommit: Promise<unknown> | null = null;
  afterPlan.probe = () => {
    // A newer upload's commit arrives once the older one has decided its flips (its SQLite
    // work runs synchronously, here). Under the older commit's lock it is refused and its
    // handler retries; without the lock it would commit, and the older commit's writes,
    // decided on pointers read before, would then overwrite the newer upload's.
    rivalCommit = rival.commitBatch(batchCommit({ batchId: 'newer', units, source: source(3) }));
  };
  await store.commitBatch(batchCommit({ batchId: 'new', units, source: source(2) }));
  expect(rivalCommit).not.toBeNull();
  const outcome = await rivalCommit!.then(
    () => 'committed',
    // the adapter's own translation: a lock held by another writer passes, so it is retried
    (e: unknown) => (e instanceof TransientError && (e.cause as { code?: string }).code) || String(e),
  );
  // whatever the rival's fate, the newest commit that succeeded holds every unit
  expect(pointers(other)).toEqual(outcome === 'committed' ? { budennovsky: 'newer', izobilnensky: 'newer' } : { budennovsky: 'new', izobilnensky: 'new' });
  expect(outcome).toBe('SQLITE_BUSY');
  // retried after the first commit, the newer upload takes both units together
  await rival.commitBatch(batchCommit({ batchId: 'newer', units, source: source(3) }));
  expect(pointers(writer)).toEqual({ budennovsky: 'newer', izobilnensky: 'newer' });
});
