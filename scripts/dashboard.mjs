// Compiles the dashboard (web/dashboard/main.ts with uPlot and the styles it imports)
// with esbuild into two strings, app.js and app.css. scripts/build.mjs embeds them in the
// api bundle; tests and source runs call this directly. Plain JS so build.mjs can import it.
import { build } from 'esbuild';
import { join } from 'node:path';

/** @param {{ root: string, minify?: boolean }} opts */
export async function buildDashboard({ root, minify = true }) {
  const result = await build({
    // the admins' upload page is a second, separate entry (upload.js, upload.css)
    entryPoints: { app: join(root, 'web', 'dashboard', 'main.ts'), upload: join(root, 'web', 'upload', 'main.ts') },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['es2020'],
    outdir: join(root, 'dist', 'dashboard'),
    entryNames: '[name]',
    write: false,
    minify,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const out = { 'app.js': '', 'app.css': '', 'upload.js': '', 'upload.css': '' };
  for (const f of result.outputFiles) {
    const name = f.path.split('/').pop();
    if (name in out) out[name] = f.text;
  }
  for (const [name, text] of Object.entries(out)) if (!text) throw new Error(`the dashboard build produced no ${name}`);
  return out;
}
