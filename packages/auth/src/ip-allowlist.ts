import ipaddr from 'ipaddr.js';

/** What is wrong with an allow-list entry (IPv4/IPv6 address or CIDR), or undefined. */
export function cidrProblem(entry: string): string | undefined {
  try {
    if (entry.includes('/')) ipaddr.parseCIDR(entry);
    else ipaddr.parse(entry);
    return undefined;
  } catch {
    return `"${entry}" is not an IPv4 or IPv6 address or CIDR range (e.g. 203.0.113.0/24 or 2001:db8::/32)`;
  }
}

function normalize(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()
    ? (addr as ipaddr.IPv6).toIPv4Address()
    : addr;
}

/**
 * Whether `ip` may reach a workspace whose allow-list is `entries`. An empty list allows everyone.
 * IPv4-mapped IPv6 addresses (::ffff:203.0.113.5) match IPv4 ranges.
 */
export function ipAllowed(ip: string, entries: readonly string[]): boolean {
  if (entries.length === 0) return true;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = normalize(ipaddr.parse(ip));
  } catch {
    return false;
  }
  for (const entry of entries) {
    try {
      const [range, bits] = entry.includes('/')
        ? ipaddr.parseCIDR(entry)
        : ([ipaddr.parse(entry), entry.includes(':') ? 128 : 32] as const);
      const r = normalize(range);
      if (r.kind() !== addr.kind()) continue;
      const prefix = r.kind() === 'ipv4' && range.kind() === 'ipv6' ? bits - 96 : bits;
      if (addr.match(r, prefix)) return true;
    } catch {
      continue;
    }
  }
  return false;
}
