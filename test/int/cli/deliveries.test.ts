// Integration: `sferum-pulse deliveries` as a child process (node bin/sferum-pulse.js) over a
// data directory whose outbox holds a dead delivery: listed by state as JSON lines, replayed
// under its id (pending again, a fresh count, the same events), a second replay refused
// with the usage exit code.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../../../shared/adapters/sqlite/database.ts';
import { SqliteOutbox } from '../../../shared/adapters/sqlite/outbox.ts';
import { claimDue, enqueue, finish } from '../../../shared/usecases/outbox.ts';
import { breach, enqueueRequest } from '../../support/builders.ts';
import { REPO_ROOT as root } from '../../support/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'sp-deliveries-'));
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/sferum-pulse.js', 'deliveries', '--data-dir', dir, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
const lines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const event = breach();
let deliveryId = '';

beforeAll(async () => {
  const db = openDatabase(join(dir, 'pulse.sqlite'));
  const outbox = new SqliteOutbox(db);
  ({ deliveryId } = await enqueue(outbox, enqueueRequest(event, 0)));
  const [c] = await claimDue(outbox, { nowMs: 1000, leaseMs: 60_000, limit: 1 });
  await finish(outbox, c!.id, c!.leaseToken, { state: 'dead', nowMs: 1500, error: 'http.400' });
  db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sferum-pulse deliveries', () => {
  test('lists the dead delivery, replays it under its id, and refuses a second replay', () => {
    const listed = cli('--state', 'dead');
    expect(listed.status, listed.stderr).toBe(0);
    expect(lines(listed.stdout)).toMatchObject([{ id: deliveryId, state: 'dead', attempts: 1, lastError: 'http.400', eventIds: [event.id] }]);

    const replayed = cli('--replay', deliveryId);
    expect(replayed.status, replayed.stderr).toBe(0);
    expect(lines(replayed.stdout)).toMatchObject([{ id: deliveryId, state: 'pending', attempts: 0, eventIds: [event.id] }]);
    expect(replayed.stderr).toContain(`delivery ${deliveryId} is pending again`);
    expect(lines(cli('--state', 'pending').stdout).map((d) => d['id'])).toEqual([deliveryId]);

    const again = cli('--replay', deliveryId);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`no dead or disabled delivery ${deliveryId}`);
  }, 120_000);
});
