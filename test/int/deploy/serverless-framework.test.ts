// Integration: the real Serverless Framework v3 with @yandex-cloud/serverless-plugin reads
// serverless.yml offline (`serverless print`: variables resolved, the plugin's schema
// validated) and must report no schema problem. The plugin's runtime enum stops before
// nodejs22 (the only Node runtime Cloud Functions supports), so that one warning is
// expected and nothing else. No network: telemetry and notifications are off, the deploy
// credentials are dummies that nothing uses, HOME is a scratch folder.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT as root } from '../../support/paths.ts';

const cli = join(root, 'node_modules', 'serverless', 'bin', 'serverless.js');

// every `${env:…}` serverless.yml reads, with a placeholder of the right shape
const DEPLOY_ENV = {
  YDB_CONNECTION_STRING: 'grpcs://ydb.serverless.yandexcloud.net:2135/ru-central1/b1gcloud/etndb',
  PERIOD_CHANGED_QUEUE_URL: 'https://message-queue.api.cloud.yandex.net/b1gfolder/dj6/sferum-pulse-period-changed',
  NOTIFICATIONS_QUEUE_URL: 'https://message-queue.api.cloud.yandex.net/b1gfolder/dj6/sferum-pulse-notifications',
  PIPELINE_KEY_SECRET_ID: 'e6qpipeline',
  AGGREGATE_KEY_SECRET_ID: 'e6qaggregate',
  UPLOAD_KEY_SECRET_ID: 'e6qupload',
  API_KEYS: 'datalake:reader:0000000000000000000000000000000000000000000000000000000000000000',
};

async function print(dir: string): Promise<{ code: number; stdout: string; out: string }> {
  const home = mkdtempSync(join(tmpdir(), 'sls-home-'));
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
    SERVERLESS_PLATFORM_VENDOR: 'none',
    CI: '1',
    // the plugin's provider is constructed on load; these are never sent anywhere by `print`
    YC_IAM_TOKEN: 'offline',
    YC_CLOUD_ID: 'b1gcloud',
    YC_FOLDER_ID: 'b1gfolder',
    ...DEPLOY_ENV,
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, 'print', '--format', 'yaml'], { cwd: dir, env, timeout: 60_000 });
    return { code: 0, stdout, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

/** The `at '<path>': <message>` lines of the framework's "Invalid configuration" warning. */
function schemaProblems(out: string): string[] {
  return [...out.matchAll(/^\s+at '([^']+)': (.*)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
}

describe('serverless print with @yandex-cloud/serverless-plugin', () => {
  test('serverless.yml resolves and passes the plugin schema (runtime nodejs22 is the one known warning)', async () => {
    const { code, stdout, out } = await print(root);
    expect(code, out).toBe(0);
    expect(schemaProblems(out).filter((p) => !p.startsWith('provider.runtime:'))).toEqual([]);
    const printed = parse(stdout.slice(stdout.indexOf('service:'))) as { functions: Record<string, { environment?: Record<string, string> }> };
    expect(Object.keys(printed.functions).sort()).toEqual(['aggregate', 'api', 'ingest', 'notify', 'schedule']);
    expect(printed.functions['ingest']!.environment!['ACCESS_KEY_SECRET_ID']).toBe('e6qpipeline');
  }, 90_000);

  test('a schema error in a copy of serverless.yml is reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sls-broken-'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    cpSync(join(root, 'package.json'), join(dir, 'package.json'));
    const text = readFileSync(join(root, 'serverless.yml'), 'utf8').replace('memorySize: 256', 'memorySize: "256 MB"').replace(/batch: 10/, 'batchSize: 10');
    writeFileSync(join(dir, 'serverless.yml'), text);
    const { out } = await print(dir);
    expect(schemaProblems(out)).toEqual(expect.arrayContaining([expect.stringMatching(/^functions\.ingest\.memorySize: must be number/), expect.stringMatching(/ymq: must have required property 'batch'/)]));
  }, 90_000);
});
