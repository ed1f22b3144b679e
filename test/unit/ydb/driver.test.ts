// The driver factory and address normalisation: one driver per instance, a failed start
// not cached, and every accepted address form reduced to the path form ydb-sdk parses right.
import { afterEach, describe, expect, test } from 'vitest';
import { YdbNotReadyError, closeDriver, getDriver, normaliseAddress } from '../../../shared/adapters/ydb/driver.ts';
import { sdk, type Driver } from '../../../shared/adapters/ydb/sdk.ts';
import { ConfigError, TransientError } from '../../../shared/domain/errors.ts';

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

  test('the normalised form is what ydb-sdk reads the database from (its pathname)', () => {
    const url = new URL(normaliseAddress({ connectionString: `${SERVERLESS}/?database=${DB}` }).connectionString);
    expect(url.pathname).toBe(DB);
    // the SDK's own rule, `pathname || searchParams.get('database')`, on the console form:
    expect(new URL(`${SERVERLESS}/?database=${DB}`).pathname).toBe('/');
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

function fakeDriver(ready: boolean | Error): Driver & { destroyed: number } {
  const d = {
    destroyed: 0,
    ready: async () => {
      if (ready instanceof Error) throw ready;
      return ready;
    },
    destroy: async () => {
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

  test('credentials come from the environment (anonymous for a local YDB)', async () => {
    const prev = process.env.YDB_ANONYMOUS_CREDENTIALS;
    process.env.YDB_ANONYMOUS_CREDENTIALS = '1';
    try {
      let auth: unknown;
      await getDriver({ connectionString: 'grpc://localhost:2136/local' }, (_a, authService) => {
        auth = authService;
        return fakeDriver(true);
      });
      expect(auth).toBeInstanceOf(sdk.AnonymousAuthService);
    } finally {
      if (prev === undefined) delete process.env.YDB_ANONYMOUS_CREDENTIALS;
      else process.env.YDB_ANONYMOUS_CREDENTIALS = prev;
    }
  });
});

describe('the ydb-sdk module as loaded at run time', () => {
  test('exposes the classes the adapters use, whatever the module interop', () => {
    for (const name of ['Driver', 'Types', 'TypedValues', 'ExecuteQuerySettings', 'RetryParameters', 'YdbError', 'AnonymousAuthService'] as const) {
      expect(typeof sdk[name], name).toBe('function');
    }
    expect(typeof sdk.withRetries).toBe('function');
    expect(typeof sdk.getCredentialsFromEnv).toBe('function');
    expect(sdk.AUTO_TX).toEqual({ beginTx: { serializableReadWrite: {} }, commitTx: true });
  });
});
