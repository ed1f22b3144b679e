// Integration: a YDB driver that cannot start (nothing listens on the port) fails the
// call with a typed, retryable error and leaves nothing behind that rejects later (the
// process stays up with Node's default of crashing on an unhandled rejection, which an
// unrelated rejection still triggers). Each case runs in a child process, because
// crashing is what is being tested.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';

const root = new URL('../../../../', import.meta.url).pathname;

/** A port on 127.0.0.1 that was free a moment ago: connections to it are refused. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function runChild(port: number, after: string) {
  const script = `
    const { getDriver } = await import('./shared/adapters/ydb/driver.ts');
    try {
      await getDriver({ endpoint: 'grpc://127.0.0.1:${port}', database: '/local', readyTimeoutMs: 1500 });
      console.log('started');
    } catch (e) {
      console.log('failed ' + e.name + ' retryable=' + e.retryable);
    }
    ${after}
    await new Promise((r) => setTimeout(r, 3000));
    console.log('alive');
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 40_000,
    env: { ...process.env, YDB_ANONYMOUS_CREDENTIALS: '1' },
  });
}

/** A child that starts against a wire server, queries, loses the server, and queries again. */
function runAfterGoodStart() {
  const script = `
    const { startYdbWire } = await import('./test/ydb-wire/server.ts');
    const { getDriver } = await import('./shared/adapters/ydb/driver.ts');
    const { YdbClient } = await import('./shared/adapters/ydb/client.ts');
    const wire = await startYdbWire();
    const driver = await getDriver({ connectionString: wire.connectionString, credentials: { kind: 'anonymous' } });
    const client = new YdbClient(driver, { maxElapsedMs: 1500 });
    await client.reader('SELECT 1 AS one;', {}, 'probe');
    console.log('started');
    await wire.close(); // the database goes away under a warm instance: its session stream breaks
    await new Promise((r) => setTimeout(r, 1500));
    try {
      await client.reader('SELECT 1 AS one;', {}, 'probe');
      console.log('answered');
    } catch (e) {
      console.log('failed ' + e.name + ' retryable=' + e.retryable);
    }
    await new Promise((r) => setTimeout(r, 1500));
    console.log('alive');
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 40_000 });
}

describe('a YDB driver after a good start', () => {
  test('losing the database leaves no unhandled rejection: the next call fails typed and the process runs on', () => {
    const r = runAfterGoodStart();
    expect(r.stderr).not.toMatch(/Unhandled|unhandled/);
    expect(r.stdout).toContain('started');
    expect(r.stdout).toMatch(/failed TransientError retryable=true/);
    expect(r.stdout).toContain('alive');
    expect(r.status).toBe(0);
  });
});

describe('a YDB driver that cannot start', () => {
  test('fails with a retryable error and leaves the process running', async () => {
    const r = runChild(await closedPort(), '');
    expect(r.stdout).toMatch(/failed (YdbNotReadyError|TransientError) retryable=true/);
    expect(r.stdout).toContain('alive');
    expect(r.status).toBe(0);
  });

  test('another unhandled rejection still crashes the process', async () => {
    const r = runChild(await closedPort(), `Promise.reject(new Error('not from ydb'));`);
    expect(r.stdout).toContain('failed');
    expect(r.stdout).not.toContain('alive');
    expect(r.stderr).toContain('not from ydb');
    expect(r.status).not.toBe(0);
  });
});
