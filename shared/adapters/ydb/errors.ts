// Adapter support: what a YDB or gRPC failure means, as YDB documents it — whether a unit of
// work may run again, how long to wait first, whether its session is still usable — and
// the pipeline error each failure becomes, so nothing above an adapter sees a vendor error.
//
// The two tables below are YDB's own, row for row: "Status codes from the YDB server"
// (ydb.tech/docs/en/reference/ydb-sdk/ydb-status-codes) and "gRPC status codes"
// (…/ydb-sdk/grpc-status-codes); test/unit/adapters/ydb/errors.test.ts holds every row.
// "Conditionally retryable" there means: the request may have been applied, so only work
// that is safe to run twice (idempotent) runs again. Hence
// - gRPC UNAVAILABLE / INTERNAL / DEADLINE_EXCEEDED / CANCELLED: the request may have
//   reached the server: retried for idempotent work only, on a new session;
// - YDB UNDETERMINED: the commit's outcome is unknown: idempotent work only;
// - YDB TIMEOUT (the operation's own timeout passed) and CANCELLED: never retried — the
//   server gave up on purpose, and the same request would give up again;
// - YDB UNAUTHORIZED: the account may not touch that scheme object — an access refusal, not
//   a stale token, so no new token is fetched and nothing is retried. A token the server
//   does not accept is gRPC UNAUTHENTICATED; YDB's error-handling guide counts "an
//   authentication request" among the conditionally retryable cases: the token is fetched
//   again and the work retried once.
import { PipelineError, TransientError } from '../../domain/errors.ts';
import { StatusIds_StatusCode, YDBError } from './sdk.ts';

const S = StatusIds_StatusCode;

/** always: nothing was applied; idempotent: maybe applied, re-run only safe work; never: a retry repeats the failure. */
export type Retry = 'always' | 'idempotent' | 'never';
/** instant: at once; fast: short full-jitter backoff; slow: the throttled backoff. */
export type Backoff = 'instant' | 'fast' | 'slow';
export type FailureClass = { readonly retry: Retry; readonly backoff: Backoff; readonly newSession: boolean };

const c = (retry: Retry, backoff: Backoff, newSession: boolean): FailureClass => ({ retry, backoff, newSession });

/** YDB's status table (ydb-status-codes): retryability, backoff, recreate session. */
export const YDB_STATUS_CLASSES: Readonly<Record<string, FailureClass>> = {
  BAD_REQUEST: c('never', 'fast', false),
  UNAUTHORIZED: c('never', 'fast', false),
  INTERNAL_ERROR: c('never', 'fast', false),
  ABORTED: c('always', 'fast', false),
  UNAVAILABLE: c('always', 'fast', false),
  OVERLOADED: c('always', 'slow', false),
  SCHEME_ERROR: c('never', 'fast', false),
  GENERIC_ERROR: c('never', 'fast', false),
  TIMEOUT: c('never', 'fast', false),
  BAD_SESSION: c('always', 'instant', true),
  PRECONDITION_FAILED: c('never', 'fast', false),
  ALREADY_EXISTS: c('never', 'fast', false),
  NOT_FOUND: c('never', 'fast', false),
  SESSION_EXPIRED: c('always', 'instant', true),
  CANCELLED: c('never', 'fast', false),
  UNDETERMINED: c('idempotent', 'fast', false),
  UNSUPPORTED: c('never', 'fast', false),
  SESSION_BUSY: c('always', 'fast', true),
  EXTERNAL_ERROR: c('never', 'fast', false),
};

/** gRPC status codes by number (nice-grpc's ClientError `code`). */
const GRPC_CODES: Readonly<Record<number, string>> = {
  1: 'CANCELLED', 2: 'UNKNOWN', 3: 'INVALID_ARGUMENT', 4: 'DEADLINE_EXCEEDED', 5: 'NOT_FOUND', 6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED', 8: 'RESOURCE_EXHAUSTED', 9: 'FAILED_PRECONDITION', 10: 'ABORTED', 11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED', 13: 'INTERNAL', 14: 'UNAVAILABLE', 15: 'DATA_LOSS', 16: 'UNAUTHENTICATED',
};

/** YDB's gRPC table (grpc-status-codes); UNAUTHENTICATED's one re-authenticated retry is `verdict`'s. */
export const GRPC_CLASSES: Readonly<Record<string, FailureClass>> = {
  CANCELLED: c('idempotent', 'fast', true),
  UNKNOWN: c('never', 'fast', true),
  INVALID_ARGUMENT: c('never', 'fast', true),
  DEADLINE_EXCEEDED: c('idempotent', 'fast', true),
  NOT_FOUND: c('never', 'fast', true),
  ALREADY_EXISTS: c('never', 'fast', true),
  PERMISSION_DENIED: c('never', 'fast', true),
  RESOURCE_EXHAUSTED: c('always', 'slow', false),
  FAILED_PRECONDITION: c('never', 'fast', true),
  ABORTED: c('always', 'instant', true),
  OUT_OF_RANGE: c('never', 'fast', false),
  UNIMPLEMENTED: c('never', 'fast', true),
  INTERNAL: c('idempotent', 'fast', true),
  UNAVAILABLE: c('idempotent', 'fast', true),
  DATA_LOSS: c('never', 'fast', true),
  UNAUTHENTICATED: c('never', 'fast', true),
};

