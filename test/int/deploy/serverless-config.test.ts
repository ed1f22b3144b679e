// Integration: serverless.yml is consistent with the code — every handler is a built
// export, every trigger names a declared function, queue and service account, every cron
// expression parses, and the local runtime reads this same file (no second copy).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseCron } from '../../../infra/local/cron.ts';
import { loadServerlessConfig, queues, type ServerlessConfig } from '../../../infra/local/serverless-config.ts';
import { ScheduleJob } from '../../../functions/schedule/handler.ts';
import { REPO_ROOT as root } from '../../support/paths.ts';

let cfg: ServerlessConfig;

describe('serverless.yml', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'ignore' });
    cfg = loadServerlessConfig(join(root, 'serverless.yml'));
    // a full build: about a minute on a busy machine
  }, 180_000);

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
    // the class itself (the code takes `default` when present, else the module)
    used.get('pptxgenjs')?.add('prototype');
    used.get('grpc-js')?.add('credentials').add('Metadata').add('makeGenericClientConstructor');
    expect([...used.keys()].sort()).toEqual(['client-sesv2', 'exceljs', 'grpc-js', 'pptxgenjs', 'ydb']);
    for (const [file, names] of used) {
      const mod = req(join(root, 'dist', 'vendor', `${file}.js`)) as Record<string, unknown>;
      for (const n of names) expect(mod[n], `${file}.${n}`).toBeDefined();
    }
  });

  test('gRPC is one vendor file: the YDB file requires grpc-js.js, and nice-grpc patches the connector that file uses', () => {
    const req = createRequire(join(root, 'package.json'));
    const ydb = readFileSync(join(root, 'dist', 'vendor', 'ydb.js'), 'utf8');
    expect(ydb.includes('require("./grpc-js.js")'), 'ydb.js requires grpc-js.js').toBe(true);
    // grpc-js's user-agent prefix: present only where grpc-js itself is bundled
    expect(ydb.includes('grpc-node-js/'), 'a copy of grpc-js inside ydb.js').toBe(false);
    req(join(root, 'dist', 'vendor', 'ydb.js'));
    const grpc = req(join(root, 'dist', 'vendor', 'grpc-js.js')) as { __transport: { Http2SubchannelConnector: { prototype: Record<symbol, unknown> } } };
    expect(grpc.__transport.Http2SubchannelConnector.prototype[Symbol.for('nice-grpc.connectTimeoutPatch')]).toBe(true);
  });

  test('the functions that sign only forms and queue messages carry no AWS SDK, and every bundle zod’s English messages only (cold start, BENCHMARKS.md)', () => {
    for (const name of ['api', 'aggregate', 'notify']) {
      const text = readFileSync(join(root, 'dist', name, 'index.js'), 'utf8');
      // @smithy/signature-v4's payload marker and @aws-sdk/credential-provider-env's variable
      expect(text.includes('UNSIGNED-PAYLOAD'), `@smithy/signature-v4 in the ${name} bundle`).toBe(false);
      expect(text.includes('AWS_CREDENTIAL_EXPIRATION'), `@aws-sdk/credential-provider-env in the ${name} bundle`).toBe(false);
    }
    for (const [name, fn] of Object.entries(cfg.functions)) {
      const text = readFileSync(join(root, fn.handler.replace(/\.handler$/, '.js')), 'utf8');
      // zod's English (the default it registers itself) is there; its Dutch and Indonesian are not
      expect(text.includes('Invalid input: expected'), `${name}: zod's English messages`).toBe(true);
      expect(/Ongeldige invoer|Input tidak valid/.test(text), `${name}: zod's other locales`).toBe(false);
    }
  });

  test('every trigger names declared queues and buckets, and service accounts the guide creates', () => {
    const accounts = new Set(guideAccounts().keys());
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

  test('service accounts are declared once: in the guide, none under resources', () => {
    expect(Object.entries(cfg.resources).filter(([, r]) => r.type === 'yc::ServiceAccount').map(([k]) => k)).toEqual([]);
    const used = new Set(Object.values(cfg.functions).flatMap((f) => [f.account, ...f.events.flatMap((e) => Object.values(e).flatMap((t) => ['account', 'queueAccount'].map((k) => (t as Record<string, unknown>)[k]).filter((v): v is string => typeof v === 'string')))]));
    for (const a of used) expect(guideAccounts().has(a), `${a} is created in docs/deploy.md step 1`).toBe(true);
  });

  test('no function version carries a secret: no ${lockbox:…} and no key material in any environment', () => {
    const text = readFileSync(join(root, 'serverless.yml'), 'utf8');
    expect(text).not.toMatch(/\$\{lockbox:/);
    const envs: [string, Record<string, string>][] = [['provider', cfg.provider.environment], ...Object.entries(cfg.functions).map(([n, f]): [string, Record<string, string>] => [n, f.environment])];
    for (const [where, env] of envs) {
      for (const [name, value] of Object.entries(env)) {
        const at = `${where}.environment.${name}`;
        expect(value, at).not.toMatch(/lockbox/i);
        // a value that names a secret must come from the deployer's shell, never be written here
        if (/SECRET|TOKEN|PASSWORD|KEY/.test(name)) expect(value, at).toMatch(/^\$\{env:[A-Z0-9_]+(, '\{\}')?\}$/);
        expect(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'], at).not.toContain(name);
        // Yandex static keys and IAM tokens, or long opaque strings
        expect(value, at).not.toMatch(/YCAJ|YCM|t1\.|[A-Za-z0-9+/_-]{32,}/);
      }
    }
  });

  test('each function reads only its own key secret; api and notify get no pipeline credentials', () => {
    const keyOf = (fn: string) => cfg.functions[fn]!.environment['ACCESS_KEY_SECRET_ID'];
    expect(keyOf('ingest')).toBe('${env:PIPELINE_KEY_SECRET_ID}');
    expect(keyOf('schedule')).toBe('${env:PIPELINE_KEY_SECRET_ID}');
    expect(keyOf('aggregate')).toBe('${env:AGGREGATE_KEY_SECRET_ID}');
    expect(keyOf('notify')).toBeUndefined();
    // the api signs upload forms with uploader-sa's key only
    expect(keyOf('api')).toBe('${env:UPLOAD_KEY_SECRET_ID}');
    expect(cfg.provider.environment['ACCESS_KEY_SECRET_ID']).toBeUndefined();
    const roles = guideAccounts();
    expect(roles.get(cfg.functions['api']!.account)).toEqual(['ydb.viewer']);
    expect(roles.get(cfg.functions['notify']!.account)).toEqual(['ydb.editor']);
    for (const [name, fn] of Object.entries(cfg.functions)) {
      for (const r of roles.get(fn.account) ?? []) expect(r, `${name} runs as ${fn.account}`).not.toMatch(/^(editor|admin|storage\.|lockbox\.)/);
    }
  });
});

/** The accounts docs/deploy.md step 1 creates, with their folder roles (the ACCOUNTS list). */
function guideAccounts(): Map<string, string[]> {
  const text = readFileSync(join(root, 'docs/deploy.md'), 'utf8');
  const block = /<<'ACCOUNTS'\n([\s\S]*?)\nACCOUNTS\n/.exec(text);
  if (!block) throw new Error("docs/deploy.md has no <<'ACCOUNTS' list");
  return new Map(block[1]!.split('\n').map((l) => l.trim().split(/\s+/)).map(([sa, ...roles]) => [sa!, roles]));
}
