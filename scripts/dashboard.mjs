// Compiles the dashboard (shared/dashboard/app/main.ts with uPlot and the styles it imports)
// with esbuild into two strings, app.js and app.css. scripts/build.mjs embeds them in the
// api bundle; tests and source runs call this directly. Plain JS so build.mjs can import it.
import { build } from 'esbuild';
import { join } from 'node:path';

/** @param {{ root: string, minify?: boolean }} opts */
export async function buildDashboard({ root, minify = true }) {
  const result = await build({
    entryPoints: [join(root, 'shared', 'dashboard', 'app', 'main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['es2020'],
    outdir: join(root, 'dist', 'dashboard'),
    entryNames: 'app',
    write: false,
    minify,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const out = { 'app.js': '', 'app.css': '' };
  for (const f of result.outputFiles) {
    if (f.path.endsWith('.js')) out['app.js'] = f.text;
    else if (f.path.endsWith('.css')) out['app.css'] = f.text;
  }
  if (!out['app.js'] || !out['app.css']) throw new Error('the dashboard build produced no app.js or app.css');
  return out;
}
