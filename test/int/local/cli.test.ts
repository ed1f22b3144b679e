// Integration: the real CLI as a child process, over the bundled samples — the first
// command of the README. stdout is exactly one JSON document whose regional metrics equal
// the seed's table for every period.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, ['bin/sferum-pulse.js', ...args], { cwd: root, encoding: 'utf8', timeout: 180_000, maxBuffer: 256 * 1024 * 1024 });

/** The seed's regional counts and shares, read from the fixture, independently of the pipeline. */
function seed() {
  const n = (s: string) => Number(s.replace(/\s/g, ''));
  const pct = (s: string) => (s === '' ? null : Number(s.replace('%', '').replace(',', '.')) / 100);
  return readFileSync(`${root}test/fixtures/seed-table.tsv`, 'utf8').trimEnd().split('\n').slice(1).map((l) => {
    const c = l.split('\t');
    return { label: c[0], schools_total: n(c[1]!), schools_in_sferum: n(c[2]!), schools_inactive: n(c[3]!), schools_in_sferum_share: pct(c[4]!), teachers_total: n(c[5]!), teachers_in_sferum: n(c[6]!), students_total: n(c[7]!), students_in_sferum: n(c[8]!), students_in_sferum_share: pct(c[9]!), mouo_total: n(c[10]!), mouo_in_sferum: n(c[11]!), mouo_inactive: n(c[12]!), teachers_chat_creators_share: pct(c[13]!), teachers_msg3_share: pct(c[14]!), teachers_msg10_share: pct(c[15] ?? '') };
  });
}

describe('sferum-pulse CLI', () => {
  test('run --json on the samples reproduces the seed regional metrics for every period', () => {
    const r = cli(['run', '--json', '--samples']);

    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      uploads: { key: string; status: string; tables: string[]; period: string | null; rows: { accepted: number; rejected: number }; errors: { row: number; column: string; value: string; message: string }[] }[];
      periods: { period: { start: string; end: string; label: string }; region: { id: string; metrics: Record<string, number | null> }; municipalities: unknown[] }[];
      notifications: { id: string; type: string }[];
    };
    expect(doc.uploads).toHaveLength(14);
    expect(doc.uploads[0]).toMatchObject({ key: 'uploads/26/01_sferum_20.02-22.02.2023.xlsx', status: 'accepted', tables: ['schools', 'municipalities'], period: '2023-02-20..2023-02-22' });
    expect(doc.uploads.filter((u) => u.status === 'partial').map((u) => u.errors.length)).toEqual([5, 5]);
    for (const [i, s] of seed().entries()) {
      const p = doc.periods[i]!;
      expect(p.period.label).toBe(s.label);
      expect(p.municipalities).toHaveLength(33);
      const { label: _, ...expected } = s;
      for (const [metric, value] of Object.entries(expected)) {
        const got = p.region.metrics[metric];
        if (value === null) expect(got, `${s.label} ${metric}`).toBeNull();
        // the seed prints coverage shares with 2 decimals of a percent, KPI shares with 3
        else if (metric.endsWith('_share')) expect(got, `${s.label} ${metric}`).toBeCloseTo(value, metric.startsWith('teachers_') ? 5 : 4);
        else expect(got, `${s.label} ${metric}`).toBe(value);
      }
    }
    expect(doc.notifications.length).toBeGreaterThan(0);
    expect(new Set(doc.notifications.map((n) => n.id)).size).toBe(doc.notifications.length);
  });

  test('a file rejected as a whole exits 1; usage errors exit 2 and say what to do', () => {
    const bad = cli(['run', '--json', `${root}events/object-create.json`]);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout).uploads[0]).toMatchObject({ status: 'rejected' });

    const none = cli(['run']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('give FILE... or --samples');
    const help = cli(['report', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--format csv|xlsx|json');
  });
});
