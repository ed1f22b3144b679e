import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../../../shared/domain/errors.ts';
import { loadNotifyConfig, parseNotifyConfig } from '../../../../shared/domain/notify/config.ts';
import { route } from '../../../../shared/domain/notify/route.ts';
import { breach, MUNI } from '../../../support/builders.ts';

const webhook = (id: string, extra: object = {}) => ({ kind: 'webhook', id, url: 'https://hooks.example.ru/h', secrets: [{ env: 'HOOK_SECRET' }], ...extra });

describe('parseNotifyConfig', () => {
  test('an empty config has defaults and no channels', () => {
    const cfg = parseNotifyConfig({});
    expect(cfg.channels).toEqual([]);
    expect(cfg.routes).toEqual([]);
    expect(cfg.grouping.windowMs).toBe(300_000);
    expect(cfg.allowLoopback).toBe(false);
    expect(cfg.allowHttp).toBe(false);
  });

  test('refuses blocked URLs at config time without echoing them', () => {
    const raw = { channels: [webhook('a', { url: 'http://169.254.169.254/latest?token=SEKRET' })] };
    expect(() => parseNotifyConfig(raw)).toThrow(ConfigError);
    try {
      parseNotifyConfig(raw);
    } catch (e) {
      expect((e as Error).message).toMatch(/channels\.0\.url: refused URL: blocked_address \(link_local\)/);
      expect((e as Error).message).not.toContain('SEKRET');
      expect((e as Error).message).not.toContain('169.254');
    }
  });

  test('refuses an http:// channel URL (signed school data in clear) unless a local run allows it', () => {
    const plain = { channels: [webhook('a', { url: 'http://hooks.example.ru/h?token=SEKRET' })] };
    expect(() => parseNotifyConfig(plain)).toThrow(/channels\.0\.url: refused URL: http \(use https/);
    expect(() => parseNotifyConfig({ channels: [{ kind: 'vk', id: 'v', peerId: 1, token: { env: 'T' }, baseUrl: 'http://api.vk.com' }] })).toThrow(/channels\.0\.baseUrl: refused URL: http/);
    expect(parseNotifyConfig(plain, { allowHttp: true }).channels[0]).toMatchObject({ url: 'http://hooks.example.ru/h?token=SEKRET' });
    expect(parseNotifyConfig({ ...plain, allowHttp: true }).allowHttp).toBe(true);
    // the running configuration leaves that channel out, naming it, and keeps the others
    const loaded = loadNotifyConfig({ channels: [...plain.channels, webhook('b')], routes: [{ region: '26', channels: ['a', 'b'] }] });
    expect(loaded.config.channels.map((c) => c.id)).toEqual(['b']);
    expect(loaded.disabled).toEqual([{ id: 'a', reasons: [expect.stringMatching(/^url: refused URL: http/)] }]);
    expect(JSON.stringify(loaded.disabled)).not.toContain('SEKRET');
    expect(loadNotifyConfig(plain, { allowHttp: true }).disabled).toEqual([]);
  });

  test('refuses a loopback API base URL unless loopback is allowed', () => {
    expect(() => parseNotifyConfig({ apiBaseUrl: 'http://127.0.0.1:8080' })).toThrow(/apiBaseUrl: refused URL/);
    expect(parseNotifyConfig({ apiBaseUrl: 'http://127.0.0.1:8080' }, { allowLoopback: true }).apiBaseUrl).toBe('http://127.0.0.1:8080');
  });

  test('refuses unknown channel ids in routes, duplicate ids and a literal secret', () => {
    expect(() => parseNotifyConfig({ channels: [webhook('a')], routes: [{ region: '26', channels: ['b'] }] })).toThrow(/unknown channel b/);
    expect(() => parseNotifyConfig({ channels: [webhook('a'), webhook('a')] })).toThrow(/duplicate channel id a/);
    expect(() => parseNotifyConfig({ channels: [webhook('a', { secrets: ['whsec_inline'] })] })).toThrow(ConfigError);
  });
});

describe('route', () => {
  const cfg = parseNotifyConfig({
    channels: [
      webhook('region-hook'),
      webhook('muni-hook'),
      webhook('only-breaches', { types: ['breach_opened'] }),
      { kind: 'vk', id: 'vk-chat', peerId: 2000000001, token: { env: 'VK_TOKEN' } },
    ],
    routes: [
      { region: '26', channels: ['region-hook', 'only-breaches'] },
      { region: '26', municipality: MUNI.id, channels: ['muni-hook', 'vk-chat', 'region-hook'] },
    ],
  });

  test('a region channel gets region and municipality events', () => {
    expect(route(breach(), cfg)).toEqual(['region-hook', 'only-breaches']);
    expect(route(breach({ municipality: { id: 'm_other', name: 'Другой' } }), cfg)).toEqual(['region-hook', 'only-breaches']);
  });

  test('a municipality route adds its channels only for that municipality, without duplicates', () => {
    expect(route(breach({ municipality: MUNI }), cfg)).toEqual(['region-hook', 'only-breaches', 'muni-hook', 'vk-chat']);
  });

  test('type filters drop channels that do not take the event type', () => {
    expect(route(breach({ type: 'breach_resolved', municipality: MUNI }), cfg)).toEqual(['region-hook', 'muni-hook', 'vk-chat']);
  });

  test('an event of an unrouted region goes to the default log channel', () => {
    expect(route(breach({ region: '77' }), cfg)).toEqual(['log']);
  });

  test('with nothing configured every event goes to the default log channel', () => {
    expect(route(breach({ municipality: MUNI }), parseNotifyConfig({}))).toEqual(['log']);
  });
});
