import ipaddr from 'ipaddr.js';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

export type AddressVerdict =
  | { blocked: false; address: string }
  | { blocked: true; address: string; range: string; cidr: string };

interface NamedRange<T extends IpAddress> {
  name: string;
  cidr: string;
  range: [T, number];
}

function ranges<T extends IpAddress>(
  parse: (cidr: string) => [T, number],
  table: Array<[string, string]>,
): NamedRange<T>[] {
  return table.map(([cidr, name]) => ({ name, cidr, range: parse(cidr) }));
}

/**
 * IPv4 ranges a request must not reach. Listed explicitly (not only via ipaddr's `range()`)
 * so a reviewer can read the policy here; `range()` is consulted afterwards as a backstop.
 * Order matters where ranges nest: the first match names the range.
 */
const BLOCKED_V4 = ranges(
  (c) => ipaddr.IPv4.parseCIDR(c),
  [
    ['0.0.0.0/8', 'unspecified'],
    ['10.0.0.0/8', 'private'],
    ['100.64.0.0/10', 'carrier-grade NAT'],
    ['127.0.0.0/8', 'loopback'],
    ['169.254.0.0/16', 'link-local'], // includes the cloud metadata service 169.254.169.254
    ['172.16.0.0/12', 'private'],
    ['192.0.0.0/24', 'reserved'],
    ['192.0.2.0/24', 'documentation'],
    ['192.88.99.0/24', 'reserved'],
    ['192.168.0.0/16', 'private'],
    ['198.18.0.0/15', 'benchmarking'],
    ['198.51.100.0/24', 'documentation'],
    ['203.0.113.0/24', 'documentation'],
    ['224.0.0.0/4', 'multicast'],
    ['255.255.255.255/32', 'broadcast'],
    ['240.0.0.0/4', 'reserved'],
  ],
);

const BLOCKED_V6 = ranges(
  (c) => ipaddr.IPv6.parseCIDR(c),
  [
    ['::/128', 'unspecified'],
    ['::1/128', 'loopback'],
    // Deprecated IPv4-compatible addresses (::a.b.c.d): no legitimate use, some stacks route them to IPv4.
    ['::/96', 'IPv4-compatible IPv6'],
    ['64:ff9b:1::/48', 'local-use NAT64'],
    ['100::/64', 'discard'],
    ['2001:db8::/32', 'documentation'],
    ['2001:2::/48', 'benchmarking'],
    ['fc00::/7', 'unique-local (private)'],
    ['fe80::/10', 'link-local'],
    ['fec0::/10', 'site-local'],
    ['ff00::/8', 'multicast'],
  ],
);

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/** IPv6 ranges that carry an IPv4 address inside; the embedded address decides. */
const EMBEDDING_V6: Array<{ name: string; range: [ipaddr.IPv6, number]; extract: (parts: number[]) => ipaddr.IPv4[] }> =
  [
    { name: 'IPv4-mapped', range: ipaddr.IPv6.parseCIDR('::ffff:0:0/96'), extract: (p) => [v4(p[6], p[7])] },
    { name: 'IPv4-translated', range: ipaddr.IPv6.parseCIDR('::ffff:0:0:0/96'), extract: (p) => [v4(p[6], p[7])] },
    { name: 'NAT64', range: ipaddr.IPv6.parseCIDR('64:ff9b::/96'), extract: (p) => [v4(p[6], p[7])] },
    { name: '6to4', range: ipaddr.IPv6.parseCIDR('2002::/16'), extract: (p) => [v4(p[1], p[2])] },
    // Teredo: server address in clear, client address XOR-obfuscated in the last 32 bits.
    {
      name: 'Teredo',
      range: ipaddr.IPv6.parseCIDR('2001::/32'),
      extract: (p) => [v4(p[2], p[3]), v4((p[6] ?? 0) ^ 0xffff, (p[7] ?? 0) ^ 0xffff)],
    },
  ];

