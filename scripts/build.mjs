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
// is the vendor file's entry, so the bundles require that module instead of bundling it.
// gRPC is one vendor file that both of its users require: the YDB file and the Lockbox
// payload client (shared/adapters/secrets/lockbox.ts). A copy inside each would be compiled
// twice by an instance that reads a Lockbox secret and then the store, and would keep two
// channel pools. The dashboard is compiled first and embedded
// in the api bundle (define `__SFERUM_PULSE_DASHBOARD__`), so that function serves its page
// and assets from memory; a copy goes to dist/dashboard/ for inspection.
import { build } from 'esbuild';
import { buildDashboard } from './dashboard.mjs';
import { readdirSync, existsSync, statSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const names = readdirSync(join(root, 'functions')).filter((n) => existsSync(join(root, 'functions', n, 'handler.ts')));
const external = ['better-sqlite3', 's3rver', '@duckdb/*', 'playwright-core', 'tsx', 'vitest'];
// grpc-js requires @grpc/proto-loader (and protobufjs, ~120 KB) only inside its channelz
// and ORCA *server* features, which neither client calls: left out, not compiled on start
const vendorExternal = [...external, '@grpc/proto-loader'];
const VENDOR = { exceljs: 'exceljs', pptxgenjs: 'pptxgenjs', '@aws-sdk/client-sesv2': 'client-sesv2', '@grpc/grpc-js': 'grpc-js' };
// nice-grpc (in the YDB file) patches a connect timeout into grpc-js's connector class,
// which it reaches through this internal module: the class the channels use is the one in
// grpc-js.js, so that file also hands out its own copy of the module, and the deep import
// resolves to it rather than bundling a second, unused copy that the patch would change
const GRPC_TRANSPORT = '@grpc/grpc-js/build/src/transport';
const VENDOR_ENTRY = {
  '@grpc/grpc-js': `module.exports = require("@grpc/grpc-js");
Object.defineProperty(module.exports, "__transport", { value: require(${JSON.stringify(GRPC_TRANSPORT)}) });`,
};
/** Vendor files whose entry is a module of ours (a façade re-exporting a multi-package SDK). */
const VENDOR_MODULES = { [join(root, 'shared', 'adapters', 'ydb', 'sdk.ts')]: 'ydb' };
const common = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, legalComments: 'none', logLevel: 'warning' };
const sizes = {};

/** Bundles require the vendor packages' files by a path relative to themselves: `dir`. */
const vendorPackages = (dir) => ({
  name: 'vendor-packages',
  setup(b) {
    // package names hold no regular-expression metacharacters
    const filter = new RegExp(`^(${Object.keys(VENDOR).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: `${dir}${VENDOR[args.path]}.js`, external: true }));
    b.onResolve({ filter: /^@grpc\/grpc-js\/build\/src\/transport$/ }, () => ({ path: GRPC_TRANSPORT, namespace: 'grpc-transport' }));
    b.onLoad({ filter: /.*/, namespace: 'grpc-transport' }, () => ({ contents: 'module.exports = require("@grpc/grpc-js").__transport;', loader: 'js' }));
  },
});
/** Function bundles (dist/<name>/) require the vendor modules from dist/vendor/. */
const vendorModules = {
  name: 'vendor-modules',
  setup(b) {
    b.onResolve({ filter: /\/sdk\.ts$/ }, (args) => {
      const file = VENDOR_MODULES[join(args.resolveDir, args.path)];
      return file ? { path: `../vendor/${file}.js`, external: true } : undefined;
    });
  },
};

/**
 * zod's `z.locales` namespace holds every language's messages (~265 KB minified, 40 % of a
 * function's own code), compiled on each cold start though the project never switches
 * locale: zod registers English itself (v4/classic/schemas.js imports locales/en.js), so
 * the namespace keeps English only (test/int/deploy/serverless-config.test.ts checks the bundles).
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir) ? { path: join(args.resolveDir, '..', 'locales', 'en.js'), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({ contents: 'export { default as en } from "./en.js";', resolveDir: dirname(args.path), loader: 'js' }));
  },
};

rmSync(join(root, 'dist', 'vendor'), { recursive: true, force: true });
for (const [pkg, file] of Object.entries(VENDOR)) {
  const outfile = join(root, 'dist', 'vendor', `${file}.js`);
  const contents = VENDOR_ENTRY[pkg] ?? `module.exports = require(${JSON.stringify(pkg)});`;
  await build({ ...common, stdin: { contents, resolveDir: root, loader: 'js' }, outfile, external: vendorExternal });
  sizes[`vendor/${file}`] = statSync(outfile).size;
}
for (const [entry, file] of Object.entries(VENDOR_MODULES)) {
  const outfile = join(root, 'dist', 'vendor', `${file}.js`);
  // a vendor package it uses (grpc-js) is its sibling file, not a second copy inside it
  await build({ ...common, entryPoints: [entry], outfile, external: vendorExternal, plugins: [vendorPackages('./')] });
  sizes[`vendor/${file}`] = statSync(outfile).size;
}
writeFileSync(join(root, 'dist', 'vendor', 'package.json'), '{ "type": "commonjs" }\n');

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
    plugins: [vendorPackages('../vendor/'), vendorModules, zodEnglishOnly],
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