/**
 * A gRPC call got no answer within its own timeout (not the unit's deadline): ambiguous —
 * the statement may have been applied — and the connection is suspect (a connection that
 * died while the instance was frozen answers nothing).
 */
export class CallTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'CallTimeoutError';
  }
}

/** Anything unrecognised: not retried, and the session kept. */
const UNKNOWN_FAILURE = c('never', 'fast', false);

type GrpcError = Error & { code: number; details: string };

/** A transport-level failure (nice-grpc's ClientError: connection refused, reset, deadline). */
function isGrpcError(e: unknown): e is GrpcError {
  return e instanceof Error && typeof (e as GrpcError).code === 'number' && typeof (e as GrpcError).details === 'string';
}

/** Our own cancellation of a call (the invocation's deadline): the attempt's session is dropped. */
export function isClientAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

/** The class of a failure: a YDB status, a gRPC code, our own call timeout, or unknown. */
function classify(err: unknown): FailureClass & { readonly name: string } {
  if (err instanceof CallTimeoutError) return { ...c('idempotent', 'fast', true), name: 'call timeout' };
  if (err instanceof YDBError) {
    const name = S[err.code] ?? String(err.code);
    return { ...(YDB_STATUS_CLASSES[name] ?? UNKNOWN_FAILURE), name: name.toLowerCase() };
  }
  if (isGrpcError(err)) {
    const name = GRPC_CODES[err.code] ?? String(err.code);
    return { ...(GRPC_CLASSES[name] ?? c('never', 'fast', true)), name: `grpc ${name.toLowerCase()}` };
  }
  return { ...UNKNOWN_FAILURE, name: 'client' };
}

export type Verdict = {
  /** run the unit of work again */
  readonly retry: boolean;
  /** the session is gone or unusable: the next attempt needs a new one */
  readonly newSession: boolean;
  readonly backoff: Backoff;
  /** fetch the token again before the retry (gRPC UNAUTHENTICATED, once) */
  readonly reauth: boolean;
  /** replace the driver's channel before the retry (a call that got no answer) */
  readonly reconnect: boolean;
  readonly name: string;
};

/** What to do after a failed attempt of a unit of work that is (or is not) safe to run twice. */
export function verdict(err: unknown, idempotent: boolean): Verdict {
  const k = classify(err);
  const reauth = isGrpcError(err) && err.code === 16;
  return {
    retry: k.retry === 'always' || (k.retry === 'idempotent' && idempotent) || reauth,
    newSession: k.newSession,
    backoff: k.backoff,
    reauth,
    reconnect: err instanceof CallTimeoutError,
    name: k.name,
  };
}

/**
 * Translates anything thrown below the adapter into the pipeline's error vocabulary:
 * TransientError (the trigger may deliver again, a later invocation can succeed) for what
 * YDB calls retryable or conditionally retryable — a redelivery re-runs the whole use case,
 * which is idempotent by design — and a non-retryable PipelineError coded by the status
 * for the rest.
 */
export function translateError(err: unknown, what: string): PipelineError {
  if (err instanceof PipelineError) return err;
  const k = classify(err);
  if (err instanceof YDBError) {
    if (k.retry !== 'never') return new TransientError(`YDB ${k.name} during ${what}`, { cause: err });
    return new PipelineError(`YDB ${k.name} during ${what}: ${err.message}`, `ydb.${k.name}`, false, { cause: err });
  }
  if (isGrpcError(err)) {
    if (err.code === 16) return new PipelineError(`YDB refused the credentials during ${what}: ${err.details}`, 'ydb.unauthenticated', false, { cause: err });
    if (k.retry !== 'never') return new TransientError(`YDB transport failure (${k.name}) during ${what}: ${err.details}`, { cause: err });
    return new PipelineError(`YDB ${k.name} during ${what}: ${err.details}`, `ydb.${k.name.replace(' ', '_')}`, false, { cause: err });
  }
  if (err instanceof CallTimeoutError) return new TransientError(`YDB gave ${err.message} during ${what}`, { cause: err });
  if (isClientAbort(err)) return new TransientError(`YDB call cancelled at the invocation's deadline during ${what}`, { cause: err });
  if (err instanceof RangeError) return new PipelineError(`invalid value for YDB during ${what}: ${err.message}`, 'ydb.value', false, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new PipelineError(`YDB client failure during ${what}: ${message}`, 'ydb.client', false, { cause: err });
}

/** PRECONDITION_FAILED: an INSERT met an existing key (a racing writer got there first). */
export function isPreconditionFailed(err: unknown): boolean {
  const cause = err instanceof PipelineError ? err.cause : err;
  return cause instanceof YDBError && cause.code === S.PRECONDITION_FAILED;
}