function v4(high: number | undefined, low: number | undefined): ipaddr.IPv4 {
  const h = high ?? 0;
  const l = low ?? 0;
  return new ipaddr.IPv4([h >> 8, h & 0xff, l >> 8, l & 0xff]);
}

/**
 * Parses an IP literal in any spelling the OS would accept: dotted, octal (`0177.0.0.1`),
 * hex (`0x7f000001`), a single number (`2130706433`), short forms (`127.1`), IPv6 with or
 * without brackets. Returns undefined for anything that is not an IP literal (a host name).
 */
export function parseIpLiteral(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (ipaddr.IPv6.isValid(bare)) return ipaddr.IPv6.parse(canonicalV6(bare));
  if (ipaddr.IPv4.isValid(bare)) return ipaddr.IPv4.parse(bare);
  return undefined;
}

/**
 * ipaddr.js reads `::127.0.0.1` as IPv4-mapped (`::ffff:7f00:1`); the URL parser and the OS read
 * it as IPv4-compatible (`::7f00:1`). Use the URL parser's reading, the one the socket will get.
 */
function canonicalV6(text: string): string {
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return text; // zone ids (fe80::1%eth0) are not URL syntax; ipaddr reads them fine
  }
}

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is the IPv4 address on a dual-stack socket: treat it as such. */
export function normaliseAddress(address: IpAddress): IpAddress {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (address as ipaddr.IPv6).toIPv4Address();
  }
  return address;
}

/**
 * Says whether an address is outside the public internet, and which range it falls in.
 *
 * @example
 * classifyAddress('169.254.169.254');
 * // → { blocked: true, address: '169.254.169.254', range: 'link-local', cidr: '169.254.0.0/16' }
 * classifyAddress('::ffff:7f00:1');
 * // → { blocked: true, address: '127.0.0.1', range: 'IPv4-mapped loopback', cidr: '127.0.0.0/8' }
 */
export function classifyAddress(input: string | IpAddress): AddressVerdict {
  const parsed = typeof input === 'string' ? parseIpLiteral(input) : input;
  if (!parsed) return { blocked: true, address: String(input), range: 'unparseable', cidr: 'n/a' };
  const wasMapped = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress();
  const address = normaliseAddress(parsed);
  if (address.kind() === 'ipv4') {
    const verdict = classifyV4(address as ipaddr.IPv4);
    return verdict.blocked && wasMapped ? { ...verdict, range: `IPv4-mapped ${verdict.range}` } : verdict;
  }
  return classifyV6(address as ipaddr.IPv6);
}

function classifyV4(address: ipaddr.IPv4): AddressVerdict {
  const text = address.toString();
  for (const entry of BLOCKED_V4) {
    if (address.match(entry.range)) return { blocked: true, address: text, range: entry.name, cidr: entry.cidr };
  }
  const backstop = address.range();
  if (backstop !== 'unicast') return { blocked: true, address: text, range: backstop, cidr: `${text}/32` };
  return { blocked: false, address: text };
}

function classifyV6(address: ipaddr.IPv6): AddressVerdict {
  const text = address.toString();
  for (const embedding of EMBEDDING_V6) {
    if (!address.match(embedding.range)) continue;
    for (const inner of embedding.extract(address.parts)) {
      const verdict = classifyV4(inner);
      if (verdict.blocked) return { ...verdict, address: text, range: `${embedding.name} ${verdict.range}` };
    }
    return { blocked: false, address: text };
  }
  for (const entry of BLOCKED_V6) {
    if (address.match(entry.range)) return { blocked: true, address: text, range: entry.name, cidr: entry.cidr };
  }
  if (!address.match(GLOBAL_UNICAST_V6))
    return { blocked: true, address: text, range: 'reserved', cidr: `${text}/128` };
  const backstop = address.range();
  if (backstop !== 'unicast') return { blocked: true, address: text, range: backstop, cidr: `${text}/128` };
  return { blocked: false, address: text };
}
