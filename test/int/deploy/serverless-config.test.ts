// Integration: serverless.yml is consistent with the code — every handler is a built
// export, every trigger names a declared function, queue and service account, every cron
// expression parses, and the local runtime reads this same file (no second copy).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseCron } from '../../../infra/local/cron.ts';
import { loadServerlessConfig, queues, type ServerlessConfig } from '../../../infra/local/serverless-config.ts';
import { ScheduleJob } from '../../../functions/schedule/handler.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let cfg: ServerlessConfig;

describe('serverless.yml', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'ignore' });
    cfg = loadServerlessConfig(join(root, 'serverless.yml'));
  });

  test('runs every function on nodejs22 and declares each folder of functions/', async () => {
    const { readdirSync } = await import('node:fs');
    expect(cfg.provider.runtime).toBe('nodejs22');
    const folders = readdirSync(join(root, 'functions')).sort();
    expect(Object.keys(cfg.functions).sort()).toEqual(folders);
  });

  test('every handler resolves to a function exported by its bundle', () => {
    const req = createRequire(join(root, 'package.json'));
    for (const [name, fn] of Object.entries(cfg.functions)) {
      const mod = req(join(root, fn.handler.replace(/\.handler$/, '.js'))) as Record<string, unknown>;
      expect(typeof mod['handler'], name).toBe('function');
    }
  });

  test('every vendor file a bundle requires is built and exports what the code takes from it', async () => {
    const { readFileSync } = await import('node:fs');
    const req = createRequire(join(root, 'package.json'));
    const used = new Map<string, Set<string>>();
    for (const fn of Object.values(cfg.functions)) {
      const text = readFileSync(join(root, fn.handler.replace(/\.handler$/, '.js')), 'utf8');
      for (const m of text.matchAll(/require\("\.\.\/vendor\/([\w-]+)\.js"\)/g)) used.set(m[1]!, new Set());
    }
    // what the adapters take from each library (a missing export would fail only in the cloud)
    // the YDB vendor file is built from the adapters' SDK façade: it must carry all of it
    for (const n of Object.keys(await import('../../../shared/adapters/ydb/sdk.ts'))) used.get('ydb')?.add(n);
    used.get('client-sesv2')?.add('SESv2Client').add('SendEmailCommand');
    used.get('exceljs')?.add('Workbook').add('stream');
    expect([...used.keys()].sort()).toEqual(['client-sesv2', 'exceljs', 'ydb']);
    for (const [file, names] of used) {
      const mod = req(join(root, 'dist', 'vendor', `${file}.js`)) as Record<string, unknown>;
      for (const n of names) expect(mod[n], `${file}.${n}`).toBeDefined();
    }
  });

  test('every trigger names declared queues, buckets and service accounts', () => {
    const accounts = new Set(Object.entries(cfg.resources).filter(([, r]) => r.type === 'yc::ServiceAccount').map(([k]) => k));
    const qs = queues(cfg);
    const bucketNames = new Set(Object.values(cfg.resources).filter((r) => r.type === 'yc::ObjectStorageBucket').map((r) => r.name));
    for (const [name, fn] of Object.entries(cfg.functions)) {
      expect(accounts.has(fn.account), `${name}.account`).toBe(true);
      for (const e of fn.events) {
        if ('s3' in e) {
          expect(bucketNames.has(e.s3.bucket), `${name} s3 bucket`).toBe(true);
          expect(accounts.has(e.s3.account), `${name} s3 account`).toBe(true);
          if (e.s3.dlq) expect(qs.has(e.s3.dlq), `${name} s3 dlq`).toBe(true);
        }
        if ('ymq' in e) {
          expect(qs.has(e.ymq.queue), `${name} ymq queue`).toBe(true);
          expect(accounts.has(e.ymq.account) && accounts.has(e.ymq.queueAccount), `${name} ymq accounts`).toBe(true);
        }
        if ('cron' in e) {
          expect(() => parseCron(e.cron.expression), `${name} cron`).not.toThrow();
          expect(accounts.has(e.cron.account), `${name} cron account`).toBe(true);
          if (name === 'schedule') expect(ScheduleJob.options).toContain(e.cron.payload);
        }
      }
    }
  });

  test('each queue the code reads from the environment has a queue resource, and only one trigger reads a queue', () => {
    const qs = queues(cfg);
    for (const variable of ['PERIOD_CHANGED_QUEUE_URL', 'NOTIFICATIONS_QUEUE_URL']) {
      expect(cfg.provider.environment[variable], variable).toBe(`\${env:${variable}}`);
      const key = variable.replace(/_QUEUE_URL$/, '').toLowerCase().replace(/_/g, '-');
      expect(qs.has(key), `${variable} → resource ${key}`).toBe(true);
    }
    const consumers = Object.values(cfg.functions).flatMap((f) => f.events.flatMap((e) => ('ymq' in e ? [e.ymq.queue] : [])));
    expect(new Set(consumers).size).toBe(consumers.length);
  });

  test('the ingest trigger takes creates under uploads/ with retries and a dead-letter queue', () => {
    const s3 = cfg.functions['ingest']!.events.find((e) => 's3' in e);
    expect(s3 && 's3' in s3 ? s3.s3 : null).toMatchObject({ events: ['create.object'], prefix: 'uploads/', retry: { attempts: 5, interval: 60 }, dlq: 'ingest-dlq' });
  });
});
