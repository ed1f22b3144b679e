// Summarises a .cpuprofile: self time per function (top N) and inclusive time of chosen frames.
import { readFileSync } from 'node:fs';
const [file, topN = '30'] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const dt = new Map();
for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
const total = [...dt.values()].reduce((a, b) => a + b, 0);
const self = new Map();
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (const n of p.nodes) {
  const t = dt.get(n.id) ?? 0;
  const cf = n.callFrame;
  const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + t);
  // inclusive: add t to every distinct ancestor key once
  const seen = new Set();
  for (let id = n.id; id !== undefined; id = parent.get(id)) {
    const a = byId.get(id).callFrame;
    const k = `${a.functionName || '(anon)'} ${a.url.split('/').slice(-2).join('/')}:${a.lineNumber + 1}`;
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + t);
  }
}
const fmt = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(topN)).map(([k, v]) => `${(v / 1000).toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
console.log(`total ${(total / 1000).toFixed(0)} ms\n-- self --\n${fmt(self)}\n-- inclusive --\n${fmt(incl)}`);
