// Adapter support: the one YDB driver of a warm function instance, behind one factory.
//
// A Cloud Functions instance serves one request at a time and stays warm between them, so
// the driver (its gRPC channel, credentials and the client's session) is built once and
// reused. A start that fails (bad address, no network, credentials refused) is not cached:
// the next invocation tries again instead of inheriting a dead promise.
//
// Discovery is off. Serverless YDB answers on one balanced endpoint
// (ydb.serverless.yandexcloud.net:2135) and forwards a session's calls to its node, so
// discovery would only add a ListEndpoints round trip and a second TLS handshake to every
// cold start — and @ydbjs/core 6.0.4 re-runs it every minute as a promise nobody handles,
// so one failed rediscovery after a good start crashes a warm instance with an unhandled
// rejection. With it off there is no background promise left to reject.
//
// Credentials: see credentials.ts (metadata service in the cloud, refreshed before expiry).
import { ConfigError, TransientError } from '../../domain/errors.ts';
import { credentialsFrom, credentialsProvider, type CredentialsSettings } from './credentials.ts';
import { Driver, type DriverOptions } from './sdk.ts';

export type YdbSettings = {
  /** `grpc(s)://host:port/database` or the console's `grpc(s)://host:port/?database=/database` */
  readonly connectionString?: string | undefined;
  /** `grpc(s)://host:port`, with `database` */
  readonly endpoint?: string | undefined;
  readonly database?: string | undefined;
  readonly readyTimeoutMs?: number | undefined;
  /** Which credentials; unset: read from the process environment (see credentials.ts). */
  readonly credentials?: CredentialsSettings | undefined;
};

export type YdbAddress = { readonly endpoint: string; readonly database: string; readonly connectionString: string };

/** The driver did not discover the database in time: the network or the address is wrong. */
export class YdbNotReadyError extends TransientError {
  constructor(
    readonly address: string,
    readonly timeoutMs: number,
  ) {
    super(`YDB at ${address} did not become ready within ${timeoutMs} ms`);
    this.name = 'YdbNotReadyError';
  }
}

const SCHEMES = new Set(['grpc:', 'grpcs:']);

function parseEndpoint(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${what} is not a URL: expected grpcs://host:port/... (got ${JSON.stringify(raw)})`);
  }
  if (!SCHEMES.has(url.protocol)) throw new ConfigError(`${what} must start with grpc:// or grpcs:// (got ${url.protocol})`);
  if (!url.port) throw new ConfigError(`${what} must name a port (2135 for Yandex Cloud, 2136 for a local YDB)`);
  return url;
}

function normaliseDatabase(db: string, what: string): string {
  const d = db.trim().replace(/\/+$/, '');
  if (!d.startsWith('/') || d.length < 2) throw new ConfigError(`${what} must be an absolute database path such as /ru-central1/<cloud>/<db> or /local (got ${JSON.stringify(db)})`);
  return d;
}

/**
 * One canonical address from whatever form configuration gives: the path form, the
 * console's `/?database=` form, or endpoint + database. Conflicting parts are a
 * ConfigError, never a silent choice.
 */
export function normaliseAddress(s: YdbSettings): YdbAddress {
  let url: URL;
  let database: string | undefined;
  if (s.connectionString) {
    url = parseEndpoint(s.connectionString, 'YDB_CONNECTION_STRING');
  } else if (s.endpoint) {
    url = parseEndpoint(s.endpoint, 'YDB_ENDPOINT');
  } else {
    throw new ConfigError('YDB needs YDB_CONNECTION_STRING, or YDB_ENDPOINT and YDB_DATABASE');
  }
  const fromQuery = url.searchParams.get('database');
  const fromPath = url.pathname && url.pathname !== '/' ? url.pathname : undefined;
  if (fromQuery && fromPath) throw new ConfigError(`the YDB address names two databases: ${fromPath} and ${fromQuery}`);
  const fromUrl = fromQuery ?? fromPath;
  if (fromUrl) database = normaliseDatabase(decodeURIComponent(fromUrl), 'the database in the YDB address');
  if (s.database) {
    const explicit = normaliseDatabase(s.database, 'YDB_DATABASE');
    if (database && database !== explicit) throw new ConfigError(`YDB_DATABASE (${explicit}) disagrees with the address (${database})`);
    database = explicit;
  }
  if (!database) throw new ConfigError('the YDB database path is missing: set YDB_DATABASE or put it in the connection string path');
  const endpoint = `${url.protocol}//${url.host}`;
  return { endpoint, database, connectionString: `${endpoint}${database}` };
}

type DriverFactory = (address: YdbAddress, options: DriverOptions) => Driver;

const defaultFactory: DriverFactory = (address, options) => new Driver(address.connectionString, options);

let cached: { key: string; driver: Promise<Driver> } | undefined;

/**
 * The instance's driver, started once. A second call with the same address returns the
 * same promise; a failed start clears it. `factory` exists for tests.
 */
export function getDriver(settings: YdbSettings, factory: DriverFactory = defaultFactory): Promise<Driver> {
  const address = normaliseAddress(settings);
  if (cached && cached.key === address.connectionString) return cached.driver;
  const timeoutMs = settings.readyTimeoutMs ?? 10_000;
  const started = (async () => {
    const driver = factory(address, {
      credentialsProvider: credentialsProvider(settings.credentials ?? credentialsFrom(process.env)),
      'ydb.sdk.enable_discovery': false,
      'ydb.sdk.ready_timeout_ms': timeoutMs,
    });
    try {
      await driver.ready(AbortSignal.timeout(timeoutMs));
    } catch (err) {
      driver.close();
      if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) throw new YdbNotReadyError(address.connectionString, timeoutMs);
      throw new TransientError(`YDB at ${address.connectionString} failed to start: ${(err as Error).message}`, { cause: err });
    }
    return driver;
  })();
  const entry = { key: address.connectionString, driver: started };
  cached = entry;
  started.catch(() => {
    if (cached === entry) cached = undefined;
  });
  return started;
}

/**
 * A new driver after `stale` stopped answering (its connection may have died while the
 * instance was frozen): the cached one is replaced once, however many clients ask; a client
 * holding an older driver gets the current one. The stale driver is closed a little later,
 * so calls still in flight on it end on their own timeouts rather than at once.
 */
export async function reconnectDriver(settings: YdbSettings, stale: Driver, factory: DriverFactory = defaultFactory): Promise<Driver> {
  const current = cached && (await cached.driver.catch(() => null));
  if (current && current !== stale) return current;
  if (cached && current === stale) cached = undefined;
  setTimeout(() => stale.close(), 10_000).unref();
  return getDriver(settings, factory);
}

/** Closes the cached driver (tests and the CLI; a function instance simply freezes). */
export async function closeDriver(): Promise<void> {
  const c = cached;
  cached = undefined;
  if (c) (await c.driver.catch(() => null))?.close();
}
