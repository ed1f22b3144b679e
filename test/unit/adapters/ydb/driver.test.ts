// The driver factory and address normalisation: one driver per instance, a failed start
// not cached, every accepted address form reduced to one path form, credentials chosen from
// the environment, and SDK discovery (with its unhandled background promise) off.
import { afterEach, describe, expect, test } from 'vitest';
import { YdbNotReadyError, closeDriver, getDriver, normaliseAddress } from '../../../../shared/adapters/ydb/driver.ts';
import { MetadataTokenProvider } from '../../../../shared/adapters/ydb/credentials.ts';
import { AccessTokenCredentialsProvider, AnonymousCredentialsProvider, type Driver, type DriverOptions } from '../../../../shared/adapters/ydb/sdk.ts';
import { ConfigError, TransientError } from '../../../../shared/domain/errors.ts';

const SERVERLESS = 'grpcs://ydb.serverless.yandexcloud.net:2135';
const DB = '/ru-central1/b1gabc/etnxyz';

describe('normaliseAddress', () => {
  test("the console's /?database= form becomes the path form", () => {
    expect(normaliseAddress({ connectionString: `${SERVERLESS}/?database=${DB}` })).toEqual({
      endpoint: SERVERLESS,
      database: DB,
      connectionString: `${SERVERLESS}${DB}`,
    });
  });

  test('the path form, ?database= without a slash, and endpoint + database agree', () => {
    const expected = `${SERVERLESS}${DB}`;
    expect(normaliseAddress({ connectionString: `${SERVERLESS}${DB}` }).connectionString).toBe(expected);
    expect(normaliseAddress({ connectionString: `${SERVERLESS}?database=${DB}` }).connectionString).toBe(expected);
    expect(normaliseAddress({ endpoint: SERVERLESS, database: DB }).connectionString).toBe(expected);
    expect(normaliseAddress({ endpoint: `${SERVERLESS}/`, database: `${DB}/` }).connectionString).toBe(expected);
    expect(normaliseAddress({ endpoint: `${SERVERLESS}/?database=${DB}`, database: DB }).connectionString).toBe(expected);
  });

  test('a local YDB keeps plain grpc and /local', () => {
    expect(normaliseAddress({ endpoint: 'grpc://localhost:2136', database: '/local' }).connectionString).toBe('grpc://localhost:2136/local');
  });

  test('the normalised form carries the database in its path', () => {
    const url = new URL(normaliseAddress({ connectionString: `${SERVERLESS}/?database=${DB}` }).connectionString);
    expect(url.pathname).toBe(DB);
  });

  test('missing, conflicting or malformed parts are configuration errors', () => {
    expect(() => normaliseAddress({})).toThrow(ConfigError);
    expect(() => normaliseAddress({ endpoint: SERVERLESS })).toThrow(/database path is missing/);
    expect(() => normaliseAddress({ connectionString: `${SERVERLESS}/a?database=/b` })).toThrow(/two databases/);
    expect(() => normaliseAddress({ endpoint: `${SERVERLESS}/?database=/x`, database: '/y' })).toThrow(/disagrees/);
    expect(() => normaliseAddress({ connectionString: 'https://ydb.serverless.yandexcloud.net:2135/db' })).toThrow(/grpc/);
    expect(() => normaliseAddress({ connectionString: 'grpcs://host/db' })).toThrow(/port/);
    expect(() => normaliseAddress({ endpoint: SERVERLESS, database: 'relative/db' })).toThrow(/absolute/);
  });
});

/** `ready`: true resolves, false never settles (a start that times out), an Error rejects. */
function fakeDriver(ready: boolean | Error): Driver & { destroyed: number } {
  const d = {
    destroyed: 0,
    ready: (signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        if (ready instanceof Error) reject(ready);
        else if (ready) resolve();
        signal.addEventListener('abort', () => reject(new DOMException('timed out', 'TimeoutError')));
      }),
    close: () => {
      d.destroyed++;
    },
  };
  return d as unknown as Driver & { destroyed: number };
}

describe('getDriver', () => {
  afterEach(async () => {
    await closeDriver();
  });

  test('one driver per address per instance, built once', async () => {
    let built = 0;
    const factory = () => {
      built++;
      return fakeDriver(true);
    };
    const settings = { endpoint: 'grpc://localhost:2136', database: '/local' };
    const [a, b] = await Promise.all([getDriver(settings, factory), getDriver(settings, factory)]);
    expect(a).toBe(b);
    expect(await getDriver({ connectionString: 'grpc://localhost:2136/local' }, factory)).toBe(a);
    expect(built).toBe(1);
  });

  test('a driver that is not ready is a typed, retryable error, destroyed and not cached', async () => {
    const failing = fakeDriver(false);
    const settings = { endpoint: 'grpc://localhost:2136', database: '/local', readyTimeoutMs: 5 };
    const err = await getDriver(settings, () => failing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(YdbNotReadyError);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as YdbNotReadyError).timeoutMs).toBe(5);
    expect(failing.destroyed).toBe(1);
    const good = fakeDriver(true);
    expect(await getDriver(settings, () => good)).toBe(good);
  });

  test('a driver whose start throws is wrapped as transient and not cached', async () => {
    const settings = { endpoint: 'grpc://localhost:2136', database: '/local' };
    await expect(getDriver(settings, () => fakeDriver(new Error('ECONNREFUSED')))).rejects.toBeInstanceOf(TransientError);
    const good = fakeDriver(true);
    expect(await getDriver(settings, () => good)).toBe(good);
  });

  test('credentials: anonymous for a local YDB, a fixed token, else the metadata service', async () => {
    const seen: DriverOptions[] = [];
    const factory = (_a: unknown, o: DriverOptions) => {
      seen.push(o);
      return fakeDriver(true);
    };
    await getDriver({ connectionString: 'grpc://localhost:2136/local', credentials: { kind: 'anonymous' } }, factory);
    await closeDriver();
    await getDriver({ connectionString: 'grpc://localhost:2136/local', credentials: { kind: 'token', token: 't' } }, factory);
    await closeDriver();
    await getDriver({ connectionString: 'grpc://localhost:2136/local', credentials: { kind: 'metadata' } }, factory);
    expect(seen[0]!.credentialsProvider).toBeInstanceOf(AnonymousCredentialsProvider);
    expect(seen[1]!.credentialsProvider).toBeInstanceOf(AccessTokenCredentialsProvider);
    expect(seen[2]!.credentialsProvider).toBeInstanceOf(MetadataTokenProvider);
  });

  test('SDK discovery is off: no periodic rediscovery promise exists to reject unhandled', async () => {
    let options: DriverOptions | undefined;
    await getDriver({ connectionString: 'grpc://localhost:2136/local', credentials: { kind: 'anonymous' } }, (_a, o) => {
      options = o;
      return fakeDriver(true);
    });
    expect(options?.['ydb.sdk.enable_discovery']).toBe(false);
  });
});
