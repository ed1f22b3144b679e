// Runtime: configuration, parsed once from the environment with zod. A missing or
// malformed variable fails at start-up with its name; nothing that addresses a resource
// gets a placeholder default.
import { z } from 'zod';
import { DEFAULT_BOUNDS } from '../domain/plausibility.ts';
import { ApiKeyList } from '../api/auth.ts';
import { DEFAULT_REPORTING_DEADLINE, ReportingDeadline } from '../domain/completeness.ts';
import { ConfigError } from '../domain/errors.ts';

const Bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const Ms = z.coerce.number().int().positive();

export const Env = z
  .object({
    /** the exports bucket; the ingest trigger names it in each event, other functions need it here */
    EXPORTS_BUCKET: z.string().min(3).optional(),
    UPLOAD_PREFIX: z.string().default('uploads/'),
    REPORT_PREFIX: z.string().default('reports/'),
    DEFAULT_REGION: z.string().regex(/^\d{2}$/, 'DEFAULT_REGION must be a two-digit region code').optional(),

    /** unset: Yandex Object Storage; set: s3rver, MinIO, LocalStack */
    S3_ENDPOINT: z.url().optional(),
    S3_REGION: z.string().default('ru-central1'),
    S3_FORCE_PATH_STYLE: Bool.optional(),

    /** the embedded store; used when no YDB is configured */
    SQLITE_PATH: z.string().min(1).optional(),
    YDB_ENDPOINT: z.string().optional(),
    YDB_DATABASE: z.string().optional(),
    YDB_CONNECTION_STRING: z.string().optional(),
    /** YDB credentials: `1` for a local YDB; else a fixed IAM token; else the metadata service (the cloud) */
    YDB_ANONYMOUS_CREDENTIALS: z.enum(['0', '1']).optional(),
    YDB_ACCESS_TOKEN_CREDENTIALS: z.string().min(1).optional(),
    /** the metadata service's token URL (tests); default http://169.254.169.254/computeMetadata/v1/... */
    YDB_METADATA_CREDENTIALS_ENDPOINT: z.url().optional(),

    /**
     * the Lockbox secret holding this function's static access key (entries aws_access_key_id,
     * aws_secret_access_key), read at run time as the function's service account; unset: the
     * key comes from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (local runs)
     */
    ACCESS_KEY_SECRET_ID: z.string().regex(/^[a-z0-9]{1,50}$/, 'ACCESS_KEY_SECRET_ID must be a Lockbox secret id').optional(),

    /** Yandex Message Queue (SQS API) of the PeriodChanged hand-off and of notifications */
    YMQ_ENDPOINT: z.url().default('https://message-queue.api.cloud.yandex.net'),
    PERIOD_CHANGED_QUEUE_URL: z.url().optional(),
    NOTIFICATIONS_QUEUE_URL: z.url().optional(),

    /** notification routing: inline JSON, or a file path (local runs); neither → log channel only */
    NOTIFY_CONFIG: z.string().optional(),
    NOTIFY_CONFIG_FILE: z.string().optional(),
    NOTIFY_ALLOW_LOOPBACK: Bool.optional(),
    /** http:// channel URLs for a receiver on this machine (the local stack sets it); never in the cloud */
    NOTIFY_ALLOW_HTTP: Bool.optional(),
    /** targets file overriding the project's defaults (shared/domain/data/targets.json) */
    TARGETS_FILE: z.string().optional(),

    /**
     * the region's reporting deadline, `<mon..sun> HH:MM` in UTC: the first such moment after
     * a week's last day. Until then a week missing exports is provisional (shown, never
     * judged); after it the week is closed as incomplete and its targets are evaluated
     */
    REPORTING_DEADLINE: ReportingDeadline.default(DEFAULT_REPORTING_DEADLINE),
    /** a replacement that drops a municipality's schools by more than this fraction warns `warn.shrinking_replacement` */
    SHRINKING_REPLACEMENT_FRACTION: z.coerce.number().gt(0).lte(1).default(0.5),
    /** the week the missing-export check is about, relative to when its timer fires */
    MISSING_EXPORT_WEEK: z.enum(['current', 'previous']).default('previous'),
    /** how old an upload without a completed ingest must be before reconciliation takes it */
    RECONCILE_GRACE_MS: Ms.default(10 * 60_000),

    INGEST_MIN_LEASE_MS: Ms.default(30_000),
    /** a lease longer than the trigger's retry window (5 attempts ≤ 60 s apart) strands the object */
    INGEST_MAX_LEASE_MS: Ms.default(300_000),
    INGEST_BUFFER_BYTES: z.coerce.number().int().nonnegative().default(32 * 1024 * 1024),
    /** rows staged per write: larger batches mean fewer round trips, each bounded by the store's request size */
    INGEST_STAGE_BATCH_ROWS: z.coerce.number().int().positive().default(1000),
    /** schools one table of an upload may hold; more is a file error (DEFAULT_MAX_SCHOOLS: 1 000 000 ingest under 200 MiB) */
    INGEST_MAX_SCHOOLS: z.coerce.number().int().positive().optional(),
    /** a school count above these is a row error, not a value (shared/domain/plausibility.ts) */
    PLAUSIBLE_MAX_STUDENTS: z.coerce.number().int().positive().max(1_000_000_000).default(DEFAULT_BOUNDS.maxStudents),
    PLAUSIBLE_MAX_TEACHERS: z.coerce.number().int().positive().max(1_000_000_000).default(DEFAULT_BOUNDS.maxTeachers),

    /**
     * the read API's keys, only as SHA-256 hashes: comma-separated `<role>:<hex>` or
     * `<name>:<role>:<hex>` (roles `reader`, `dashboard`); unset: every API route answers 401
     */
    API_KEYS: ApiKeyList.optional(),

    /** the upload page's forms: the largest file Object Storage accepts, and how long a form and its report URL live */
    UPLOAD_MAX_BYTES: z.coerce.number().int().positive().max(5 * 1024 ** 3).default(64 * 1024 * 1024),
    UPLOAD_FORM_TTL_S: z.coerce.number().int().min(60).max(3600).default(300),

    LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    /** read by the logger at load time; documented here with the rest of the environment */
    LOG_DESTINATION: z.enum(['stdout', 'stderr']).default('stdout'),
  })
  .superRefine((e, ctx) => {
    const ydb = Boolean(e.YDB_CONNECTION_STRING || (e.YDB_ENDPOINT && e.YDB_DATABASE));
    if (!ydb && !e.SQLITE_PATH) {
      ctx.addIssue({ code: 'custom', path: ['SQLITE_PATH'], message: 'set SQLITE_PATH for the embedded store, or YDB_ENDPOINT and YDB_DATABASE (or YDB_CONNECTION_STRING) for YDB' });
    }
    if (e.YDB_ENDPOINT && !e.YDB_DATABASE) {
      ctx.addIssue({ code: 'custom', path: ['YDB_DATABASE'], message: 'YDB_DATABASE is required with YDB_ENDPOINT (e.g. /ru-central1/<cloud>/<db>)' });
    }
    if (e.INGEST_MIN_LEASE_MS > e.INGEST_MAX_LEASE_MS) {
      ctx.addIssue({ code: 'custom', path: ['INGEST_MIN_LEASE_MS'], message: 'INGEST_MIN_LEASE_MS must not exceed INGEST_MAX_LEASE_MS' });
    }
  });
export type Env = z.infer<typeof Env>;

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Env {
  const r = Env.safeParse(env);
  if (r.success) return Object.freeze(r.data);
  const lines = r.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
}

export function storeKind(env: Env): 'ydb' | 'sqlite' {
  return env.YDB_CONNECTION_STRING || (env.YDB_ENDPOINT && env.YDB_DATABASE) ? 'ydb' : 'sqlite';
}
