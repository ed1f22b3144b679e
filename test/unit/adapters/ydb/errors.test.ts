// YDB's retry classes, one row per status as YDB documents them ("Status codes from the YDB
// server" and "gRPC status codes", ydb.tech/docs/en/reference/ydb-sdk/): each row fails the
// first ExecuteQuery of a unit of work with that status and asserts what the client does —
// how many attempts an idempotent and a non-idempotent unit get, whether the second attempt
// runs on a new session, whether a new token is fetched — and what the caller is told.
import { describe, expect, test } from 'vitest';
import { YdbClient } from '../../../../shared/adapters/ydb/client.ts';
import { CallTimeoutError, GRPC_CLASSES, YDB_STATUS_CLASSES, translateError, verdict } from '../../../../shared/adapters/ydb/errors.ts';
import { isRetryable } from '../../../../shared/domain/errors.ts';
import { fakeDriver, ydbError } from '../../../support/ydb-results.ts';

const fast = { backoff: { baseMs: 1, throttledBaseMs: 1, capMs: 2 }, random: () => 0.5 };

/** [status, retried when idempotent, retried when not, new session, the caller's error is retryable] */
const YDB_ROWS = [
  ['BAD_REQUEST', false, false, false, false],
  ['UNAUTHORIZED', false, false, false, false],
  ['INTERNAL_ERROR', false, false, false, false],
  ['ABORTED', true, true, false, true],
  ['UNAVAILABLE', true, true, false, true],
  ['OVERLOADED', true, true, false, true],
  ['SCHEME_ERROR', false, false, false, false],
  ['GENERIC_ERROR', false, false, false, false],
  ['TIMEOUT', false, false, false, false],
  ['BAD_SESSION', true, true, true, true],
  ['PRECONDITION_FAILED', false, false, false, false],
  ['ALREADY_EXISTS', false, false, false, false],
  ['NOT_FOUND', false, false, false, false],
  ['SESSION_EXPIRED', true, true, true, true],
  ['CANCELLED', false, false, false, false],
  ['UNDETERMINED', true, false, false, true],
  ['UNSUPPORTED', false, false, false, false],
  ['SESSION_BUSY', true, true, true, true],
  ['EXTERNAL_ERROR', false, false, false, false],
] as const;

/** [gRPC code, name, retried when idempotent, retried when not, new session, the caller's error is retryable] */
const GRPC_ROWS = [
  [1, 'CANCELLED', true, false, true, true],
  [2, 'UNKNOWN', false, false, true, false],
  [3, 'INVALID_ARGUMENT', false, false, true, false],
  [4, 'DEADLINE_EXCEEDED', true, false, true, true],
  [5, 'NOT_FOUND', false, false, true, false],
  [6, 'ALREADY_EXISTS', false, false, true, false],
  [7, 'PERMISSION_DENIED', false, false, true, false],
  [8, 'RESOURCE_EXHAUSTED', true, true, false, true],
  [9, 'FAILED_PRECONDITION', false, false, true, false],
  [10, 'ABORTED', true, true, true, true],
  [11, 'OUT_OF_RANGE', false, false, false, false],
  [12, 'UNIMPLEMENTED', false, false, true, false],
  [13, 'INTERNAL', true, false, true, true],
  [14, 'UNAVAILABLE', true, false, true, true],
  [15, 'DATA_LOSS', false, false, true, false],
] as const;

const grpcError = (code: number) => Object.assign(new Error(`${code} grpc failure`), { code, details: 'injected' });

/** One unit of work whose first ExecuteQuery fails with `failure`; what the client did. */
async function attempt(failure: Error, idempotent: boolean) {
  let first = true;
  const { driver, calls } = fakeDriver((c) => (c.rpc === 'executeQuery' && first ? ((first = false), failure) : undefined));
  const err = await new YdbClient(driver, fast).run('UPSERT 1;', {}, { what: 'a unit', idempotent }).then(() => null, (e: unknown) => e);
  const execs = calls.filter((c) => c.rpc === 'executeQuery');
  return { err, attempts: execs.length, sessions: new Set(execs.map((c) => c.sessionId)).size };
}

