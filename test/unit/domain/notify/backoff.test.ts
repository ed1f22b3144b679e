import { describe, expect, test } from 'vitest';
import { backoffCeilingMs, fullJitterMs, nextAttempt, parseRetryAfter } from '../../../../shared/domain/notify/backoff.ts';
import { classifyStatus, classifyVkError } from '../../../../shared/adapters/channels/classify.ts';

const policy = { baseMs: 1000, capMs: 10_000, maxAttempts: 5, maxAgeMs: 3_600_000 };

describe('backoff', () => {
  test('the ceiling doubles per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffCeilingMs(n, policy))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  test('full jitter spans [0, ceiling)', () => {
    expect(fullJitterMs(3, policy, () => 0)).toBe(0);
    expect(fullJitterMs(3, policy, () => 0.5)).toBe(2000);
    expect(fullJitterMs(3, policy, () => 0.999999)).toBe(3999);
  });

  test('Retry-After is a floor the jitter never shortens', () => {
    const r = nextAttempt({ attempt: 1, nowMs: 50_000, createdAtMs: 0, retryAfterMs: 120_000 }, policy, () => 0.9);
    expect(r).toEqual({ kind: 'retry', atMs: 170_000 });
    const j = nextAttempt({ attempt: 4, nowMs: 50_000, createdAtMs: 0, retryAfterMs: 10 }, policy, () => 0.5);
    expect(j).toEqual({ kind: 'retry', atMs: 54_000 });
  });

  test('dead after the attempt cap, and when the next try would pass the maximum age', () => {
    expect(nextAttempt({ attempt: 5, nowMs: 0, createdAtMs: 0, retryAfterMs: null }, policy, () => 0)).toEqual({ kind: 'dead', reason: 'max_attempts' });
    expect(nextAttempt({ attempt: 2, nowMs: 3_599_000, createdAtMs: 0, retryAfterMs: 2000 }, policy, () => 0)).toEqual({ kind: 'dead', reason: 'max_age' });
  });

  test('parseRetryAfter reads seconds and HTTP dates', () => {
    const now = Date.UTC(2024, 0, 1, 0, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe('classifyStatus', () => {
  test.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [302, 'retry'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [410, 'disabled'],
    [400, 'dead'],
    [401, 'dead'],
    [404, 'dead'],
  ])('%i → %s', (status, kind) => {
    expect(classifyStatus(status, null).kind).toBe(kind);
  });

  test('keeps the Retry-After hint on retryable answers', () => {
    expect(classifyStatus(429, 30_000)).toEqual({ kind: 'retry', error: 'http.429', retryAfterMs: 30_000 });
  });

  test('VK rate limits retry, auth and permission errors are dead', () => {
    expect(classifyVkError(6).kind).toBe('retry');
    expect(classifyVkError(9)).toEqual({ kind: 'retry', error: 'vk.9', retryAfterMs: 60_000 });
    expect(classifyVkError(5)).toEqual({ kind: 'dead', error: 'vk.5' });
    expect(classifyVkError(901).kind).toBe('dead');
  });
});
