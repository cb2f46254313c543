import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isAddressAllowed, isHostAllowed, type AllowList } from './allow-list.ts';
import { BlockedAddressError, SAFE_FETCH_ERROR_CODES, SafeFetchError } from './errors.ts';
import { classifyAddress, normaliseAddress, parseIpLiteral } from './ip-ranges.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (what `dns.lookup(host, { all: true })` returns). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export interface Destination {
  /** Host to hand to `http.request`: the canonical address for IP literals, the name otherwise. */
  connectHost: string;
  /** The checked addresses; the connection may only go to one of these. */
  addresses: ResolvedAddress[];
}

/**
 * Resolves the URL's host and checks every address against the blocked ranges, unless the
 * allow-list opens it. IP literals are checked as written (in any spelling), without DNS.
 * Throws BlockedAddressError for the first blocked address.
 *
 * @example
 * await checkDestination(new URL('http://169.254.169.254/'), { allow: EMPTY_ALLOW_LIST, resolve: systemResolver });
 * // throws BlockedAddressError: blocked: 169.254.169.254 is in link-local range (169.254.0.0/16); ...
 */
export async function checkDestination(
  url: URL,
  policy: { allow: AllowList; resolve: HostResolver; redirectedFrom?: string },
): Promise<Destination> {
  // `localhost.` is `localhost`: some resolvers fail on the trailing dot of an absolute name.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname.replace(/\.$/, '');
  const literal = parseIpLiteral(host);
  if (literal) {
    const verdict = classifyAddress(literal);
    if (verdict.blocked && !isAddressAllowed(policy.allow, literal)) {
      throw new BlockedAddressError({ url: safeUrl(url), host, literal: true, ...pick(verdict), ...redirect(policy) });
    }
    const connectTo = normaliseAddress(literal);
    const address = connectTo.toString();
    return { connectHost: address, addresses: [{ address, family: connectTo.kind() === 'ipv4' ? 4 : 6 }] };
  }

  let addresses: ResolvedAddress[];
  try {
    addresses = await policy.resolve(host);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new SafeFetchError(
      SAFE_FETCH_ERROR_CODES.dnsFailed,
      `could not resolve host "${host}" of ${safeUrl(url)}: ${reason}`,
      {
        url: safeUrl(url),
        cause: err,
      },
    );
  }
  if (addresses.length === 0) {
    throw new SafeFetchError(
      SAFE_FETCH_ERROR_CODES.dnsFailed,
      `host "${host}" of ${safeUrl(url)} resolved to no address`,
      { url: safeUrl(url) },
    );
  }
  if (isHostAllowed(policy.allow, host)) return { connectHost: host, addresses };
  for (const { address } of addresses) {
    const parsed = parseIpLiteral(address);
    const verdict = classifyAddress(parsed ?? address);
    if (verdict.blocked && !(parsed && isAddressAllowed(policy.allow, parsed))) {
      throw new BlockedAddressError({ url: safeUrl(url), host, literal: false, ...pick(verdict), ...redirect(policy) });
    }
  }
  return { connectHost: host, addresses };
}

/**
 * A `lookup` for `http.request` that answers only with the already-checked addresses, so the
 * socket connects where the check looked: no second DNS query, no rebinding window.
 */
export function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    // Answer asynchronously, as dns.lookup does: net attaches its listeners after calling us.
    process.nextTick(() => {
      if (options.all) {
        callback(
          null,
          addresses.map((a) => ({ address: a.address, family: a.family })),
        );
        return;
      }
      const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
      const chosen = addresses.find((a) => !family || a.family === family) ?? addresses[0]!;
      callback(null, chosen.address, chosen.family);
    });
  };
}

/** The URL without user info, for messages. */
export function safeUrl(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

function pick(verdict: { address: string; range?: string; cidr?: string }) {
  return { address: verdict.address, range: verdict.range ?? 'blocked', cidr: verdict.cidr ?? verdict.address };
}

function redirect(policy: { redirectedFrom?: string }) {
  return policy.redirectedFrom === undefined ? {} : { redirectedFrom: policy.redirectedFrom };
}
