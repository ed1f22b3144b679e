// Server side of the dashboard: its built assets (app.js with uPlot, app.css) as strings
// the API function serves. scripts/build.mjs compiles them with esbuild and embeds them in
// the api bundle through the `__SFERUM_PULSE_DASHBOARD__` define; a run from source (tests)
// compiles them with scripts/dashboard.mjs and passes them in. No file is read at run time.
import { createHash } from 'node:crypto';
import { CONTENT_TYPE } from '../responses.ts';

export type DashboardAsset = { readonly contentType: string; readonly body: string; readonly etag: string };
export type DashboardAssets = {
  /** file name under /assets/ → the asset */
  readonly files: ReadonlyMap<string, DashboardAsset>;
  /** changes with any asset, for cache-busting asset URLs */
  readonly version: string;
};

export type DashboardSources = { readonly 'app.js': string; readonly 'app.css': string; readonly 'upload.js'?: string; readonly 'upload.css'?: string };

declare const __SFERUM_PULSE_DASHBOARD__: DashboardSources | undefined;

export function dashboardAssets(src: DashboardSources): DashboardAssets {
  const entry = (body: string, contentType: string): DashboardAsset => ({
    contentType,
    body,
    etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`,
  });
  const files = new Map([
    ['app.js', entry(src['app.js'], CONTENT_TYPE.js)],
    ['app.css', entry(src['app.css'], CONTENT_TYPE.css)],
    // the upload page's, when built (scripts/dashboard.mjs builds both pages)
    ...(src['upload.js'] !== undefined ? [['upload.js', entry(src['upload.js'], CONTENT_TYPE.js)] as const] : []),
    ...(src['upload.css'] !== undefined ? [['upload.css', entry(src['upload.css'], CONTENT_TYPE.css)] as const] : []),
  ]);
  const version = createHash('sha256')
    .update([...files.values()].map((f) => f.etag).join(''))
    .digest('hex')
    .slice(0, 12);
  return { files, version };
}

/** The assets embedded by the bundler, or null when running from source. */
export function embeddedDashboard(): DashboardAssets | null {
  return typeof __SFERUM_PULSE_DASHBOARD__ === 'undefined' ? null : dashboardAssets(__SFERUM_PULSE_DASHBOARD__);
}
