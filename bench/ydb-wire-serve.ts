// The executing YDB wire double in a process of its own, for `api:ydb` (bench/api.ts): YDB
// is a remote service to the API, so the double's gRPC server, YQL engine and SQLite run
// beside the API's process, not in it. `ydb-wire-serve <repo root>`: starts the double on a
// free port of 127.0.0.1, prints `{ "connectionString": … }` as one line, and stops when its
// stdin closes (the parent exited or closed it).
import { join } from 'node:path';
import { startYdbWire } from '../test/ydb-wire/server.ts';

const [root = '.'] = process.argv.slice(2);
const wire = await startYdbWire({ migrationsDir: join(root, 'infra', 'ydb', 'migrations') });
process.stdout.write(`${JSON.stringify({ connectionString: wire.connectionString })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void wire.close().then(() => process.exit(0));
});
