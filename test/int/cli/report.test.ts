// Integration: `sferum-pulse report` and the parameter rules it shares with the API: each
// bad flag exits 2 before anything is read, names the flag and what it accepts, and prints
// nothing on stdout — through main() with buffers for stdout and stderr, and once as a
// child process for the process's own exit code.
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { main } from '../../../cli/main.ts';
import { REPO_ROOT as root } from '../../support/paths.ts';


async function report(...args: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: '', err: '' };
  out.on('data', (c: Buffer) => (chunks.out += c.toString('utf8')));
  err.on('data', (c: Buffer) => (chunks.err += c.toString('utf8')));
  const status = await main(['report', ...args], { out, err });
  return { status, stdout: chunks.out, stderr: chunks.err };
}

describe('sferum-pulse report: bad flags exit 2 naming the flag and the allowed values', () => {
  test.each([
    [['--from', '2023-13-01'], 'sferum-pulse report: --from: expected a calendar date YYYY-MM-DD; got "2023-13-01"'],
    [['--to', '2023-04-07', '--from', '2023-05-01'], 'sferum-pulse report: --to: must not be before from; got "2023-04-07"'],
    [['--region', '77'], 'sferum-pulse report: --region: no region 77 is configured (configured: 26); got "77"'],
    [['--region', '7'], 'sferum-pulse report: --region: expected a two-digit region code; got "7"'],
    [['--format', 'pdf'], 'sferum-pulse report: --format takes one of table, csv, xlsx, pptx, json; got "pdf"'],
    [['--data-dir', '/nonexistent/sp'], 'sferum-pulse report: --data-dir: no data in /nonexistent/sp/pulse.sqlite;'],
  ])('%j', async (args, message) => {
    const r = await report(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  test('the process exits 2 with the message on stderr', () => {
    const r = spawnSync(process.execPath, ['bin/sferum-pulse.js', 'report', '--from', '2023-13-01'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('sferum-pulse report: --from: expected a calendar date YYYY-MM-DD; got "2023-13-01"\n');
    expect(r.stdout).toBe('');
  }, 60_000);
});
