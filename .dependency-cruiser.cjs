// Keeps the architecture visible and enforced: the pure core (domain, ingest readers)
// never reaches I/O, and only handlers and the runtime wire adapters.
const IO_MODULES = [
  '^node:(fs|fs/promises|net|http|https|http2|dgram|dns|dns/promises|child_process|cluster|worker_threads|os|tls)$',
  '^(fs|fs/promises|net|http|https|http2|dgram|dns|child_process|cluster|worker_threads|os|tls)$',
  '^@aws-sdk/',
  '^better-sqlite3$',
  '^@ydbjs/',
  '^@bufbuild/',
  '^@yandex-cloud/',
  '^s3rver$',
  '^@middy/',
];
module.exports = {
  forbidden: [
    {
      name: 'pure-core-no-io',
      comment: 'shared/domain is pure: no I/O modules, no adapters, no runtime, no usecases',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { path: ['^shared/(adapters|runtime|usecases|ports|ingest|notify)/', ...IO_MODULES.map((m) => m)] },
    },
    {
      name: 'domain-no-io-modules',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev'], path: IO_MODULES },
    },
    {
      name: 'formats-no-io',
      comment: 'shared/formats reads and writes file formats from and to bytes it is given; it never opens files, sockets or stores',
      severity: 'error',
      from: { path: '^shared/formats/' },
      to: { path: ['^shared/(adapters|runtime|usecases)/', ...IO_MODULES] },
    },
    {
      name: 'usecases-through-ports',
      comment: 'use cases see ports, never concrete adapters',
      severity: 'error',
      from: { path: '^shared/usecases/' },
      to: { path: ['^shared/adapters/', '^@aws-sdk/', '^better-sqlite3$', '^@ydbjs/'] },
    },
    {
      name: 'api-through-ports',
      comment: 'shared/api routes and reads through the ReadModel port; stores and the runtime stay outside',
      severity: 'error',
      from: { path: '^shared/api/' },
      to: { path: ['^shared/(adapters|runtime|usecases)/', '^@aws-sdk/', '^better-sqlite3$', '^@ydbjs/', '^@middy/'] },
    },
    {
      name: 'dashboard-runs-in-the-browser',
      comment: 'the dashboard bundle (web/dashboard) uses the DOM, uPlot and the import-free metric catalog; server modules only as types',
      severity: 'error',
      from: { path: '^web/dashboard/' },
      to: { dependencyTypesNot: ['type-only'], pathNot: ['^web/dashboard/', 'node_modules/uplot/', '^shared/domain/metric-catalog\\.ts$'] },
    },
    {
      name: 'ydb-codec-knows-no-table',
      comment: 'shared/adapters/ydb/codec.ts is the generic YDB value codec: it reaches the SDK facade only, never our tables, rows or domain (tables.ts)',
      severity: 'error',
      from: { path: '^shared/adapters/ydb/codec\\.ts$' },
      to: { pathNot: '^shared/adapters/ydb/sdk\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
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
