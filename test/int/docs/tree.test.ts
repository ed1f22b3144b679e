// Integration: the docs against the tree. Every repository path ARCHITECTURE.md, the README
// and the guides in docs/ name exists, and the design doc's layer table and the dependency
// rules are the same list: each rule of .dependency-cruiser.cjs is named in the doc, and
// each rule the table names is enforced. (BENCHMARKS.md is a record of past runs and names
// files as they were then.)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT as root } from '../../support/paths.ts';

const doc = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8');
const ROOMS = /^(functions|shared|cli|web|infra|scripts|bench|test|docs|bin|events)\//;

/** `a/{b,c}.ts` → `a/b.ts`, `a/c.ts` (one brace group, as the doc writes them). */
function expand(path: string): string[] {
  const m = /^(.*)\{([^}]+)\}(.*)$/.exec(path);
  return m ? m[2]!.split(',').flatMap((part) => expand(`${m[1]}${part}${m[3]}`)) : [path];
}

// A path, or a glob whose star stands for part of one segment: `dir/<star>`, `dir/<star>.yql`,
// `functions/<star>/handler.ts`.
function exists(path: string, dir = root): boolean {
  const [head, ...rest] = path.split('/');
  if (!head!.includes('*')) return existsSync(join(dir, head!)) && (rest.length === 0 || exists(rest.join('/'), join(dir, head!)));
  const [before, after] = head!.split('*') as [string, string];
  const entries = existsSync(dir) ? readdirSync(dir) : [];
  return entries.some((e) => e.startsWith(before) && e.endsWith(after) && (rest.length === 0 || exists(rest.join('/'), join(dir, e))));
}

const pathsIn = (text: string) =>
  [...text.matchAll(/`([^`\s]+)`/g)]
    .map((m) => m[1]!)
    .filter((p) => ROOMS.test(p) && !/[<>]/.test(p))
    .flatMap(expand);
const DOCS = ['ARCHITECTURE.md', 'README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)];

describe('the docs', () => {
  test.each(DOCS)('every repository path %s names exists', (file) => {
    const named = pathsIn(readFileSync(join(root, file), 'utf8'));
    if (file === 'ARCHITECTURE.md') expect(named.length).toBeGreaterThan(50);
    expect(named.filter((p) => !exists(p))).toEqual([]);
  });

  test('its rules and the dependency-cruiser rules are one list', () => {
    const rules = (createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as { forbidden: { name: string }[] }).forbidden.map((r) => r.name);
    const table = doc.slice(doc.indexOf('## Layers and the rules between them'), doc.indexOf('## Where things are'));
    const inTable = [...table.matchAll(/\| `([a-z-]+)` \|$/gm)].map((m) => m[1]!);
    expect(inTable.length).toBeGreaterThan(10);
    expect(inTable.filter((r) => !rules.includes(r))).toEqual([]);
    expect(rules.filter((r) => !table.includes(`\`${r}\``))).toEqual([]);
  });
});
