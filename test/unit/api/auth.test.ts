// Unit: API key configuration, authentication and the 401/403 decision.
import { describe, expect, test } from 'vitest';
import { ApiKeyList, authenticate, decideAccess, hashApiKey, presentedKey } from '../../../shared/api/auth.ts';
import { ROUTES, type Route } from '../../../shared/domain/routes.ts';

const KEY_A = 'alpha-key-0001';
const KEY_B = 'bravo-key-0002';
const H_A = hashApiKey(KEY_A);
const H_B = hashApiKey(KEY_B);
const route = (name: string): Route => ROUTES.find((r) => r.name === name)!;

describe('ApiKeyList', () => {
  test('parses role:hash and name:role:hash entries, lower-casing the hex', () => {
    const keys = ApiKeyList.parse(` reader:${H_A} , bi-tool:dashboard:${H_B.toUpperCase()},`);
    expect(keys).toEqual([
      { name: 'reader', role: 'reader', sha256: H_A },
      { name: 'bi-tool', role: 'dashboard', sha256: H_B },
    ]);
  });

  test('an empty value is no keys', () => {
    expect(ApiKeyList.parse('')).toEqual([]);
  });

  test.each([
    [`admin:${H_A}`, 'role'],
    ['reader:abc', 'sha256'],
    [`reader:${KEY_A}`, 'sha256'],
    [`a:b:c:${H_A}`, 'entry 1'],
  ])('%s is refused naming the problem', (text, fragment) => {
    const r = ApiKeyList.safeParse(text);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toContain(fragment);
  });

  test('the error message never repeats the entry it refuses', () => {
    const r = ApiKeyList.safeParse(`reader:${H_A},oops:${KEY_B}`);
    expect(r.success).toBe(false);
    const text = JSON.stringify(r.error!.issues);
    expect(text).toContain('entry 2');
    expect(text).not.toContain(KEY_B);
  });
});

describe('hashApiKey', () => {
  test('is the SHA-256 hex of the UTF-8 key', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('authenticate', () => {
  const keys = ApiKeyList.parse(`reader:${H_A},bi:dashboard:${H_B}`);

  test('X-API-Key identifies the key by name and role', () => {
    expect(authenticate({ 'x-api-key': KEY_B }, keys)).toEqual({ kind: 'key', name: 'bi', role: 'dashboard' });
  });

  test('Authorization: Bearer works when X-API-Key is absent', () => {
    expect(authenticate({ authorization: `Bearer ${KEY_A}` }, keys)).toEqual({ kind: 'key', name: 'reader', role: 'reader' });
    expect(authenticate({ authorization: `bearer   ${KEY_A}` }, keys).kind).toBe('key');
  });

  test('X-API-Key wins over Authorization', () => {
    expect(authenticate({ 'x-api-key': 'wrong', authorization: `Bearer ${KEY_A}` }, keys)).toEqual({ kind: 'unknown' });
  });

  test('no key, another scheme or an empty key is missing', () => {
    expect(authenticate({}, keys)).toEqual({ kind: 'missing' });
    expect(authenticate({ authorization: `Basic ${KEY_A}` }, keys)).toEqual({ kind: 'missing' });
    expect(authenticate({ 'x-api-key': '  ' }, keys)).toEqual({ kind: 'missing' });
  });

  test('an unknown key, or a stored hash presented as the key, is unknown', () => {
    expect(authenticate({ 'x-api-key': 'nope' }, keys)).toEqual({ kind: 'unknown' });
    expect(authenticate({ 'x-api-key': H_A }, keys)).toEqual({ kind: 'unknown' });
  });

  test('without configured keys every key is unknown', () => {
    expect(authenticate({ 'x-api-key': KEY_A }, [])).toEqual({ kind: 'unknown' });
  });

  test('presentedKey trims X-API-Key and takes one Bearer token', () => {
    expect(presentedKey({ 'x-api-key': ` ${KEY_A} ` })).toBe(KEY_A);
    expect(presentedKey({ authorization: 'Bearer a b' })).toBeNull();
  });
});

describe('decideAccess', () => {
  test('a public route needs no key', () => {
    expect(decideAccess(route('dashboard_page'), { kind: 'missing' })).toEqual({ kind: 'allow' });
  });

  test('missing and unknown keys are unauthenticated (401)', () => {
    expect(decideAccess(route('periods'), { kind: 'missing' })).toEqual({ kind: 'unauthenticated', reason: 'missing' });
    expect(decideAccess(route('periods'), { kind: 'unknown' })).toEqual({ kind: 'unauthenticated', reason: 'unknown' });
  });

  test('a dashboard key is forbidden (403) on alerts, allowed on periods and uploads', () => {
    const p = { kind: 'key', name: 'bi', role: 'dashboard' } as const;
    expect(decideAccess(route('uploads'), p)).toEqual({ kind: 'allow' });
    expect(decideAccess(route('alerts'), p)).toEqual({ kind: 'forbidden', role: 'dashboard' });
    expect(decideAccess(route('period'), p)).toEqual({ kind: 'allow' });
  });

  test('a reader key may call every read route, and only an uploader key asks for an upload form', () => {
    for (const r of ROUTES.filter((x) => x.method === 'GET')) expect(decideAccess(r, { kind: 'key', name: 'r', role: 'reader' })).toEqual({ kind: 'allow' });
    const create = ROUTES.find((x) => x.name === 'upload_create')!;
    expect(decideAccess(create, { kind: 'key', name: 'r', role: 'reader' })).toEqual({ kind: 'forbidden', role: 'reader' });
    expect(decideAccess(create, { kind: 'key', name: 'u', role: 'uploader', scope: { region: '26', municipality: null } })).toEqual({ kind: 'allow' });
  });
});
