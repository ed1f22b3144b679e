// Pure: SSRF address classification for outgoing notification URLs. Webhook and API base
// URLs come from configuration, so a typo or a hostile entry could aim our POST at the
// metadata service (169.254.169.254 hands out the function's IAM token) or at something on
// the private network. These functions decide from an address literal alone; the HTTP
// adapter applies them to the URL at config time and to every DNS answer at connect time.

export const AddressKind = {
  Public: 'public',
  Loopback: 'loopback',
  Private: 'private',
  LinkLocal: 'link_local',
  Unspecified: 'unspecified',
  Multicast: 'multicast',
  Reserved: 'reserved',
} as const;
export type AddressKind = (typeof AddressKind)[keyof typeof AddressKind];

export type AddressPolicy = {
  /** local runs and tests talk to 127.0.0.1; off in the cloud */
  readonly allowLoopback: boolean;
};

/** Only public unicast is allowed; loopback only when the policy says so. */
export function isAddressAllowed(kind: AddressKind, policy: AddressPolicy): boolean {
  return kind === AddressKind.Public || (kind === AddressKind.Loopback && policy.allowLoopback);
}

/**
 * Parses an IPv4 literal in any form `inet_aton` accepts (what a resolver or a browser
 * would connect to): dotted quads, and the shortened, decimal, octal and hex forms such as
 * `2852039166`, `0xa9fea9fe`, `127.1`. Returns the 32-bit value, or null if not IPv4.
 */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = parseInt(p, 8);
    else if (/^(0|[1-9][0-9]*)$/.test(p)) n = Number(p);
    else return null;
    if (!Number.isFinite(n)) return null;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255)) return null;
  const lastMax = 2 ** (8 * (4 - nums.length)) - 1;
  if (last > lastMax) return null;
  let value = 0;
  for (const [i, n] of nums.entries()) value += n * 2 ** (8 * (3 - i));
  return value + last;
}

/** Parses an IPv6 literal (brackets, zone id and an embedded dotted IPv4 tail allowed) into 8 groups. */
export function parseIpv6(text: string): number[] | null {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return null;
  const lastColon = s.lastIndexOf(':');
  const maybeV4 = s.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // an embedded dotted IPv4 tail becomes two hex groups, then parses like the rest
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(maybeV4)) return null;
    const v4 = parseIpv4(maybeV4);
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const toGroups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = toGroups(halves[0]!);
  const rest = halves.length === 2 ? toGroups(halves[1]!) : [];
  if (!head || !rest) return null;
  const known = head.length + rest.length;
  if (halves.length === 1 && known !== 8) return null;
  if (halves.length === 2 && known > 7) return null;
  const zeros = halves.length === 2 ? new Array<number>(8 - known).fill(0) : [];
  return [...head, ...zeros, ...rest];
}

function inV4(v: number, base: string, bits: number): boolean {
  const b = parseIpv4(base)!;
  const size = 2 ** (32 - bits);
  return Math.floor(v / size) === Math.floor(b / size);
}

/** Classifies a 32-bit IPv4 value by the IANA special-purpose registry. */
export function classifyIpv4(v: number): AddressKind {
  if (inV4(v, '0.0.0.0', 8)) return AddressKind.Unspecified;
  if (inV4(v, '127.0.0.0', 8)) return AddressKind.Loopback;
  if (inV4(v, '169.254.0.0', 16)) return AddressKind.LinkLocal;
  if (inV4(v, '10.0.0.0', 8) || inV4(v, '172.16.0.0', 12) || inV4(v, '192.168.0.0', 16) || inV4(v, '100.64.0.0', 10)) {
    return AddressKind.Private;
  }
  if (inV4(v, '224.0.0.0', 4)) return AddressKind.Multicast;
  if (
    inV4(v, '240.0.0.0', 4) || // reserved and 255.255.255.255 broadcast
    inV4(v, '192.0.0.0', 24) ||
    inV4(v, '192.0.2.0', 24) ||
    inV4(v, '198.18.0.0', 15) ||
    inV4(v, '198.51.100.0', 24) ||
    inV4(v, '203.0.113.0', 24)
  ) {
    return AddressKind.Reserved;
  }
  return AddressKind.Public;
}

/** Classifies 8 IPv6 groups; IPv4-mapped, NAT64 and 6to4 forms are judged by the IPv4 inside. */
export function classifyIpv6(g: readonly number[]): AddressKind {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, h7 = 0, h8 = 0] = g;
  const embedded = h7 * 65536 + h8;
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return AddressKind.Unspecified;
  if (zeroUpTo(7) && h8 === 1) return AddressKind.Loopback;
  if (zeroUpTo(5) && f === 0xffff) return classifyIpv4(embedded); // ::ffff:a.b.c.d
  if (zeroUpTo(4) && e === 0xffff && f === 0) return classifyIpv4(embedded); // ::ffff:0:a.b.c.d (SIIT)
  if (zeroUpTo(6)) return AddressKind.Reserved; // deprecated IPv4-compatible ::a.b.c.d
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) return classifyIpv4(embedded); // NAT64
  if (a === 0x2002) return classifyIpv4(b * 65536 + c); // 6to4 carries the IPv4 in groups 2-3
  if ((a & 0xfe00) === 0xfc00) return AddressKind.Private; // unique local fc00::/7
  if ((a & 0xffc0) === 0xfe80) return AddressKind.LinkLocal;
  if ((a & 0xffc0) === 0xfec0) return AddressKind.Private; // deprecated site-local
  if ((a & 0xff00) === 0xff00) return AddressKind.Multicast;
  if (a === 0x2001 && b === 0x0db8) return AddressKind.Reserved; // documentation
  if (a === 0x0100 && b === 0 && c === 0 && d === 0) return AddressKind.Reserved; // discard-only
  return AddressKind.Public;
}

/** Classifies an address literal; null when the text is not an IP address (a host name). */
export function classifyAddress(text: string): AddressKind | null {
  const v6 = parseIpv6(text);
  if (v6) return classifyIpv6(v6);
  const v4 = parseIpv4(text);
  return v4 === null ? null : classifyIpv4(v4);
}

export type UrlCheck =
  | { readonly ok: true; readonly url: URL; readonly literal: AddressKind | null }
  | { readonly ok: false; readonly reason: 'invalid_url' | 'scheme' | 'blocked_address' | 'blocked_host'; readonly kind?: AddressKind };

/**
 * Config-time check of a URL we will POST to: http(s) only, no blocked literal address,
 * no `localhost` names. Host names are re-checked after DNS at connect time, because a
 * public name may resolve to a private address (or change after this check).
 */
export function checkOutboundUrl(text: string, policy: AddressPolicy): UrlCheck {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'invalid_url' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'scheme' };
  // WHATWG URL already canonicalises `2852039166`, `0x7f.1` and `[::ffff:…]` hosts.
  const host = url.hostname;
  const kind = classifyAddress(host);
  if (kind !== null) return isAddressAllowed(kind, policy) ? { ok: true, url, literal: kind } : { ok: false, reason: 'blocked_address', kind };
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) {
    return policy.allowLoopback ? { ok: true, url, literal: null } : { ok: false, reason: 'blocked_host', kind: AddressKind.Loopback };
  }
  return { ok: true, url, literal: null };
}
