// The metadata-service token the YDB driver sends, against a metadata endpoint on
// 127.0.0.1 that issues short-lived tokens (as Yandex's does, GCE-style): the token is
// fetched once, reused while fresh, fetched again BEFORE it expires (a warm instance
// outlives many tokens), kept through a failed refresh while still valid, and fetched
// again at once when forced (the client does that after UNAUTHENTICATED).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { credentialsFrom, credentialsProvider } from '../../../../shared/adapters/ydb/credentials.ts';
import { MetadataToken } from '../../../../shared/adapters/metadata-token.ts';
import { TransientError } from '../../../../shared/domain/errors.ts';

let server: Server;
let url = '';
let issued = 0;
let failing = false;
const LIFETIME_S = 1;
const headers: (string | undefined)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    headers.push(req.headers['metadata-flavor'] as string | undefined);
    if (failing) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `t${++issued}`, expires_in: LIFETIME_S, token_type: 'Bearer' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/computeMetadata/v1/instance/service-accounts/default/token`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('metadata-service credentials', () => {
  test('a short-lived token is reused while fresh and replaced before it expires', async () => {
    issued = 0;
    const provider = credentialsProvider({ kind: 'metadata', endpoint: url });
    const started = Date.now();
    expect(await provider.getToken(false)).toBe('t1');
    expect(await provider.getToken(false)).toBe('t1');
    expect(issued).toBe(1);
    // 85% into the token's one-second life: still valid, but due for renewal
    await sleep(started + 850 - Date.now());
    expect(await provider.getToken(false)).toBe('t2');
    expect(Date.now() - started).toBeLessThan(LIFETIME_S * 1000);
    expect(headers.every((h) => h === 'Google')).toBe(true);
  });

  test('a failed refresh keeps the still-valid token; an expired one is not served', async () => {
    issued = 0;
    const provider = credentialsProvider({ kind: 'metadata', endpoint: url });
    const started = Date.now();
    expect(await provider.getToken(false)).toBe('t1');
    failing = true;
    try {
      await sleep(started + 850 - Date.now());
      expect(await provider.getToken(false)).toBe('t1');
      await sleep(started + 1100 - Date.now());
      await expect(provider.getToken(false)).rejects.toThrow(/metadata service/);
    } finally {
      failing = false;
    }
  });

  test('a forced fetch replaces even a fresh token', async () => {
    issued = 0;
    const provider = credentialsProvider({ kind: 'metadata', endpoint: url });
    expect(await provider.getToken(false)).toBe('t1');
    expect(await provider.getToken(true)).toBe('t2');
  });

  test('the environment picks anonymous, a fixed token, or the metadata service', () => {
    expect(credentialsFrom({ YDB_ANONYMOUS_CREDENTIALS: '1' })).toEqual({ kind: 'anonymous' });
    expect(credentialsFrom({ YDB_ACCESS_TOKEN_CREDENTIALS: 'x' })).toEqual({ kind: 'token', token: 'x' });
    expect(credentialsFrom({ YDB_METADATA_CREDENTIALS_ENDPOINT: url })).toEqual({ kind: 'metadata', endpoint: url });
  });
});

describe('the metadata fetch has a timeout of its own (issue 22)', () => {
  let silent: Server;
  let silentUrl = '';
  let answerAfterMs: number | null = null;
  beforeAll(async () => {
    // answers after answerAfterMs, or never (a metadata service that does not answer)
    silent = createServer((_req, res) => {
      if (answerAfterMs === null) return;
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'late', expires_in: 3600 })), answerAfterMs);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}/token`;
  });
  afterAll(() => {
    silent.closeAllConnections();
    return new Promise<void>((r) => silent.close(() => r()));
  });

  test("a caller whose signal never ends (the AttachSession stream's) still gets an answer: a TransientError at the fetch's timeout", async () => {
    answerAfterMs = null;
    const token = new MetadataToken(silentUrl, Date.now, 200);
    const lifelong = new AbortController().signal;
    const started = Date.now();
    const err = await token.get(false, lifelong).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/did not answer within 200 ms/);
  });

  test("the first caller's cancelled wait does not cancel the shared fetch for the others", async () => {
    answerAfterMs = 150;
    const token = new MetadataToken(silentUrl, Date.now, 1_000);
    const first = token.get(false, AbortSignal.timeout(20));
    const second = token.get(false);
    await expect(first).rejects.toThrow();
    expect(await second).toBe('late');
  });
});
