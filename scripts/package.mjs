// `npm run package`: the folder `serverless deploy` runs from (.deploy/). Every function
// is one esbuild bundle carrying its dependencies, so the package.json Yandex installs
// from (`npm ci --production`) declares none, with a lockfile to match: nothing is built
// in the cloud, and the native SQLite module of local runs never ships.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.deploy');
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const manifest = { name: pkg.name, version: pkg.version, private: true, description: pkg.description, engines: { node: '>=22' } };
writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const lock = { name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages: { '': { name: pkg.name, version: pkg.version, engines: { node: '>=22' } } } };
writeFileSync(join(out, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
cpSync(join(root, 'dist'), join(out, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
cpSync(join(root, 'serverless.yml'), join(out, 'serverless.yml'));
console.log(`.deploy/ ready: serverless.yml, package.json and package-lock.json without dependencies, dist/`);
