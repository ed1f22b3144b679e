// Integration: docs/deploy.md run as written. Every fenced sh block, in the guide's order,
// in one bash (as the guide tells the deployer to), in a scratch copy of the files the
// guide reads, with stand-ins first on PATH for the tools that reach a cloud or the
// network: `yc`, `ydb`, `serverless`, `curl`, and `aws`, `npm`, `node`, `sudo`, `docker`.
// Each stand-in records its arguments and answers the calls the guide makes as the real
// tool does — `yc config set folder-name` resets folder-id, as Yandex Cloud's CLI documents
// for its core properties; a resource exists for `get` only after its `create`. A DEBUG
// trap checks, before each command, that every variable the command names is set and not
// empty. jq, envsubst, openssl and the coreutils are the real ones.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT as root } from '../../support/paths.ts';

const GUIDE = readFileSync(join(root, 'docs/deploy.md'), 'utf8');

/** The fenced sh blocks of the guide, in order, unindented (some sit inside list items). */
function shBlocks(text: string): { body: string; line: number }[] {
  return [...text.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```$/gm)]
    .filter((m) => m[2] === 'sh')
    .map((m) => ({ body: m[3]!.replace(new RegExp(`^${m[1]}`, 'gm'), ''), line: text.slice(0, m.index).split('\n').length }));
}

/**
 * Variables that are empty by design where the guide reads them: an account with no folder
 * roles (`uploader-sa`), and the body of a dead-letter queue's next message, empty when the
 * queue is drained (the loop's exit test).
 */
const MAY_BE_EMPTY = ['roles', 'body'];

/**
 * The stand-ins (guide-stand-ins/): common.sh, then the tool's own answers. Each appends
 * `[tool, ...arguments]` as one JSON line to $CALLS, refuses an empty argument, and keeps
 * what the real service would remember in $STATE (a file per created resource). trap.sh
 * is the DEBUG trap that checks the variables each command names.
 */
const STAND_INS = join(root, 'test/int/deploy/guide-stand-ins');

let work: string;
let result: ReturnType<typeof spawnSync>;

const calls = () =>
  readFileSync(join(work, 'calls'), 'utf8').trimEnd().split('\n').map((l) => {
    const [tool, ...args] = JSON.parse(l) as string[];
    return { tool: tool!, args };
  });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sp-guide-'));
  const repo = join(work, 'repo');
  const bin = join(work, 'bin');
  mkdirSync(join(repo, 'node_modules', '.bin'), { recursive: true });
  mkdirSync(bin);
  mkdirSync(join(work, 'state'));
  // the files the guide reads from the repository
  for (const f of ['infra/storage', 'infra/api']) cpSync(join(root, f), join(repo, f), { recursive: true });
  const common = readFileSync(join(STAND_INS, 'common.sh'), 'utf8');
  for (const [name, file] of Object.entries({ yc: 'yc', ydb: 'ydb', serverless: 'serverless', curl: 'curl', aws: 'aws', npm: 'npm', node: 'node', sudo: 'pass', docker: 'pass' })) {
    writeFileSync(join(bin, name), common + readFileSync(join(STAND_INS, file), 'utf8'));
    chmodSync(join(bin, name), 0o755);
  }
  // the guide runs the repository's own serverless binary from .deploy/
  cpSync(join(bin, 'serverless'), join(repo, 'node_modules', '.bin', 'serverless'));
  writeFileSync(join(work, 'calls'), '');
  writeFileSync(join(work, 'fails'), '');
  const trap = readFileSync(join(STAND_INS, 'trap.sh'), 'utf8');
  const blocks = shBlocks(GUIDE);
  const script = trap + blocks.map((b) => `# docs/deploy.md:${b.line}\n${b.body}`).join('\n');
  writeFileSync(join(work, 'guide.sh'), script);
  result = spawnSync('bash', [join(work, 'guide.sh')], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
      HOME: work,
      CALLS: join(work, 'calls'),
      FAILS: join(work, 'fails'),
      STATE: join(work, 'state'),
      MAY_BE_EMPTY: MAY_BE_EMPTY.join(' '),
    },
  });
}, 150_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('docs/deploy.md, every sh block run in order against stand-ins of the cloud tools', () => {
  test('runs to the end with no empty variable and no call a stand-in refuses', () => {
    expect(shBlocks(GUIDE).length).toBeGreaterThan(10);
    const fails = readFileSync(join(work, 'fails'), 'utf8');
    expect(fails, `${result.stderr}`.slice(-3000)).toBe('');
    expect(result.status, `${result.stderr}`.slice(-3000)).toBe(0);
  });

  test('the folder is selected by id, so `yc config get folder-id` answers what later steps use', () => {
    const yc = calls().filter((c) => c.tool === 'yc').map((c) => c.args.join(' '));
    expect(yc).not.toContain('config set folder-name sferum-pulse');
    expect(yc).toContain('config set folder-id b1gfolder000000000000');
    const bindings = yc.filter((a) => a.startsWith('resource-manager folder add-access-binding'));
    // the 13 folder roles of the eight accounts, and DataLens's viewer
    expect(bindings).toHaveLength(14);
    for (const b of bindings) expect(b).toContain('add-access-binding b1gfolder000000000000 ');
  });

  test('the throughput limit is set with the database (--sls-throttling-rcu), not in the console', () => {
    const yc = calls().filter((c) => c.tool === 'yc').map((c) => c.args.join(' '));
    expect(yc.some((a) => /^ydb database create sferum-pulse --serverless --sls-throttling-rcu \d+$/.test(a))).toBe(true);
    expect(yc.some((a) => /^ydb database update sferum-pulse --sls-throttling-rcu \d+$/.test(a))).toBe(true);
    expect(GUIDE).not.toMatch(/in the console|console → the database/);
  });

  test('serverless deploy ran from .deploy/ with the cloud, the folder and a token', () => {
    expect(calls().filter((c) => c.tool === 'serverless').map((c) => c.args[0])).toEqual(['deploy', 'deploy', 'remove']);
  });

  test("after each deploy the api's newest version is copied with concurrency, and the guide waits for the copy", () => {
    const all = calls().map((c) => `${c.tool} ${c.args.join(' ')}`);
    const deploy = all.indexOf('serverless deploy');
    const copy = all.findIndex((c) => c.startsWith('curl ') && c.includes('/functions/v1/versions'));
    expect(deploy).toBeGreaterThanOrEqual(0);
    // the body itself is checked by the curl stand-in (guide-stand-ins/curl): the version whole, concurrency 8
    expect(copy).toBeGreaterThan(deploy);
    expect(all.slice(copy)).toContain('yc operation get d4eopcopy --format json');
  });

  test('ydb is asked for `sql`, so the prerequisites ask for the version that has it (2.10.0)', () => {
    expect(calls().some((c) => c.tool === 'ydb' && c.args.includes('sql'))).toBe(true);
    expect(GUIDE).toMatch(/\| `ydb` \(YDB CLI\) \| 2\.10\.0\+ \|/);
  });

  test('the migration count it shows is the number of migration files', () => {
    const files = readdirSync(join(root, 'infra/ydb/migrations')).filter((f) => f.endsWith('.yql'));
    const shown = /applied (\d+) migration\(s\); 0 already applied/.exec(GUIDE);
    expect(Number(shown?.[1])).toBe(files.length);
    expect(existsSync(join(root, 'infra/ydb/migrations', files[0]!))).toBe(true);
  });
});
