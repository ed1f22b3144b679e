// Integration: `sferum-pulse start` as a child process on free ports — it prints the S3
// endpoint, bucket and credentials, a reader key and an uploader key with the upload page's
// address, uploads the samples into an empty data dir, accepts an
// upload from `sferum-pulse upload`, and stops with exit 0 on SIGTERM. Then `report` reads
// the data dir it left.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT as root } from '../../../support/paths.ts';

const manifest = JSON.parse(readFileSync(join(root, 'events/samples/manifest.json'), 'utf8')) as { files: { name: string }[] };

/** Polls `read()` until `ok` holds, up to `ms`. */
async function until<T>(read: () => T, ok: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sferum-pulse start', () => {
  test('runs until SIGTERM: prints the endpoint and credentials, loads the samples, takes uploads from any S3 client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-start-'));
    const child = spawn(process.execPath, ['bin/sferum-pulse.js', 'start', '--port', '0', '--data-dir', join(dir, 'data')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await until(() => out, (o) => o.includes('bundled sample exports'), 180_000, `the samples to load (stderr: ${err.slice(-500)})`);
      expect(out).toContain('bucket        sferum-pulse-exports');
      expect(out).toContain('AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER');
      expect(out).toContain(`uploaded the ${manifest.files.length} bundled sample exports`);
      const endpoint = /S3 endpoint\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;

      // the upload page's address and an uploader key beside the reader's: the reader's key
      // cannot ask for an upload form, the uploader's can
      const api = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)![1]!;
      expect(out).toContain(`upload page   ${api}/upload`);
      const readerKey = /API key\s+(sp-local-[0-9a-f]+)/.exec(out)![1]!;
      const uploaderKey = /uploader key\s+(sp-local-[0-9a-f]+)/.exec(out)![1]!;
      expect((await fetch(`${api}/upload`)).status).toBe(200);
      const askForm = (key: string) => fetch(`${api}/v1/regions/26/uploads`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ file_name: 'schools.csv' }) });
      expect((await askForm(readerKey)).status).toBe(403);
      const form = await askForm(uploaderKey);
      expect(form.status, await form.clone().text()).toBe(201);
      expect(JSON.stringify(await form.json())).toContain('uploads/26/');

      const file = join(root, 'events/samples', manifest.files.at(-1)!.name);
      const up = spawnSync(process.execPath, ['bin/sferum-pulse.js', 'upload', '--endpoint', endpoint, '--prefix', 'uploads/26/again/', file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      expect(up.status, up.stderr).toBe(0);
      expect(up.stdout).toContain('s3://sferum-pulse-exports/uploads/26/again/');
      await until(() => err, (e) => e.includes('uploads/26/again/'), 60_000, 'the upload to be ingested');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);

    const report = spawnSync(process.execPath, ['bin/sferum-pulse.js', 'report', '--format', 'json', '--data-dir', join(dir, 'data')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(report.status, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).rows).toHaveLength(7);
    rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});
