// Runtime: builds adapters from configuration, once per warm function instance (a Cloud
// Functions instance serves one request at a time, so module-level reuse is safe). This is
// the only place that chooses SQLite or YDB, s3rver or Object Storage, a Message Queue or
// something else.
import { makeS3Client, S3ObjectStore } from '../adapters/s3/object-store.ts';
import { accessKeyFromEnv, accessKeyFromLockbox } from '../adapters/secrets/access-key.ts';
import { EnvSecretResolver } from '../adapters/secrets/env.ts';
import { LockboxSecretResolver, lockboxPayloadReader } from '../adapters/secrets/lockbox.ts';
import type { Db } from '../adapters/sqlite/database.ts';
import { YmqPublisher } from '../adapters/ymq/queue-publisher.ts';
import { ConfigError } from '../domain/errors.ts';
import type { NotificationEvent } from '../domain/events.ts';
import type { PeriodChanged } from '../domain/schemas.ts';
import type { AggregateStore } from '../ports/aggregate-store.ts';
import type { AlertStore } from '../ports/alert-store.ts';
import type { NotificationSink } from '../ports/notification-sink.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { Outbox } from '../ports/outbox.ts';
import type { PeriodChangedSink } from '../ports/period-changed.ts';
import type { ReadModel } from '../ports/read-model.ts';
import type { SecretResolver } from '../ports/secrets.ts';
import type { SnapshotStore } from '../ports/snapshot-store.ts';
import type { UploadLedger } from '../ports/upload-ledger.ts';
import type { Env } from './config.ts';
import { storeKind } from './config.ts';
import { currentDeadline } from './deadline.ts';

let secrets: SecretResolver | undefined;

/**
 * The instance's one secret resolver: Lockbox references through the payload service as the
 * function's service account (payloads cached while the instance is warm), `{ env }`
 * references from the environment.
 */
export function secretResolver(): SecretResolver {
  secrets ??= new LockboxSecretResolver(lockboxPayloadReader(), new EnvSecretResolver(process.env));
  return secrets;
}

/** The static access key for SigV4: from Lockbox when ACCESS_KEY_SECRET_ID names a secret, else from the environment. */
export function accessKeyFrom(env: Env) {
  return env.ACCESS_KEY_SECRET_ID ? accessKeyFromLockbox(secretResolver(), env.ACCESS_KEY_SECRET_ID) : accessKeyFromEnv();
}

export function objectStoreFrom(env: Env): ObjectStore {
  return new S3ObjectStore(
    makeS3Client({
      endpoint: env.S3_ENDPOINT ?? 'https://storage.yandexcloud.net',
      region: env.S3_REGION,
      // s3rver and MinIO want path-style; Object Storage accepts both.
      forcePathStyle: env.S3_FORCE_PATH_STYLE ?? Boolean(env.S3_ENDPOINT),
      ...(env.ACCESS_KEY_SECRET_ID ? { credentials: accessKeyFrom(env) } : {}),
    }),
  );
}

export type Stores = {
  readonly snapshots: SnapshotStore;
  readonly ledger: UploadLedger;
  readonly aggregates: AggregateStore;
  readonly alerts: AlertStore;
  readonly outbox: Outbox;
};

const sqliteCache = new Map<string, Promise<Db>>();

/**
 * One database handle per path per process. Loaded lazily so a cloud bundle never
 * requires the native better-sqlite3 module.
 */
export function sqliteAt(path: string): Promise<Db> {
  let db = sqliteCache.get(path);
  if (!db) {
    db = import('../adapters/sqlite/database.ts').then((m) => m.openDatabase(path));
    sqliteCache.set(path, db);
  }
  return db;
}

/** Every store port on the embedded SQLite file. */
export async function sqliteStores(path: string): Promise<Stores> {
  const db = await sqliteAt(path);
  const [snap, ledger, agg, alerts, outbox] = await Promise.all([
    import('../adapters/sqlite/snapshot-store.ts'),
    import('../adapters/sqlite/upload-ledger.ts'),
    import('../adapters/sqlite/aggregate-store.ts'),
    import('../adapters/sqlite/alert-store.ts'),
    import('../adapters/sqlite/outbox.ts'),
  ]);
  return {
    snapshots: new snap.SqliteSnapshotStore(db),
    ledger: new ledger.SqliteUploadLedger(db),
    aggregates: new agg.SqliteAggregateStore(db),
    alerts: new alerts.SqliteAlertStore(db),
    outbox: new outbox.SqliteOutbox(db),
  };
}

function ydbSettings(env: Env) {
  return { connectionString: env.YDB_CONNECTION_STRING, endpoint: env.YDB_ENDPOINT, database: env.YDB_DATABASE };
}

/** YDB retries stop at the calling invocation's deadline (shared/runtime/deadline.ts). */
const ydbClientOptions = { deadline: currentDeadline };

/**
 * Every store port on YDB, over the instance's one driver. Loaded lazily, like SQLite, so
 * each runtime loads only the vendor SDK it uses.
 */
export async function ydbStores(env: Env): Promise<Stores> {
  const ydb = await import('../adapters/ydb/index.ts');
  return ydb.ydbStores({ ...ydbSettings(env), credentials: ydb.credentialsFrom(env) }, ydbClientOptions);
}

export async function storesFrom(env: Env): Promise<Stores> {
  if (storeKind(env) === 'ydb') return ydbStores(env);
  return sqliteStores(env.SQLITE_PATH!);
}

/** A YMQ publisher signed with the function's static access key (accessKeyFrom). */
export function queuePublisher<T>(env: Env, queueUrl: string): YmqPublisher<T> {
  return new YmqPublisher<T>({ endpoint: env.YMQ_ENDPOINT, region: env.S3_REGION, queueUrl, credentials: accessKeyFrom(env) });
}

export function periodChangedSinkFrom(env: Env): PeriodChangedSink {
  if (!env.PERIOD_CHANGED_QUEUE_URL) {
    throw new ConfigError('PERIOD_CHANGED_QUEUE_URL is required: the queue that hands changed periods to the aggregate function');
  }
  return queuePublisher<PeriodChanged>(env, env.PERIOD_CHANGED_QUEUE_URL);
}

export function notificationSinkFrom(env: Env): NotificationSink {
  if (!env.NOTIFICATIONS_QUEUE_URL) {
    throw new ConfigError('NOTIFICATIONS_QUEUE_URL is required: the queue that hands notification events to the notify function');
  }
  return queuePublisher<NotificationEvent>(env, env.NOTIFICATIONS_QUEUE_URL);
}

/**
 * The read API's snapshot reads: every read of one request sees one committed state
 * (test/int/functions/api/consistency.test.ts).
 * On SQLite a second connection to the same file gives each request one WAL snapshot; on
 * YDB each request is one snapshot read-only transaction.
 */
export async function readModelFrom(env: Env): Promise<ReadModel> {
  if (storeKind(env) === 'ydb') {
    const ydb = await import('../adapters/ydb/index.ts');
    return ydb.ydbReadModel({ ...ydbSettings(env), credentials: ydb.credentialsFrom(env) }, ydbClientOptions);
  }
  const m = await import('../adapters/sqlite/read-model.ts');
  return new m.SqliteReadModel(env.SQLITE_PATH!);
}
