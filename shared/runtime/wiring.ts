// Runtime: each function's dependencies, built from the parsed environment. The handlers'
// `handler` exports call these through `entryPoint`; tests and the local runtime build
// their own dependencies and call the un-wrapped handlers.
import { readFileSync } from 'node:fs';
import { createSenders } from '../adapters/channels/index.ts';
import { loadNotifyConfig, withoutChannels } from '../domain/notify/config.ts';
import { defaultTargets, parseTargets, type TargetsConfig } from '../domain/targets.ts';
import { systemClock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { IngestDeps } from '../usecases/ingest-object.ts';
import type { AggregateDeps } from '../usecases/aggregate-period.ts';
import type { NotifyDeps } from '../usecases/deliver-notifications.ts';
import type { ScheduledJobDeps } from '../usecases/scheduled-jobs.ts';
import { ConfigError, isRetryable } from '../domain/errors.ts';
import type { ApiDeps } from '../api/app.ts';
import { apiRegions } from '../api/report.ts';
import { ResponseCache } from '../api/response-cache.ts';
import type { UploadSettings } from '../api/uploads.ts';
import { S3UploadForms } from '../adapters/s3/upload-forms.ts';
import { embeddedDashboard } from '../api/pages/assets.ts';
import type { Env } from './config.ts';
import { accessKeyFrom, notificationSinkFrom, objectStoreFrom, secretResolver, periodChangedSinkFrom, readModelFrom, storesFrom } from './composition.ts';
import { createLogger } from './logger.ts';
import { buildReference } from './reference.ts';

const reference = () => buildReference();

function logger(env: Env, fn: string): Logger {
  return createLogger({ level: env.LOG_LEVEL, base: { fn } });
}

/** TARGETS_FILE, checked against the reference's municipalities, else the bundled targets; each warning logged once. */
function targetsFrom(env: Env, ref: ReturnType<typeof reference>, log: Logger): TargetsConfig {
  const known = new Map([...ref.municipalities].map(([code, r]) => [code, new Set(r.municipalities.map((m) => m.id))]));
  const targets = env.TARGETS_FILE ? parseTargets(JSON.parse(readFileSync(env.TARGETS_FILE, 'utf8')), { source: env.TARGETS_FILE, known }) : defaultTargets();
  for (const w of targets.warnings) log.warn('targets.warning', { ...w });
  return targets.config;
}

export async function ingestDeps(env: Env): Promise<IngestDeps> {
  const stores = await storesFrom(env);
  const ref = reference();
  return {
    objects: objectStoreFrom(env),
    ledger: stores.ledger,
    snapshots: stores.snapshots,
    periodChanged: periodChangedSinkFrom(env),
    clock: systemClock,
    log: logger(env, 'ingest'),
    settings: {
      uploadPrefix: env.UPLOAD_PREFIX,
      reportPrefix: env.REPORT_PREFIX,
      defaultRegion: env.DEFAULT_REGION ?? null,
      bufferBytes: env.INGEST_BUFFER_BYTES,
      minLeaseMs: env.INGEST_MIN_LEASE_MS,
      maxLeaseMs: env.INGEST_MAX_LEASE_MS,
      stageBatchRows: env.INGEST_STAGE_BATCH_ROWS,
      shrinkingReplacementFraction: env.SHRINKING_REPLACEMENT_FRACTION,
      bounds: { maxStudents: env.PLAUSIBLE_MAX_STUDENTS, maxTeachers: env.PLAUSIBLE_MAX_TEACHERS },
      ...(env.INGEST_MAX_SCHOOLS === undefined ? {} : { maxSchools: env.INGEST_MAX_SCHOOLS }),
    },
    mapHeaders: ref.mapHeaders,
    matchers: ref.matchers,
    knownRegions: ref.knownRegions,
  };
}

export async function aggregateDeps(env: Env): Promise<AggregateDeps & { log: Logger }> {
  const stores = await storesFrom(env);
  const ref = reference();
  const log = logger(env, 'aggregate');
  return {
    snapshots: stores.snapshots,
    aggregates: stores.aggregates,
    alerts: stores.alerts,
    sink: notificationSinkFrom(env),
    targets: targetsFrom(env, ref, log),
    municipalities: ref.municipalities,
    clock: systemClock,
    reportingDeadline: env.REPORTING_DEADLINE,
    log,
  };
}

export async function notifyDeps(env: Env): Promise<NotifyDeps> {
  const stores = await storesFrom(env);
  const log = logger(env, 'notify');
  const raw: unknown = env.NOTIFY_CONFIG ? JSON.parse(env.NOTIFY_CONFIG) : env.NOTIFY_CONFIG_FILE ? JSON.parse(readFileSync(env.NOTIFY_CONFIG_FILE, 'utf8')) : {};
  // One channel's bad entry or unresolvable secret disables that channel only (an error
  // log names it, with field paths and reasons, never a URL or a value); the rest deliver.
  const loaded = loadNotifyConfig(raw, { allowLoopback: env.NOTIFY_ALLOW_LOOPBACK, allowHttp: env.NOTIFY_ALLOW_HTTP });
  for (const d of loaded.disabled) log.error('notify.channel_invalid', { channel_id: d.id, reasons: [...d.reasons] });
  const failed = new Set<string>();
  const senders = await createSenders(loaded.config, {
    secrets: secretResolver(),
    clock: systemClock,
    log,
    onChannelError: (channelId, err) => {
      // Lockbox unreachable: fail the invocation so the trigger retries, rather than drop a channel
      if (isRetryable(err)) throw err;
      failed.add(channelId);
      log.error('notify.channel_invalid', { channel_id: channelId, reasons: [err instanceof Error ? err.message : 'its sender could not be built'] });
    },
  });
  const config = withoutChannels(loaded.config, failed);
  return {
    outbox: stores.outbox,
    senders,
    config,
    clock: systemClock,
    random: Math.random,
    log,
  };
}

export async function scheduleDeps(env: Env): Promise<ScheduledJobDeps> {
  if (!env.EXPORTS_BUCKET) throw new ConfigError('EXPORTS_BUCKET is required by the schedule function (reconciliation lists it)');
  const stores = await storesFrom(env);
  const ref = reference();
  const ingest = await ingestDeps(env);
  return {
    snapshots: stores.snapshots,
    alerts: stores.alerts,
    aggregates: stores.aggregates,
    sink: notificationSinkFrom(env),
    periodChanged: ingest.periodChanged,
    reportingDeadline: env.REPORTING_DEADLINE,
    clock: systemClock,
    log: logger(env, 'schedule'),
    references: ref.municipalities,
    ingest: { ...ingest, log: logger(env, 'schedule') },
    bucket: env.EXPORTS_BUCKET,
    regions: ref.knownRegions,
    missingExportWeek: env.MISSING_EXPORT_WEEK,
    reconcileGraceMs: env.RECONCILE_GRACE_MS,
  };
}

export async function apiDeps(env: Env): Promise<ApiDeps> {
  const ref = reference();
  const log = logger(env, 'api');
  const keys = env.API_KEYS ?? [];
  // names and roles only: a key's hash stays out of the logs as well
  if (keys.length === 0) log.warn('api.no_keys', { hint: 'set API_KEYS; every API route answers 401 until then' });
  else log.info('api.keys', { keys: keys.map((k) => `${k.name}:${k.role}`) });
  const dashboard = embeddedDashboard();
  if (!dashboard) log.warn('api.dashboard_not_built', { hint: 'run npm run build; / answers 503 from an unbundled handler' });
  return {
    read: await readModelFrom(env),
    keys,
    targets: targetsFrom(env, ref, log),
    regions: apiRegions(ref.municipalities),
    defaultRegion: env.DEFAULT_REGION ?? ref.knownRegions[0]?.code ?? '26',
    dashboard,
    log,
    cache: new ResponseCache(),
    uploads: uploadSettings(env, log),
  };
}

/**
 * The upload forms, signed with the api function's static key: in the cloud uploader-sa's,
 * read from Lockbox (ACCESS_KEY_SECRET_ID); locally the stack's. Without a key the upload
 * routes answer 503.
 */
function uploadSettings(env: Env, log: Logger): UploadSettings | null {
  if (!env.EXPORTS_BUCKET || !(env.ACCESS_KEY_SECRET_ID || env.S3_ENDPOINT)) {
    log.warn('api.uploads_off', { hint: 'set EXPORTS_BUCKET and ACCESS_KEY_SECRET_ID (the upload-signing key) to enable the upload page' });
    return null;
  }
  const endpoint = env.S3_ENDPOINT ?? 'https://storage.yandexcloud.net';
  return {
    forms: new S3UploadForms({ endpoint, bucket: env.EXPORTS_BUCKET, region: env.S3_REGION, credentials: accessKeyFrom(env) }),
    storageOrigin: new URL(endpoint).origin,
    uploadPrefix: env.UPLOAD_PREFIX,
    reportPrefix: env.REPORT_PREFIX,
    maxBytes: env.UPLOAD_MAX_BYTES,
    expiresInS: env.UPLOAD_FORM_TTL_S,
  };
}
