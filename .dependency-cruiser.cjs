// The layer table of ARCHITECTURE.md, enforced: one rule a row, each saying what its room may
// import (everything else is an error), plus the rules that hold across rooms. `npm run
// lint:deps` runs it inside `npm test`.
const npm = (...pkgs) => pkgs.map((p) => `(^|/)node_modules/${p.replace(/[.]/g, '\\.')}/`);
const core = (...mods) => `^(node:)?(${mods.join('|')})$`;
/** A room may import only `allowed`; type-only imports count, unless `typesFree`. */
const only = (name, room, allowed, comment, typesFree = false) => ({
  name,
  comment,
  severity: 'error',
  from: { path: room },
  to: { pathNot: allowed, ...(typesFree ? { dependencyTypesNot: ['type-only'] } : {}) },
});
const never = (name, room, forbidden, comment) => ({ name, comment, severity: 'error', from: { path: room }, to: { path: forbidden } });

module.exports = {
  forbidden: [
    only('domain-is-pure', '^shared/domain/', ['^shared/domain/', ...npm('zod'), core('crypto')],
      'the rules of the domain: zod and hashing, nothing that reads, writes or talks'),
    only('formats-take-bytes', '^shared/formats/', ['^shared/(formats|domain)/', ...npm('exceljs', 'pptxgenjs', 'zod'), core('crypto', 'stream', 'zlib', 'buffer')],
      'file formats read from and written to bytes they are given; no files, sockets, stores or ports'),
    only('ports-are-types', '^shared/ports/', ['^shared/(ports|domain)/'],
      'ports are interfaces over domain types; nothing concrete'),
    only('usecases-through-ports', '^shared/usecases/', ['^shared/(usecases|ports|formats|domain)/', ...npm('zod'), core('crypto')],
      'use cases reach the world only through the ports they are given'),
    only('api-through-read-model', '^shared/api/', ['^shared/(api|ports|formats|domain)/', ...npm('zod'), core('crypto')],
      'the read API without transport: routes, keys, parameters and bodies over the ReadModel port'),
    never('adapters-below-usecases', '^shared/adapters/', ['^shared/(usecases|api|runtime)/', '^(functions|cli|web|infra|scripts)/'],
      'an adapter implements a port with its SDK; it never calls a use case, the API or the runtime'),
    never('runtime-inside-shared', '^shared/runtime/', ['^(functions|cli|web|infra|scripts)/'],
      'the runtime wires shared/ for the functions; it knows no entry point'),
    only('handlers-are-thin', '^functions/', ['^functions/', '^shared/(runtime|usecases|api|domain|ports)/', ...npm('zod')],
      'a handler parses its event, calls one use case and maps the result: no adapter, SDK or I/O module'),
    only('web-runs-in-the-browser', '^web/', ['^web/', ...npm('uplot'), '^shared/domain/(metric-catalog|issue-text)\\.ts$', '^shared/domain/data/header-aliases\\.json$'],
      'the browser bundles: the DOM, uPlot, the import-free metric catalog and the Russian issue texts (with the alias data they name fields by); server modules only as types', true),
    never('cli-drives-the-stack', '^(cli|bin)/', ['^(functions|web|scripts)/'],
      'the CLI reaches the functions only through the local runtime, which loads their bundles'),
    only('local-cloud-stands-in', '^infra/local/', ['^infra/local/', '^shared/(adapters/s3|domain)/', '^shared/runtime/yandex-events\\.ts$', '^shared/api/http\\.ts$', ...npm('@aws-sdk/client-s3', 's3rver', 'yaml', 'zod'),
      // the AWS SDK's own SigV4 signing key: the local storage checks a form's signature with
      // an implementation other than the api's (shared/adapters/sigv4.ts)
      ...npm('@smithy/signature-v4', '@aws-crypto/sha256-js'),
      core('child_process', 'crypto', 'fs', 'http', 'module', 'net', 'path', 'querystring', 'url', 'worker_threads')],
      'the local stand-ins for Object Storage, Message Queue, timers and API Gateway, sending the events the one Yandex event schemas describe; the functions run from their bundles, never imported'),
    only('ydb-codec-knows-no-table', '^shared/adapters/ydb/codec\\.ts$', ['^shared/adapters/ydb/sdk\\.ts$'],
      'the YDB value codec is generic: it reaches the SDK facade only, never our tables, rows or domain (tables.ts)'),
    never('tests-stay-out-of-production', '^(functions|shared|cli|web|infra|bin|scripts)/', ['^(test|bench)/'],
      'production code never imports a test or a benchmark'),
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-reading-shared-outside-project',
      comment: 'nothing in the project may read ../shared at run or test time',
      severity: 'error',
      from: {},
      to: { path: '^\\.\\./shared/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
