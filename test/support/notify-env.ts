// Test helper: a notify deployment in miniature — a real SQLite file in a temp dir, the
// real channel senders built from a validated config, an injected clock and random
// source, and a logger whose JSON lines the test can read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../shared/adapters/sqlite/database.ts';
import { SqliteOutbox } from '../../shared/adapters/sqlite/outbox.ts';
import { createSenders } from '../../shared/adapters/channels/index.ts';
import type { Resolve } from '../../shared/adapters/channels/http.ts';
import { EnvSecretResolver } from '../../shared/adapters/secrets/env.ts';
import { parseNotifyConfig } from '../../shared/domain/notify/config.ts';
import type { Outbox } from '../../shared/ports/outbox.ts';
import type { NotifyDeps } from '../../shared/usecases/deliver-notifications.ts';
import { capturedLogger } from './logs.ts';
import { manualClock } from './notify.ts';

export async function notifyEnv(opts: {
  config: unknown;
  env?: Record<string, string>;
  random?: () => number;
  resolve?: Resolve;
  allowLoopback?: boolean;
  allowHttp?: boolean;
}) {
  const dir = mkdtempSync(join(tmpdir(), 'notify-'));
  const dbPath = join(dir, 'pulse.db');
  const dbs: Db[] = [openDatabase(dbPath)];
  const clock = manualClock();
  const logs = capturedLogger();
  const config = parseNotifyConfig(opts.config, { allowLoopback: opts.allowLoopback ?? true, allowHttp: opts.allowHttp ?? true });
  const senders = await createSenders(config, {
    secrets: new EnvSecretResolver(opts.env ?? {}),
    clock,
    log: logs.log,
    ...(opts.resolve ? { resolve: opts.resolve } : {}),
  });
  const deps: NotifyDeps = {
    outbox: new SqliteOutbox(dbs[0]!),
    senders,
    config,
    clock,
    random: opts.random ?? (() => 0.5),
    log: logs.log,
  };
  return {
    deps,
    clock,
    logs,
    db: dbs[0]!,
    dbPath,
    /** a second process on the same database file (after a crash) */
    reopen(outboxWrap: (o: Outbox) => Outbox = (o) => o): NotifyDeps {
      const db = openDatabase(dbPath);
      dbs.push(db);
      return { ...deps, outbox: outboxWrap(new SqliteOutbox(db)) };
    },
    [Symbol.dispose]() {
      for (const db of dbs) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const HOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const HOOK_SECRET_OLD = 'whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==';

export function webhookConfig(url: string, extra: Record<string, unknown> = {}) {
  return {
    channels: [{ kind: 'webhook', id: 'hook', url, secrets: [{ env: 'HOOK_SECRET' }] }],
    routes: [{ region: '26', channels: ['hook'] }],
    grouping: { windowMs: 0 },
    ...extra,
  };
}
