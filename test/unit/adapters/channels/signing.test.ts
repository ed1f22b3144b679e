// Webhook signing: signature vectors, tamper, skew and rotation.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { decodeWebhookSecret, hmacSha256, signatureHeader, signOne, verifySignature } from '../../../../shared/adapters/channels/signing.ts';

// The Standard Webhooks specification's published vector (also used by its libraries' tests).
const SW = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  ts: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('webhook signing', () => {
  test('HMAC primitive reproduces the GitHub vector', () => {
    expect(hmacSha256("It's a Secret to Everybody", 'Hello, World!').toString('hex')).toBe(
      '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  test('signOne reproduces the Standard Webhooks vector', () => {
    expect(signOne(decodeWebhookSecret(SW.secret), SW.id, SW.ts, SW.body)).toBe(SW.signature);
  });

  test('the verifier accepts the vector within tolerance', () => {
    const key = decodeWebhookSecret(SW.secret);
    const headers = { id: SW.id, timestamp: String(SW.ts), signature: SW.signature };
    expect(verifySignature([key], headers, SW.body, SW.ts + 300)).toEqual({ ok: true });
    expect(verifySignature([key], headers, SW.body, SW.ts - 300)).toEqual({ ok: true });
  });

  test('flipping one byte of id, timestamp or body fails verification', () => {
    const key = decodeWebhookSecret(SW.secret);
    const ok = { id: SW.id, timestamp: String(SW.ts), signature: SW.signature };
    expect(verifySignature([key], { ...ok, id: 'msg_p5jXN8AQM9LWM0D4loKWxJeK' }, SW.body, SW.ts).ok).toBe(false);
    expect(verifySignature([key], { ...ok, timestamp: String(SW.ts + 1) }, SW.body, SW.ts).ok).toBe(false);
    expect(verifySignature([key], ok, '{"test": 2432232315}', SW.ts).ok).toBe(false);
  });

  test('a timestamp 301 s off is rejected in both directions', () => {
    const key = decodeWebhookSecret(SW.secret);
    const headers = { id: SW.id, timestamp: String(SW.ts), signature: SW.signature };
    expect(verifySignature([key], headers, SW.body, SW.ts + 301)).toEqual({ ok: false, reason: 'timestamp_too_old' });
    expect(verifySignature([key], headers, SW.body, SW.ts - 301)).toEqual({ ok: false, reason: 'timestamp_too_new' });
  });

  test('missing headers and a signature without the v1 prefix are rejected', () => {
    const key = decodeWebhookSecret(SW.secret);
    expect(verifySignature([key], { id: SW.id, timestamp: String(SW.ts) }, SW.body, SW.ts)).toEqual({ ok: false, reason: 'missing_header' });
    expect(verifySignature([key], { id: SW.id, timestamp: String(SW.ts), signature: SW.signature.slice(3) }, SW.body, SW.ts).ok).toBe(false);
  });

  test('during rotation the header carries two signatures and either secret verifies', () => {
    const current = randomBytes(32);
    const previous = randomBytes(32);
    const header = signatureHeader([current, previous], 'dlv_1', 1700000000, '{}');
    const parts = header.split(' ');
    expect(parts).toEqual([
      `v1,${createHmac('sha256', current).update('dlv_1.1700000000.{}').digest('base64')}`,
      `v1,${createHmac('sha256', previous).update('dlv_1.1700000000.{}').digest('base64')}`,
    ]);
    const h = { id: 'dlv_1', timestamp: '1700000000', signature: header };
    expect(verifySignature([current], h, '{}', 1700000000).ok).toBe(true);
    expect(verifySignature([previous], h, '{}', 1700000000).ok).toBe(true);
    expect(verifySignature([randomBytes(32)], h, '{}', 1700000000).ok).toBe(false);
  });

  test('a secret that is not base64 is refused without echoing it', () => {
    expect(() => decodeWebhookSecret('whsec_not base64!')).toThrow(/not base64/);
    try {
      decodeWebhookSecret('whsec_not base64!');
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('not base64!');
    }
  });
});
