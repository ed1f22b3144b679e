// Integration: the real CLI as a child process (node bin/sferum-pulse.js), over the bundled
// samples named on the command line. stdout is exactly one JSON document: each upload's
// status follows the sample manifest, and the regional metrics equal the seed's table.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT as root } from '../../support/paths.ts';

const cli = (args: string[], timeout = 240_000) => spawnSync(process.execPath, ['bin/sferum-pulse.js', ...args], { cwd: root, encoding: 'utf8', timeout, maxBuffer: 256 * 1024 * 1024 });

type Manifest = { prefix: string; files: { name: string; tables: string[]; bad_rows: unknown[]; period_key: string }[] };
const manifest = JSON.parse(readFileSync(join(root, 'events/samples/manifest.json'), 'utf8')) as Manifest;

/** The seed's regional counts and shares, read from the fixture, independently of the pipeline. */
function seed() {
  const n = (s: string) => Number(s.replace(/\s/g, ''));
  const pct = (s: string) => (s === '' ? null : Number(s.replace('%', '').replace(',', '.')) / 100);
  return readFileSync(join(root, 'test/fixtures/seed-table.tsv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => {
    const c = l.split('\t');
    return { label: c[0], schools_total: n(c[1]!), schools_in_sferum: n(c[2]!), schools_inactive: n(c[3]!), schools_in_sferum_share: pct(c[4]!), teachers_total: n(c[5]!), teachers_in_sferum: n(c[6]!), students_total: n(c[7]!), students_in_sferum: n(c[8]!), students_in_sferum_share: pct(c[9]!), mouo_total: n(c[10]!), mouo_in_sferum: n(c[11]!), mouo_inactive: n(c[12]!), teachers_chat_creators_share: pct(c[13]!), teachers_msg3_share: pct(c[14]!), teachers_msg10_share: pct(c[15] ?? '') };
  });
}

type Doc = {
  uploads: { key: string; status: string; tables: string[]; period: string | null; rows: { accepted: number; rejected: number }; errors: { code: string; sheet: string | null; row: number | null; column: string | null; value: string | null; message: string }[]; warnings: unknown[] }[];
  periods: { period: { start: string; end: string; label: string }; completeness: { complete: boolean; state: string; schools: { reported: number }; municipalities: { reported: number } } | null; region: { id: string; metrics: Record<string, number | null> }; municipalities: { id: string; name: string; metrics: Record<string, number | null> }[]; warnings: unknown[] }[];
  notifications: { id: string; type: string }[];
};

describe('sferum-pulse run --json', () => {
  test('on the sample files: one JSON document on stdout, each upload as the manifest says, the seed regional metrics for every period', () => {
    const files = manifest.files.map((f) => join(root, 'events/samples', f.name));
    const r = cli(['run', '--json', ...files]);

    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(Object.keys(doc)).toEqual(['uploads', 'periods', 'notifications']);
    expect(doc.uploads.map((u) => u.key)).toEqual(manifest.files.map((f) => `uploads/26/${f.name}`));
    for (const [i, f] of manifest.files.entries()) {
      const u = doc.uploads[i]!;
      expect(u.status, f.name).toBe(f.bad_rows.length > 0 ? 'partial' : 'accepted');
      expect(u.tables, f.name).toEqual(f.tables);
      expect(u.period, f.name).toBe(f.period_key);
      expect(u.rows.rejected, f.name).toBe(f.bad_rows.length);
      expect(u.errors.length, f.name).toBe(f.bad_rows.length);
      // the stable code for programs, where, and the report's message
      for (const e of u.errors) expect(Object.keys(e)).toEqual(['code', 'sheet', 'row', 'column', 'value', 'message']);
      for (const e of u.errors) expect(e.code).toMatch(/^row\./);
    }

    const expected = seed();
    expect(doc.periods.map((p) => p.period.label)).toEqual(expected.map((s) => s.label));
    for (const [i, s] of expected.entries()) {
      const p = doc.periods[i]!;
      expect(p.region.id).toBe('26');
      // every sample week has all 33 municipalities in both tables
      expect(p.completeness, s.label).toMatchObject({ complete: true, state: 'complete', schools: { reported: 33 }, municipalities: { reported: 33 } });
      expect(p.municipalities).toHaveLength(33);
      const { label: _, ...metrics } = s;
      for (const [metric, value] of Object.entries(metrics)) {
        const got = p.region.metrics[metric];
        if (value === null) expect(got, `${s.label} ${metric}`).toBeNull();
        // the seed prints coverage shares with 2 decimals of a percent, KPI shares with 3
        else if (metric.endsWith('_share')) expect(got, `${s.label} ${metric}`).toBeCloseTo(value, metric.startsWith('teachers_') ? 5 : 4);
        else expect(got, `${s.label} ${metric}`).toBe(value);
      }
    }
    expect(doc.notifications.length).toBeGreaterThan(0);
    expect(new Set(doc.notifications.map((n) => n.id)).size).toBe(doc.notifications.length);
    // progress went to stderr, one line per upload; in a pipe too, log lines are one readable
    // line each and no third-party warning gets through
    expect(r.stderr.match(/rows\/s/g)).toHaveLength(manifest.files.length);
    expect(r.stderr).not.toMatch(/\{"level"|NodeVersionSupportWarning|local\.build|\u001b\[/);
  }, 300_000);

  test('a file rejected as a whole exits 1 and is reported as rejected', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-cli-'));
    try {
      const bad = join(dir, 'not-an-export.csv');
      writeFileSync(bad, 'hello;world\n1;2\n');
      const r = cli(['run', '--json', '--data-dir', join(dir, 'data'), bad]);
      expect(r.status, r.stderr.slice(-2000)).toBe(1);
      const doc = JSON.parse(r.stdout) as Doc;
      expect(doc.uploads).toHaveLength(1);
      expect(doc.uploads[0]).toMatchObject({ key: 'uploads/26/not-an-export.csv', status: 'rejected' });
      expect(doc.uploads[0]!.errors.length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('sferum-pulse usage', () => {
  test('every command has --help with the exit codes; usage errors exit 2 and say what to do', () => {
    for (const c of ['run', 'start', 'upload', 'report', 'deliveries', 'migrate']) {
      const h = cli([c, '--help'], 30_000);
      expect(h.status, c).toBe(0);
      expect(h.stdout, c).toContain(`sferum-pulse ${c}`);
      expect(h.stdout, c).toContain('Exit codes:');
      // each command lists its own: only run exits 1
      expect(h.stdout.includes('1  at least one file was rejected'), c).toBe(c === 'run');
    }
    const none = cli(['run'], 30_000);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('give FILE...');
    const missing = cli(['run', 'no-such-file.csv'], 30_000);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const unknown = cli(['frobnicate'], 30_000);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('sferum-pulse --help');
    const near = cli(['run', '--sample'], 30_000);
    expect(near.status).toBe(2);
    expect(near.stderr).toContain('unknown option --sample; did you mean --samples?');
    expect(near.stderr).not.toContain('positional argument');
    const format = cli(['report', '--format', 'pdf'], 30_000);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('--format takes one of table, csv, xlsx, pptx, json; got "pdf"');
    expect(format.stdout).toBe('');
    const state = cli(['deliveries', '--state', 'archived'], 30_000);
    expect(state.status).toBe(2);
    expect(state.stderr).toContain('--state is one of pending, delivered, retrying, dead, disabled, got "archived"');
  }, 120_000);
});
