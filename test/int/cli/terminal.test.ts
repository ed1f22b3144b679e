// Integration: the CLI as a person at a terminal sees it. The real CLI runs under a
// pseudo-terminal (util-linux `script`, the terminal's size set with `stty`) of 80 and of
// 120 columns; what the terminal receives, colour codes removed, has no line wider than the
// terminal, colours when the terminal shows them and none with NO_COLOR, and none of the
// noise people stumbled on: the AWS SDK's Node version warning, raw JSON log lines, the
// runtime's `local.build stale=[…]`, a literal `null`, "still running" after a file was
// accepted. `run` without --data-dir leaves no temporary folder behind.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { displayWidth, stripAnsi } from '../../../cli/term.ts';
import { REPO_ROOT as root } from '../../support/paths.ts';

type Shown = { status: number | null; text: string; lines: string[] };

const work = mkdtempSync(join(tmpdir(), 'sp-tty-'));
/** the TMPDIR of every child: `run` makes its temporary data directory here */
const childTmp = mkdtempSync(join(work, 'tmp-'));

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The CLI under a pseudo-terminal `columns` wide; what the terminal got, line by line. */
function onTerminal(columns: number, args: string[], env: Record<string, string> = {}): Promise<Shown> {
  const command = `stty cols ${columns} rows 60; exec ${quote(process.execPath)} bin/sferum-pulse.js ${args.map(quote).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: root, env: { ...process.env, TMPDIR: childTmp, TERM: 'xterm-256color', NO_COLOR: '', COLUMNS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    // decoded as a stream: a chunk may end inside a character
    child.stdout.setEncoding('utf8').on('data', (c: string) => (text += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (text += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, text, lines: stripAnsi(text).replace(/\r/g, '').split('\n') }));
  });
}

const NOISE = [/NodeVersionSupportWarning/, /requires? node >=/i, /\{"level"/, /local\.build/, /stale=/, /\bnull\b/, /still running/];

function expectFits(shown: Shown, columns: number) {
  const long = shown.lines.filter((l) => displayWidth(l) > columns);
  expect(long, `lines wider than ${columns}`).toEqual([]);
}

let run80: Shown;
let run120: Shown;
const dataDir = join(work, 'data');

beforeAll(async () => {
  // the two runs at once: one in a temporary data directory, one kept for `report`
  [run80, run120] = await Promise.all([onTerminal(80, ['run', '--samples']), onTerminal(120, ['run', '--samples', '--data-dir', dataDir])]);
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('sferum-pulse run on a terminal', () => {
  test.each([
    [80, () => run80],
    [120, () => run120],
  ])('at %i columns: no line wider than the terminal, the table and the summary all there, in colour, with no noise', (columns, shown) => {
    const r = shown();
    expect(r.status, r.text.slice(-3000)).toBe(0);
    expectFits(r, columns);
    const text = r.lines.join('\n');
    for (const week of ['20.02-22.02.2023', '03.04-07.04.2023']) expect(text).toContain(week);
    // every seed header word is on screen, in whichever block of columns
    for (const word of ['Всего', 'ОО', 'Сфере', 'педагогов', 'обуч-ся', 'МОУО', 'неделю', 'сообщений']) expect(text).toContain(word);
    expect(text).toMatch(/notifications +\d+ delivered in \d+ message\(s\)/);
    expect(text.replace(/\s+/g, ' ')).toContain('one message carries all of one municipality');
    expect(r.text).toMatch(/\u001b\[3[12]m/); // statuses in colour
    for (const n of NOISE) expect(text, String(n)).not.toMatch(n);
    // the rows' reasons in Russian, from the codes: the admin's words, not the report's English
    expect(text.replace(/\s+/g, ' ')).toContain('строка 628: неверный ИНН «2639999905»: нужно 10 цифр с верной контрольной цифрой');
    expect(text).not.toContain('INN checksum is wrong');
    // the configuration warning about the targets, one sentence with its code
    expect(text).toMatch(/WARN +aggregate +defaults: target/);
  });

  test('at 80 columns the regional table comes in blocks of columns, each led by the week', () => {
    const rules = run80.lines.filter((l) => /^─{16} /.test(l));
    expect(rules.length).toBeGreaterThan(1);
  });

  test('without --data-dir, nothing is left in the temporary directory', () => {
    // (tsx keeps its compile cache there too: not ours)
    expect(readdirSync(childTmp).filter((f) => f.startsWith('sferum-pulse-'))).toEqual([]);
  });
});

describe('sferum-pulse report on a terminal', () => {
  test.each([80, 120])('at %i columns it fits; NO_COLOR turns the colours off', async (columns) => {
    const coloured = await onTerminal(columns, ['report', '--data-dir', dataDir]);
    expect(coloured.status, coloured.text).toBe(0);
    expectFits(coloured, columns);
    expect(coloured.text).toContain('\u001b[1m');
    const plain = await onTerminal(columns, ['report', '--data-dir', dataDir], { NO_COLOR: '1' });
    expect(plain.status).toBe(0);
    expect(plain.text).not.toContain('\u001b[');
    // the same text but for the time it was made
    const made = (t: string) => t.replace(/сформировано\s+[\d.: ]+/, 'сформировано …');
    expect(made(stripAnsi(coloured.text))).toBe(made(plain.text));
    expect(plain.text.replace(/\s+/g, ' ')).toContain('администратор не зашел на платформу');
  }, 60_000);

  test('piped, the same report is TSV with no colour codes', () => {
    const r = spawnSync(process.execPath, ['bin/sferum-pulse.js', 'report', '--data-dir', dataDir], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout.split('\n')[0]!.split('\t')[0]).toBe('Неделя');
  }, 60_000);
});

describe('help, version and mistakes at 80 columns', () => {
  test('every --help fits and ends with that command\'s own exit codes', async () => {
    for (const c of ['run', 'start', 'upload', 'report', 'deliveries', 'migrate']) {
      const h = await onTerminal(80, [c, '--help']);
      expect(h.status).toBe(0);
      expectFits(h, 80);
      const codes = h.lines.join('\n').split('Exit codes:')[1]!;
      // only run has a 1
      expect(/^ {2}1 /m.test(codes), c).toBe(c === 'run');
    }
  }, 60_000);

  test('--version, and "did you mean" for a near option or command', async () => {
    const v = await onTerminal(80, ['--version']);
    expect(v.lines[0]).toMatch(/^sferum-pulse \d+\.\d+\.\d+ \(Node\.js \d+/);
    const near = await onTerminal(80, ['run', '--sample']);
    expect(near.status).toBe(2);
    expect(near.lines.join('\n')).toContain('sferum-pulse run: unknown option --sample; did you mean --samples?');
    const cmd = await onTerminal(80, ['reprot']);
    expect(cmd.status).toBe(2);
    expect(cmd.lines.join('\n')).toContain('did you mean "report"?');
  }, 60_000);
});
