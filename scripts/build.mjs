// Bundles every function (functions/<name>/handler.ts) with esbuild into one CommonJS file,
// dist/<name>/index.js, exporting `handler` — the entry point Cloud Functions calls as
// `index.handler`. Native and dev-only modules stay external: the embedded SQLite store is
// loaded lazily and only on the local runtime. The dashboard is compiled first and embedded
// in the api bundle (define `__SFERUM_PULSE_DASHBOARD__`), so that function serves its page
// and assets from memory; a copy goes to dist/dashboard/ for inspection.
import { build } from 'esbuild';
import { buildDashboard } from './dashboard.mjs';
import { readdirSync, existsSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const names = readdirSync(join(root, 'functions')).filter((n) => existsSync(join(root, 'functions', n, 'handler.ts')));
const external = ['better-sqlite3', 's3rver', '@duckdb/*', 'playwright-core', 'tsx', 'vitest'];
const sizes = {};
const dashboard = await buildDashboard({ root });
mkdirSync(join(root, 'dist', 'dashboard'), { recursive: true });
for (const [file, text] of Object.entries(dashboard)) writeFileSync(join(root, 'dist', 'dashboard', file), text);
for (const name of names) {
  const outfile = join(root, 'dist', name, 'index.js');
  mkdirSync(join(root, 'dist', name), { recursive: true });
  await build({
    entryPoints: [join(root, 'functions', name, 'handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    outfile,
    external,
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    ...(name === 'api' ? { define: { __SFERUM_PULSE_DASHBOARD__: JSON.stringify(dashboard) } } : {}),
  });
  // The project is ESM ("type": "module"); this marker makes Node load the bundle as CommonJS.
  writeFileSync(join(root, 'dist', name, 'package.json'), '{ "type": "commonjs" }\n');
  sizes[name] = statSync(outfile).size;
}
writeFileSync(join(root, 'dist', 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
for (const [n, s] of Object.entries(sizes)) console.log(`dist/${n}/index.js  ${(s / 1024).toFixed(0)} KiB`);
