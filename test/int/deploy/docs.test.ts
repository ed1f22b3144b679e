// Integration: the deploy and notification guides are runnable as written, as far as can
// be checked without a cloud: every fenced sh block passes `bash -n`, every repository file
// and npm script the guides name exists, and every JSON example of docs/notifications.md is
// accepted by the same schemas the notify function uses.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { NotificationEvent } from '../../../shared/domain/events.ts';
import { ChannelConfig, loadNotifyConfig, parseNotifyConfig, RouteConfig } from '../../../shared/domain/notify/config.ts';
import { REPO_ROOT as root } from '../../support/paths.ts';

const read = (doc: string) => readFileSync(join(root, doc), 'utf8');

/** Fenced blocks of a markdown text: language and body. */
function blocks(text: string): { lang: string; body: string; line: number }[] {
  return [...text.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```$/gm)].map((m) => ({
    lang: m[2]!,
    body: m[3]!.replace(new RegExp(`^${m[1]}`, 'gm'), ''),
    line: text.slice(0, m.index).split('\n').length,
  }));
}

const GUIDES = ['docs/deploy.md', 'docs/notifications.md'];

describe.each(GUIDES)('%s', (doc) => {
  test('every sh block passes bash -n', () => {
    const sh = blocks(read(doc)).filter((b) => b.lang === 'sh' || b.lang === 'bash');
    expect(sh.length).toBeGreaterThan(0);
    for (const b of sh) {
      let error = '';
      try {
        execFileSync('bash', ['-n'], { input: b.body, stdio: ['pipe', 'ignore', 'pipe'] });
      } catch (err) {
        error = String((err as { stderr?: Buffer }).stderr ?? err);
      }
      expect(error, `${doc}:${b.line}`).toBe('');
      // `<name>` placeholders parse as redirections, so bash -n cannot see them; use "$NAME"
      const placeholder = b.body.split('\n').find((l) => /(^|\s)<[a-z][\w -]*>/.test(l.replace(/'[^']*'|"[^"]*"/g, '').replace(/(^|\s)#.*$/, '')));
      expect(placeholder, `${doc}:${b.line} has a <placeholder>`).toBeUndefined();
    }
  });

  test('runs the project CLI from the repository root, never from .deploy/ (npx cannot find it there)', () => {
    const sh = blocks(read(doc)).filter((b) => b.lang === 'sh').map((b) => b.body).join('\n');
    expect(sh).not.toMatch(/cd \.deploy[^)\n]*sferum-pulse/);
  });

  test('every repository path and npm script it names exists', () => {
    const text = read(doc);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const m of text.matchAll(/npm run ([\w:-]+)/g)) expect(Object.keys(scripts), `${doc}: npm run ${m[1]}`).toContain(m[1]);
    const paths = new Set([...text.matchAll(/(?<![\w./-])((?:docs|infra|shared|scripts|functions|bench|test|bin)\/[\w./<>{}*-]+|serverless\.yml|BENCHMARKS\.md|package\.json)/g)].map((m) => m[1]!.replace(/[.,:)]+$/, '')));
    expect(paths.size).toBeGreaterThan(0);
    for (const p of paths) {
      if (/[<>{}*]/.test(p)) continue; // a pattern such as municipalities-<region>.json
      expect(existsSync(join(root, p)), `${doc} names ${p}`).toBe(true);
    }
  });
});

describe('docs/deploy.md order', () => {
  test('the schema is migrated, the secrets and the bucket policy exist, before the first serverless deploy', () => {
    const sh = blocks(read('docs/deploy.md')).filter((b) => b.lang === 'sh').map((b) => b.body).join('\n');
    const at = (re: RegExp) => {
      const m = re.exec(sh);
      if (!m) throw new Error(`docs/deploy.md runs no ${re}`);
      return m.index;
    };
    const deploy = at(/serverless deploy/);
    for (const before of [/sferum-pulse(\.js)? migrate/, /key_secret sferum-pulse-pipeline-key/, /--policy-from-file/, /aws sqs create-queue/, /export API_KEYS/]) expect(at(before), String(before)).toBeLessThan(deploy);
  });
});

describe('docs/notifications.md examples', () => {
  const json = blocks(read('docs/notifications.md')).filter((b) => b.lang === 'json');
  const municipalities = new Set((JSON.parse(read('shared/domain/data/municipalities-26.json')) as { municipalities: { id: string }[] }).municipalities.map((m) => m.id));

  test('the whole configuration is valid as it stands, with no channel disabled', () => {
    const whole = json.filter((b) => b.body.includes('"routes"'));
    expect(whole).toHaveLength(1);
    const raw = JSON.parse(whole[0]!.body) as unknown;
    const cfg = parseNotifyConfig(raw);
    expect(cfg.channels.map((c) => c.kind).sort()).toEqual(['email', 'log', 'vk', 'webhook']);
    expect(loadNotifyConfig(raw).disabled).toEqual([]);
    for (const r of cfg.routes) if (r.municipality) expect(municipalities.has(r.municipality), r.municipality).toBe(true);
  });

  test('each channel and route example parses', () => {
    let channels = 0;
    let routes = 0;
    for (const b of json.filter((x) => !x.body.includes('"routes"'))) {
      for (const line of b.body.startsWith('{ "region"') ? b.body.trim().split('\n') : [b.body]) {
        const v = JSON.parse(line) as Record<string, unknown>;
        if ('kind' in v) channels += ChannelConfig.parse(v) ? 1 : 0;
        else routes += RouteConfig.parse(v) ? 1 : 0;
      }
    }
    expect([channels, routes]).toEqual([4, 2]);
  });

  test('the test event is one the notify function accepts', () => {
    const text = read('docs/notifications.md');
    const event = /<<'EVENT'\n([\s\S]*?)\nEVENT\n/.exec(text);
    expect(NotificationEvent.safeParse(JSON.parse(event![1]!)).success).toBe(true);
  });
});
