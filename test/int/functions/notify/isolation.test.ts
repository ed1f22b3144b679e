// Integration: channel isolation in the notify function's own wiring (notifyDeps from the
// environment). A channel with a refused URL and one whose secret is not set are disabled,
// each with an error log that names the channel and says why without its URL or any
// secret; the valid webhook and the log channel keep delivering.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { loadConfig } from '../../../../shared/runtime/config.ts';
import { notifyDeps } from '../../../../shared/runtime/wiring.ts';
import { acceptEvents, sendDue } from '../../../../shared/usecases/deliver-notifications.ts';
import { breach } from '../../../support/builders.ts';
import { HOOK_SECRET } from '../../../support/notify-env.ts';
import { receiver } from '../../../support/receiver.ts';

const METADATA_URL = 'http://169.254.169.254/latest/hook-with-token-abc123';
const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env['ISOLATION_HOOK_SECRET'];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(channels: unknown[], routes: unknown[]) {
  const dir = mkdtempSync(join(tmpdir(), 'notify-iso-'));
  dirs.push(dir);
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  process.env['ISOLATION_HOOK_SECRET'] = HOOK_SECRET;
  const env = loadConfig({ SQLITE_PATH: join(dir, 'pulse.sqlite'), NOTIFY_ALLOW_LOOPBACK: '1', NOTIFY_ALLOW_HTTP: '1', NOTIFY_CONFIG: JSON.stringify({ channels, routes, grouping: { windowMs: 0 } }) });
  const deps = await notifyDeps(env);
  const logs = () => lines.flatMap((l) => l.split('\n')).filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { deps, logs };
}

describe('notify channel isolation', () => {
  test('an invalid channel is disabled with an error naming it; the others deliver', async () => {
    await using hook = await receiver();
    const { deps, logs } = await start(
      [
        { id: 'ministry-hook', kind: 'webhook', url: `${hook.url}/hook`, secrets: [{ env: 'ISOLATION_HOOK_SECRET' }] },
        { id: 'metadata-hook', kind: 'webhook', url: METADATA_URL, secrets: [{ env: 'ISOLATION_HOOK_SECRET' }] },
        { id: 'vk-no-token', kind: 'vk', peerId: 2000000001, token: { env: 'ISOLATION_VK_TOKEN_UNSET' }, baseUrl: hook.url },
        { id: 'audit', kind: 'log' },
      ],
      [{ region: '26', channels: ['metadata-hook', 'vk-no-token', 'ministry-hook', 'audit'] }],
    );
    expect([...deps.senders.keys()].sort()).toEqual(['audit', 'log', 'ministry-hook']);
    await acceptEvents(deps, [breach()]);
    const sent = await sendDue(deps);
    expect(sent).toMatchObject({ delivered: 2, dead: 0 });
    expect(hook.seen).toHaveLength(1);
    expect(hook.seen[0]!.url).toBe('/hook');

    const errors = logs().filter((l) => l['level'] === 'ERROR' && l['msg'] === 'notify.channel_invalid');
    expect(errors.map((e) => e['channel_id']).sort()).toEqual(['metadata-hook', 'vk-no-token']);
    expect(JSON.stringify(errors.find((e) => e['channel_id'] === 'metadata-hook'))).toMatch(/url: refused URL/);
    expect(JSON.stringify(errors.find((e) => e['channel_id'] === 'vk-no-token'))).toMatch(/ISOLATION_VK_TOKEN_UNSET is not set/);
    const all = JSON.stringify(logs());
    for (const needle of ['169.254.169.254', 'abc123', HOOK_SECRET, HOOK_SECRET.slice(6), hook.url]) expect(all).not.toContain(needle);
  });

  test('a region whose only channel is disabled falls back to the log channel', async () => {
    const { deps } = await start([{ id: 'bad', kind: 'webhook', url: 'ftp://example.org/x', secrets: [{ env: 'ISOLATION_HOOK_SECRET' }] }], [{ region: '26', channels: ['bad'] }]);
    expect(deps.config.routes).toEqual([]);
    await acceptEvents(deps, [breach()]);
    expect(await sendDue(deps)).toMatchObject({ delivered: 1, dead: 0 });
  });

  test('a route naming a channel that was never declared still fails the whole configuration', async () => {
    await expect(start([{ id: 'audit', kind: 'log' }], [{ region: '26', channels: ['nowhere'] }])).rejects.toThrow(/unknown channel nowhere/);
  });
});