describe('YDB statuses', () => {
  test('the table covers every status YDB documents, and no other', () => {
    expect(Object.keys(YDB_STATUS_CLASSES).sort()).toEqual(YDB_ROWS.map((r) => r[0]).sort());
  });

  test.each(YDB_ROWS)('%s: retried if idempotent %s, if not %s, new session %s, caller told retryable %s', async (status, idem, nonIdem, newSession, transient) => {
    const a = await attempt(ydbError(status), true);
    const b = await attempt(ydbError(status), false);
    expect(a.attempts).toBe(idem ? 2 : 1);
    expect(b.attempts).toBe(nonIdem ? 2 : 1);
    if (idem) expect(a.sessions).toBe(newSession ? 2 : 1);
    expect(verdict(ydbError(status), true).newSession).toBe(newSession);
    const failed = idem ? b.err : a.err;
    if (!idem || !nonIdem) {
      expect(failed).toBeTruthy();
      expect(isRetryable(failed)).toBe(transient);
      if (!transient) expect((failed as { code: string }).code).toBe(`ydb.${status.toLowerCase()}`);
    } else {
      expect([a.err, b.err]).toEqual([null, null]);
    }
  });

  test('UNAUTHORIZED is an access refusal: no new token is fetched and nothing is retried', async () => {
    const forced: boolean[] = [];
    const { driver, calls } = fakeDriver((c) => (c.rpc === 'executeQuery' ? ydbError('UNAUTHORIZED') : undefined), { getToken: async (f) => (forced.push(f), 't') });
    const err = await new YdbClient(driver, fast).run('SELECT 1;', {}, { what: 'a read', idempotent: true }).catch((e: unknown) => e);
    expect(forced).toEqual([]);
    expect(calls.filter((c) => c.rpc === 'executeQuery')).toHaveLength(1);
    expect((err as { code: string }).code).toBe('ydb.unauthorized');
    expect(isRetryable(err)).toBe(false);
  });

  test('OVERLOADED waits the throttled backoff; BAD_SESSION retries at once', () => {
    expect(verdict(ydbError('OVERLOADED'), true).backoff).toBe('slow');
    expect(verdict(ydbError('BAD_SESSION'), true).backoff).toBe('instant');
    expect(verdict(ydbError('ABORTED'), true).backoff).toBe('fast');
  });
});

describe('gRPC codes', () => {
  test('the table covers every gRPC code YDB documents', () => {
    expect(Object.keys(GRPC_CLASSES).sort()).toEqual([...GRPC_ROWS.map((r) => r[1]), 'UNAUTHENTICATED'].sort());
  });

  test.each(GRPC_ROWS)('%i %s: retried if idempotent %s, if not %s, new session %s, caller told retryable %s', async (code, _name, idem, nonIdem, newSession, transient) => {
    const a = await attempt(grpcError(code), true);
    const b = await attempt(grpcError(code), false);
    expect(a.attempts).toBe(idem ? 2 : 1);
    expect(b.attempts).toBe(nonIdem ? 2 : 1);
    if (idem) expect(a.sessions).toBe(newSession ? 2 : 1);
    const failed = idem ? b.err : a.err;
    if (!idem || !nonIdem) expect(isRetryable(failed)).toBe(transient);
  });

  test('16 UNAUTHENTICATED (a token the server refused) fetches the token again and retries once, idempotent or not', async () => {
    for (const idempotent of [true, false]) {
      const forced: boolean[] = [];
      let refuse = 1;
      const { driver, calls } = fakeDriver((c) => (c.rpc === 'executeQuery' && refuse-- > 0 ? grpcError(16) : undefined), { getToken: async (f) => (forced.push(f), 't') });
      await new YdbClient(driver, fast).run('SELECT 1;', {}, { what: 'a read', idempotent });
      expect(forced).toEqual([true]);
      expect(calls.filter((c) => c.rpc === 'executeQuery')).toHaveLength(2);
    }
  });
});

describe("the client's own call timeout", () => {
  test('ambiguous (maybe applied): retried only for idempotent work, on a new session over a new channel; the caller may retry', () => {
    const err = new CallTimeoutError(5_000);
    expect(verdict(err, true)).toMatchObject({ retry: true, newSession: true, reconnect: true });
    expect(verdict(err, false).retry).toBe(false);
    expect(isRetryable(translateError(err, 'a read'))).toBe(true);
  });
});
