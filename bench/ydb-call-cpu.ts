// The client side of one warm YDB read, in CPU: `npx tsx bench/ydb-call-cpu.ts [calls]` (after
// `npx tsx bench/run.ts … --variants api:ydb` has bundled bench/.out/ydb-wire-serve.mjs).
// Starts the executing wire double in a process of its own, then, with 50 calls in flight,
// measures this process's CPU per call for YdbClient.run of READ_VERSION (the API's warm
// request: one ExecuteQuery) and for the same request bytes over a bare grpc-js server
// stream (no nice-grpc, no @ydbjs middleware, no retry or session bookkeeping), three
// rounds each, interleaved. The difference is what the adapter's stack adds to grpc-js.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client, Metadata, credentials } from '@grpc/grpc-js';
import { Driver } from '@ydbjs/core';
import { ExecMode, QueryServiceDefinition, Syntax } from '@ydbjs/api/query';
import { YdbClient } from '../shared/adapters/ydb/client.ts';
import { col, param } from '../shared/adapters/ydb/codec.ts';
import { READ_VERSION } from '../shared/adapters/ydb/queries.ts';

const root = join(import.meta.dirname, '..');
const calls = Number(process.argv[2] ?? 5000);
const wire = spawn(process.execPath, [join(root, 'bench', '.out', 'ydb-wire-serve.mjs'), root], { stdio: ['pipe', 'pipe', 'inherit'] });
const first = await new Promise<string>((ok) => wire.stdout.on('data', (d: Buffer) => ok(d.toString().split('\n')[0]!)));
const connectionString = (JSON.parse(first) as { connectionString: string }).connectionString;
const driver = new Driver(connectionString, { 'ydb.sdk.enable_discovery': false });
await driver.ready();
const client = new YdbClient(driver);
const region = () => ({ $region: param(col.utf8, '26') });

async function measure(name: string, one: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 300; i++) await one();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  let left = calls;
  await Promise.all(Array.from({ length: 50 }, async () => {
    while (left-- > 0) await one();
  }));
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${name}: ${((used.user + used.system) / 1000 / calls).toFixed(3)} ms CPU/call, ${(calls / ((performance.now() - t0) / 1000)).toFixed(0)} calls/s\n`);
}

const raw = new Client(new URL(connectionString).host, credentials.createInsecure());
const metadata = () => {
  const md = new Metadata();
  md.set('x-ydb-database', driver.database);
  return md;
};
const cs = QueryServiceDefinition.createSession;
const sessionId = await new Promise<string>((ok, fail) =>
  raw.makeUnaryRequest(cs.path, (x: object) => Buffer.from(cs.requestSerialize(x as never)), (b: Buffer) => cs.responseDeserialize(b), {}, metadata(), (e, r) => (e ? fail(e) : ok(r!.sessionId))),
);
const eq = QueryServiceDefinition.executeQuery;
const bare = () =>
  new Promise<void>((ok, fail) => {
    const req = { sessionId, execMode: ExecMode.EXECUTE, query: { case: 'queryContent', value: { syntax: Syntax.YQL_V1, text: READ_VERSION } }, parameters: region(), txControl: { txSelector: { case: 'beginTx', value: { txMode: { case: 'snapshotReadOnly', value: {} } } }, commitTx: true } };
    const s = raw.makeServerStreamRequest(eq.path, (x: typeof req) => {
      const b = eq.requestSerialize(x as never);
      return Buffer.from(b.buffer, b.byteOffset, b.length);
    }, (b: Buffer) => eq.responseDeserialize(b), req, metadata(), {});
    s.on('data', () => undefined);
    s.on('end', () => ok());
    s.on('error', fail);
  });
const adapter = () => client.run(READ_VERSION, region(), { what: 'reading the read token', idempotent: true, mode: 'snapshotReadOnly' });
for (let round = 0; round < 3; round++) {
  await measure('bare grpc-js server stream', bare);
  await measure('YdbClient.run(READ_VERSION)', adapter);
}
await client.close();
driver.close();
raw.close();
wire.stdin.end();
