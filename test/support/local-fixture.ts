// Test helper: a small project for the local runtime — a serverless.yml with every trigger
// kind and hand-written CommonJS bundles in dist/ — so the runtime's trigger semantics are
// tested without the real functions. Each bundle appends what it receives to
// $OUT_DIR/<function>.jsonl.
import { mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURE_YML = `
service: fixture
frameworkVersion: "3"
provider:
  name: yandex-cloud
  runtime: nodejs22
  httpApi:
    payload: "1.0"
  environment:
    OUT_DIR: \${env:OUT_DIR}
    GREETING: \${env:GREETING, 'hello, {world}'}
    YDB_CONNECTION_STRING: \${env:FIXTURE_UNSET_VARIABLE}
    AWS_ACCESS_KEY_ID: \${lockbox:\${env:LOCKBOX_SECRET_ID}/aws_access_key_id}
functions:
  record:
    handler: dist/record/index.handler
    timeout: "5"
    account: sa
    events:
      - s3:
          bucket: fx-bucket
          events: [create.object, delete.object]
          prefix: in/
          suffix: .csv
          account: sa
      - cron:
          expression: "*/10 * * * ? *"
          account: sa
          payload: every-ten
      - cron:
          expression: "0 7 ? * MON *"
          account: sa
          payload: monday
  failing:
    handler: dist/failing/index.handler
    timeout: "5"
    account: sa
    events:
      - s3:
          bucket: fx-bucket
          events: [create.object]
          prefix: fail/
          account: sa
          retry: { attempts: 2, interval: 10 }
          dlq: fail-dlq
  consumer:
    handler: dist/consumer/index.handler
    timeout: "5"
    account: sa
    environment:
      ROLE: consumer
    events:
      - ymq: { queue: jobs, queueAccount: sa, account: sa, batch: 5, cutoff: 1 }
  web:
    handler: dist/web/index.handler
    timeout: "1"
    account: sa
    events:
      - http: { path: "/v1/things/{id}", method: get }
      - http: { path: /v1/boom, method: get }
      - http: { path: /v1/slow, method: get }
  ghost:
    handler: dist/ghost/index.handler
    account: sa
    events:
      - cron: { expression: "* * * * ? *", account: sa }
resources:
  bucket: { type: yc::ObjectStorageBucket, name: fx-bucket }
  jobs: { type: yc::MessageQueue, name: fx-jobs }
  jobs-dlq: { type: yc::MessageQueue, name: fx-jobs-dlq }
  fail-dlq: { type: yc::MessageQueue, name: fx-fail-dlq }
  sa: { type: yc::ServiceAccount, roles: [editor] }
`;

const RECORD = `
const fs = require('node:fs');
const path = require('node:path');
const record = (fn, entry) => fs.appendFileSync(path.join(process.env.OUT_DIR, fn + '.jsonl'), JSON.stringify(entry) + '\\n');
`;

const BUNDLES: Record<string, string> = {
  record: `${RECORD}
exports.handler = async (event, context) => {
  record('record', { event, context: { requestId: context.requestId, functionName: context.functionName, remaining: context.getRemainingTimeInMillis() } });
  return { statusCode: 200 };
};`,
  failing: `${RECORD}
exports.handler = async (event) => {
  record('failing', { event });
  throw new Error('always fails');
};`,
  consumer: `${RECORD}
exports.handler = async (event) => {
  const env = Object.fromEntries(['ROLE', 'GREETING', 'S3_ENDPOINT', 'S3_FORCE_PATH_STYLE', 'SQLITE_PATH', 'YMQ_ENDPOINT', 'JOBS_QUEUE_URL', 'AWS_ACCESS_KEY_ID', 'YDB_CONNECTION_STRING', 'FIXTURE_HOST_ONLY'].map((k) => [k, process.env[k] ?? null]));
  record('consumer', { event, env });
  if (event.messages.some((m) => m.details.message.body.includes('poison'))) throw new Error('poison message');
  return { ok: true };
};`,
  web: `${RECORD}
exports.handler = async (event) => {
  if (event.path === '/v1/boom') throw new TypeError('boom');
  if (event.path === '/v1/slow') await new Promise((r) => setTimeout(r, 3000));
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json', 'X-Both': 'single' },
    multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'X-Both': ['multi'] },
    body: JSON.stringify(event),
    isBase64Encoded: false,
  };
};`,
};

export type Fixture = { root: string; dataDir: string; outDir: string; records(fn: string): { event: any; context?: any; env?: any }[] };

export function createFixture(): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'sp-fixture-'));
  writeFileSync(join(root, 'serverless.yml'), FIXTURE_YML);
  for (const [name, code] of Object.entries(BUNDLES)) {
    mkdirSync(join(root, 'dist', name), { recursive: true });
    writeFileSync(join(root, 'dist', name, 'index.js'), code);
    writeFileSync(join(root, 'dist', name, 'package.json'), '{ "type": "commonjs" }\n');
  }
  const outDir = join(root, 'out');
  mkdirSync(outDir);
  return {
    root,
    dataDir: join(root, 'data'),
    outDir,
    records: (fn) => {
      const f = join(outDir, `${fn}.jsonl`);
      return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
    },
  };
}
