// Bundles every function (functions/<name>/handler.ts) with esbuild into one CommonJS file,
// dist/<name>/index.js, exporting `handler` — the entry point Cloud Functions calls as
// `index.handler`. Native and dev-only modules stay external: the embedded SQLite store is
// loaded lazily and only on the local runtime.
//
// Large libraries that only some paths use (VENDOR) are bundled once each into
// dist/vendor/<name>.js and required from there when first used, because a cold start
// pays for compiling every byte of the file it requires (a 5.3 MB ingest bundle spent
// ~140 ms in V8's compile alone): a CSV upload never loads exceljs, an API request that is
// not a slide deck never loads pptxgenjs, a notify instance
// without e-mail never loads SES, and the embedded store never loads the YDB SDK. The code
// reaches each of them through a dynamic import() only. The YDB SDK is several packages
// (@ydbjs/*, its protobuf and gRPC runtime); its one importer, shared/adapters/ydb/sdk.ts,
// is the vendor file's entry, so the bundles require that module instead of bundling it. The dashboard is compiled first and embedded
// in the api bundle (define `__SFERUM_PULSE_DASHBOARD__`), so that function serves its page
// and assets from memory; a copy goes to dist/dashboard/ for inspection.
import { build } from 'esbuild';
import { buildDashboard } from './dashboard.mjs';
import { readdirSync, existsSync, statSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const names = readdirSync(join(root, 'functions')).filter((n) => existsSync(join(root, 'functions', n, 'handler.ts')));
const external = ['better-sqlite3', 's3rver', '@duckdb/*', 'playwright-core', 'tsx', 'vitest'];
// grpc-js only for the Lockbox payload client (shared/adapters/secrets/lockbox.ts), loaded on a Lockbox reference
const VENDOR = { exceljs: 'exceljs', pptxgenjs: 'pptxgenjs', '@aws-sdk/client-sesv2': 'client-sesv2', '@grpc/grpc-js': 'grpc-js' };
/** Vendor files whose entry is a module of ours (a façade re-exporting a multi-package SDK). */
const VENDOR_MODULES = { [join(root, 'shared', 'adapters', 'ydb', 'sdk.ts')]: 'ydb' };
const common = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, legalComments: 'none', logLevel: 'warning' };
const sizes = {};

rmSync(join(root, 'dist', 'vendor'), { recursive: true, force: true });
for (const [pkg, file] of Object.entries(VENDOR)) {
  const outfile = join(root, 'dist', 'vendor', `${file}.js`);
  await build({ ...common, stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: root, loader: 'js' }, outfile, external });
  sizes[`vendor/${file}`] = statSync(outfile).size;
}
for (const [entry, file] of Object.entries(VENDOR_MODULES)) {
  const outfile = join(root, 'dist', 'vendor', `${file}.js`);
  // grpc-js requires @grpc/proto-loader (and protobufjs, ~120 KB) only inside its channelz
  // and ORCA *server* features, which a client never calls: left out, not compiled on start
  await build({ ...common, entryPoints: [entry], outfile, external: [...external, '@grpc/proto-loader'] });
  sizes[`vendor/${file}`] = statSync(outfile).size;
}
writeFileSync(join(root, 'dist', 'vendor', 'package.json'), '{ "type": "commonjs" }\n');

/** Function bundles require the vendor files by relative path (dist/<name>/ → dist/vendor/). */
const vendorPlugin = {
  name: 'vendor',
  setup(b) {
    // package names hold no regular-expression metacharacters
    const filter = new RegExp(`^(${Object.keys(VENDOR).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: `../vendor/${VENDOR[args.path]}.js`, external: true }));
    b.onResolve({ filter: /\/sdk\.ts$/ }, (args) => {
      const file = VENDOR_MODULES[join(args.resolveDir, args.path)];
      return file ? { path: `../vendor/${file}.js`, external: true } : undefined;
    });
  },
};

const dashboard = await buildDashboard({ root });
mkdirSync(join(root, 'dist', 'dashboard'), { recursive: true });
for (const [file, text] of Object.entries(dashboard)) writeFileSync(join(root, 'dist', 'dashboard', file), text);
for (const name of names) {
  const outfile = join(root, 'dist', name, 'index.js');
  mkdirSync(join(root, 'dist', name), { recursive: true });
  await build({
    ...common,
    entryPoints: [join(root, 'functions', name, 'handler.ts')],
    outfile,
    external,
    plugins: [vendorPlugin],
    // import() of a vendor file becomes require() wrapped for ESM interop: Node's own
    // import() of a bundled CJS file would see only its default export, not named ones
    supported: { 'dynamic-import': false },
    sourcemap: 'linked',
    ...(name === 'api' ? { define: { __SFERUM_PULSE_DASHBOARD__: JSON.stringify(dashboard) } } : {}),
  });
  // The project is ESM ("type": "module"); this marker makes Node load the bundle as CommonJS.
  writeFileSync(join(root, 'dist', name, 'package.json'), '{ "type": "commonjs" }\n');
  sizes[name] = statSync(outfile).size;
}
writeFileSync(join(root, 'dist', 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
for (const [n, s] of Object.entries(sizes)) console.log(`dist/${n.startsWith('vendor/') ? `${n}.js` : `${n}/index.js`}  ${(s / 1024).toFixed(0)} KiB`);
