import ipaddr from 'ipaddr.js';
import { SAFE_FETCH_ERROR_CODES, SafeFetchError } from './errors.ts';
import { normaliseAddress, parseIpLiteral, type IpAddress } from './ip-ranges.ts';

/** The environment variable that opens blocked ranges or hosts, comma-separated. */
export const ALLOW_ENV_VAR = 'APIQ_HTTP_ALLOW';

export interface AllowList {
  /** The entries as given, for messages and diagnostics. */
  readonly entries: readonly string[];
  readonly ranges: ReadonlyArray<[IpAddress, number]>;
  /** Exact host names (lower case, no trailing dot). */
  readonly hosts: ReadonlySet<string>;
  /** From `*.example.internal` entries: `.example.internal`. */
  readonly suffixes: readonly string[];
}

const HOST_LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

export const EMPTY_ALLOW_LIST: AllowList = Object.freeze({
  entries: [],
  ranges: [],
  hosts: new Set<string>(),
  suffixes: [],
});

/**
 * Parses allow-list entries: CIDRs (`10.0.0.0/8`, `::1/128`), single addresses (`10.1.2.3`),
 * host names (`billing.internal`) and wildcards (`*.svc.cluster.local`, subdomains only).
 * A string is split on commas. Throws a SafeFetchError naming the bad entry and where it came from.
 *
 * @example
 * const allow = parseAllowList('127.0.0.1/32, ::1/128, *.svc.cluster.local', 'APIQ_HTTP_ALLOW');
 * isAddressAllowed(allow, ipaddr.parse('127.0.0.1')); // → true
 */
export function parseAllowList(input: string | readonly string[] | undefined, source = 'allow option'): AllowList {
  const raw = typeof input === 'string' ? input.split(',') : (input ?? []);
  const entries = raw.map((e) => e.trim()).filter((e) => e !== '');
  const ranges: Array<[IpAddress, number]> = [];
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of entries) {
    const range = parseRange(entry);
    if (range) {
      ranges.push(range);
      continue;
    }
    const host = normaliseHostName(entry);
    if (host.startsWith('*.') && isHostName(host.slice(2))) {
      suffixes.push(host.slice(1));
    } else if (isHostName(host)) {
      hosts.add(host);
    } else {
      throw new SafeFetchError(
        SAFE_FETCH_ERROR_CODES.invalidAllowList,
        `${source}: entry ${JSON.stringify(entry)} is not a CIDR (e.g. 10.0.0.0/8, ::1/128), an IP address or a host name (e.g. api.internal, *.svc.local)`,
      );
    }
  }
  return { entries, ranges, hosts, suffixes };
}

/** The allow-list from `APIQ_HTTP_ALLOW` (empty when unset). */
export function allowListFromEnv(env: NodeJS.ProcessEnv = process.env): AllowList {
  return parseAllowList(env[ALLOW_ENV_VAR], ALLOW_ENV_VAR);
}

export function isAddressAllowed(list: AllowList, address: IpAddress): boolean {
  const normalised = normaliseAddress(address);
  return list.ranges.some(([base, bits]) => base.kind() === normalised.kind() && normalised.match(base, bits));
}

export function isHostAllowed(list: AllowList, hostname: string): boolean {
  const host = normaliseHostName(hostname);
  return list.hosts.has(host) || list.suffixes.some((suffix) => host.endsWith(suffix));
}

function normaliseHostName(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

function isHostName(host: string): boolean {
  // A name made only of digits and dots would be read as an IPv4 address by the URL parser.
  if (/^[0-9.]+$/.test(host)) return false;
  return host.length <= 253 && host.split('.').every((label) => HOST_LABEL.test(label));
}

/** Only plain spellings are accepted in the allow-list: `0177.1/8` is a mistake, not a range. */
function parseRange(entry: string): [IpAddress, number] | undefined {
  const [address = '', bits, ...rest] = entry.split('/');
  if (rest.length > 0) return undefined;
  const isV4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  const isV6 = !isV4 && ipaddr.IPv6.isValid(address) && !address.includes('%');
  if (!isV4 && !isV6) return undefined;
  const max = isV4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  const parsed = parseIpLiteral(address)!;
  if (parsed.kind() === 'ipv6' && prefix >= 96 && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return [(parsed as ipaddr.IPv6).toIPv4Address(), prefix - 96];
  }
  return [parsed, prefix];
}
