// Pure: Standard Webhooks signing and verification (standard-webhooks spec, "Signature
// scheme"). The signed content is `id.timestamp.body`, HMAC-SHA256 with the decoded
// `whsec_` secret, sent as `v1,<base64>`; during rotation the header lists one signature
// per secret, space-separated, so a receiver holding either secret accepts. Verification
// compares in constant time and rejects timestamps outside a tolerance in both directions.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export class WebhookSecretError extends Error {
  override readonly name = 'WebhookSecretError';
  readonly code = 'notify.bad_webhook_secret';
  readonly retryable = false;
}

/** Decodes `whsec_<base64>` (the prefix is optional, as in the reference libraries). Never echoes the input. */
export function decodeWebhookSecret(secret: string): Buffer {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new WebhookSecretError('webhook secret is not base64 after the whsec_ prefix');
  const key = Buffer.from(b64, 'base64');
  if (key.length < 16) throw new WebhookSecretError('webhook secret decodes to fewer than 16 bytes');
  return key;
}

/** The HMAC-SHA256 primitive (checked against GitHub's published vector in the tests). */
export function hmacSha256(key: Uint8Array | string, data: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** One `v1,<base64>` signature of `id.timestamp.body`. */
export function signOne(key: Uint8Array, id: string, timestampSeconds: number, body: string): string {
  return `v1,${hmacSha256(key, `${id}.${timestampSeconds}.${body}`).toString('base64')}`;
}

/** The `webhook-signature` header: one signature per secret, in the order given (current first). */
export function signatureHeader(keys: readonly Uint8Array[], id: string, timestampSeconds: number, body: string): string {
  return keys.map((k) => signOne(k, id, timestampSeconds, body)).join(' ');
}

export type WebhookHeaders = { readonly id: string; readonly timestamp: string; readonly signature: string };

export type VerifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing_header' | 'bad_timestamp' | 'timestamp_too_old' | 'timestamp_too_new' | 'no_matching_signature' };

/** Receiver-side check (used by our tests and by anyone consuming our webhooks). */
export function verifySignature(
  keys: readonly Uint8Array[],
  headers: Partial<WebhookHeaders>,
  body: string,
  nowSeconds: number,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { ok: false, reason: 'missing_header' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const ts = Number(timestamp);
  if (nowSeconds - ts > toleranceSeconds) return { ok: false, reason: 'timestamp_too_old' };
  if (ts - nowSeconds > toleranceSeconds) return { ok: false, reason: 'timestamp_too_new' };
  const offered = signature
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const key of keys) {
    const expected = hmacSha256(key, `${id}.${timestamp}.${body}`);
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) return { ok: true };
  }
  return { ok: false, reason: 'no_matching_signature' };
}
