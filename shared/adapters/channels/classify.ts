// Pure: what one delivery attempt's result means for the outbox. Standard Webhooks and
// Alertmanager agree on the shape: 2xx is delivered; 5xx, 408, 429 and network failures
// are retried (honouring Retry-After); 410 Gone disables the endpoint; any other 4xx is a
// permanent refusal, dead at once. A 3xx is a failure (we never follow redirects: the
// target could be the metadata service) but retryable, since the owner may fix the URL.
// Error texts here are codes, never URLs or response bodies.
import type { SendOutcome } from '../../ports/channel.ts';

export function classifyStatus(status: number, retryAfterMs: number | null): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const error = `http.${status}`;
  if (status === 410) return { kind: 'disabled', error };
  if (status === 408 || status === 429 || status >= 500 || (status >= 300 && status < 400)) {
    return { kind: 'retry', error, retryAfterMs };
  }
  if (status >= 400 && status < 500) return { kind: 'dead', error };
  // 1xx or nonsense: treat as a transient protocol failure
  return { kind: 'retry', error, retryAfterMs: null };
}

/**
 * VK API answers HTTP 200 with `{ error: { error_code } }` on failure. Rate limits
 * (6, 9, 29), internal errors (1, 10) and "server unavailable" retry; auth, permission and
 * bad-parameter errors are permanent.
 */
export function classifyVkError(code: number): SendOutcome {
  const error = `vk.${code}`;
  if ([1, 6, 9, 10, 29].includes(code)) return { kind: 'retry', error, retryAfterMs: code === 9 || code === 29 ? 60_000 : null };
  return { kind: 'dead', error };
}
