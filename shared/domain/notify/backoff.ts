// Pure: when to try a failed delivery again. Full jitter (AWS backoff simulator:
// `uniform(0, min(cap, base * 2^n))`) spreads retries of many deliveries that failed
// together; a receiver's `Retry-After` is a floor, never shortened by the jitter. The
// random source is injected so tests compute the exact delay.
export type BackoffPolicy = {
  readonly baseMs: number;
  readonly capMs: number;
  readonly maxAttempts: number;
  /** after this long since the delivery was created it is dead, whatever the attempt count */
  readonly maxAgeMs: number;
};

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 10_000,
  capMs: 6 * 3_600_000,
  maxAttempts: 12,
  maxAgeMs: 72 * 3_600_000,
};

/** Upper bound of the jitter after failed attempt `attempt` (1-based): min(cap, base * 2^(attempt-1)). */
export function backoffCeilingMs(attempt: number, policy: BackoffPolicy): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Full-jitter delay after failed attempt `attempt`; `random` returns a number in [0, 1). */
export function fullJitterMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  return Math.floor(random() * backoffCeilingMs(attempt, policy));
}

export type NextStep = { readonly kind: 'retry'; readonly atMs: number } | { readonly kind: 'dead'; readonly reason: 'max_attempts' | 'max_age' };

/** Decides between another attempt and the dead state after a retryable failure. */
export function nextAttempt(
  input: { readonly attempt: number; readonly nowMs: number; readonly createdAtMs: number; readonly retryAfterMs: number | null },
  policy: BackoffPolicy,
  random: () => number,
): NextStep {
  if (input.attempt >= policy.maxAttempts) return { kind: 'dead', reason: 'max_attempts' };
  const delay = Math.max(fullJitterMs(input.attempt, policy, random), input.retryAfterMs ?? 0);
  const atMs = input.nowMs + delay;
  if (atMs - input.createdAtMs > policy.maxAgeMs) return { kind: 'dead', reason: 'max_age' };
  return { kind: 'retry', atMs };
}

/** `Retry-After` as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value == null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
