import { describe, expect, test } from 'vitest';
import { checkOutboundUrl, classifyAddress, parseIpv4, parseIpv6 } from '../../../../shared/domain/notify/ssrf.ts';

describe('classifyAddress', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['169.254.169.254', 'link_local'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['::ffff:a9fe:a9fe', 'link_local'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link_local'],
    ['2002:a9fe:a9fe::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd00::1', 'private'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['93.158.134.3', 'public'],
    ['2a02:6b8::2:242', 'public'],
  ])('%s is %s', (addr, kind) => {
    expect(classifyAddress(addr)).toBe(kind);
  });

  test('a host name is not an address', () => {
    expect(classifyAddress('hooks.example.ru')).toBeNull();
  });
});

describe('parseIpv4', () => {
  test('decimal, hex, octal and short forms of 169.254.169.254 and 127.0.0.1', () => {
    const metadata = 169 * 2 ** 24 + 254 * 2 ** 16 + 169 * 2 ** 8 + 254;
    expect(parseIpv4('2852039166')).toBe(metadata);
    expect(parseIpv4('0xa9fea9fe')).toBe(metadata);
    expect(parseIpv4('0251.0376.0251.0376')).toBe(metadata);
    expect(parseIpv4('127.1')).toBe(2130706433);
    expect(parseIpv4('256.1.1.1')).toBeNull();
    expect(parseIpv4('1.2.3.4.5')).toBeNull();
  });
});

describe('parseIpv6', () => {
  test('expands :: and an embedded IPv4 tail', () => {
    expect(parseIpv6('::ffff:169.254.169.254')).toEqual([0, 0, 0, 0, 0, 0xffff, 0xa9fe, 0xa9fe]);
    expect(parseIpv6('2001:db8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('1::2::3')).toBeNull();
    expect(parseIpv6('1:2:3')).toBeNull();
  });
});

describe('checkOutboundUrl', () => {
  const off = { allowLoopback: false };
  test.each([
    'http://127.0.0.1/hook',
    'http://localhost:8080/',
    'http://api.localhost/',
    'http://[::1]/',
    'http://169.254.169.254/computeMetadata/v1/',
    'http://[::ffff:169.254.169.254]/',
    'http://2852039166/',
    'http://0x7f.1/',
    'http://0.0.0.0/',
    'http://10.0.0.1/',
    'ftp://hooks.example.ru/',
    'file:///etc/passwd',
    'not a url',
  ])('refuses %s', (url) => {
    expect(checkOutboundUrl(url, off).ok).toBe(false);
  });

  test('accepts a public https host name and a public literal', () => {
    expect(checkOutboundUrl('https://hooks.example.ru/x?token=abc', off).ok).toBe(true);
    expect(checkOutboundUrl('http://93.158.134.3/', off).ok).toBe(true);
  });

  test('allowLoopback admits loopback but still refuses metadata, private and unspecified', () => {
    const on = { allowLoopback: true };
    expect(checkOutboundUrl('http://127.0.0.1:9/', on).ok).toBe(true);
    expect(checkOutboundUrl('http://[::1]:9/', on).ok).toBe(true);
    expect(checkOutboundUrl('http://localhost:9/', on).ok).toBe(true);
    expect(checkOutboundUrl('http://169.254.169.254/', on).ok).toBe(false);
    expect(checkOutboundUrl('http://10.1.2.3/', on).ok).toBe(false);
    expect(checkOutboundUrl('http://0.0.0.0/', on).ok).toBe(false);
  });
});
