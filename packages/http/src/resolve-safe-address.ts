import { allowListFromEnv, parseAllowList } from './allow-list.ts';
import { checkDestination, systemResolver, type HostResolver, type ResolvedAddress } from './check-destination.ts';
import { SAFE_FETCH_ERROR_CODES, SafeFetchError } from './errors.ts';

export interface ResolveSafeAddressOptions {
  /** Ranges and hosts to open, as for `createSafeFetch`; `APIQ_HTTP_ALLOW` is read when this is not given. */
  allow?: string | readonly string[];
  /** Default: the system resolver (`dns.lookup`, all addresses). */
  resolve?: HostResolver;
  /** Only for messages: the scheme and port of the connection, e.g. `smtp` and `587`. */
  scheme?: string;
  port?: number;
}

export interface SafeAddress extends ResolvedAddress {
  /** The host as given (brackets of IPv6 literals removed): the TLS server name. */
  host: string;
}

/**
 * For clients that open their own sockets (SMTP, databases): resolves `host` and checks every
 * address with the safe client's rules (loopback, private, link-local, metadata… are refused
 * unless the allow-list opens them). Connect to the returned `address`, never to the name again,
 * and use `host` as the TLS server name, so a second DNS answer cannot redirect the connection.
 * Throws BlockedAddressError (code `APIQ_SSRF_BLOCKED`) or a SafeFetchError (`APIQ_HTTP_DNS_FAILED`).
 *
 * @example
 * const { address, host } = await resolveSafeAddress('smtp.example.com', { scheme: 'smtp', port: 587 });
 * nodemailer.createTransport({ host: address, port: 587, tls: { servername: host } });
 */
export async function resolveSafeAddress(host: string, options: ResolveSafeAddressOptions = {}): Promise<SafeAddress> {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1');
  const scheme = options.scheme ?? 'tcp';
  let url: URL;
  try {
    // An http URL gets the WHATWG host parsing (every IPv4 spelling, IDNA); the scheme shown is `scheme`.
    url = new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}${options.port ? `:${options.port}` : ''}/`);
  } catch {
    throw new SafeFetchError(
      SAFE_FETCH_ERROR_CODES.invalidUrl,
      `${JSON.stringify(host)} is not a valid host name or IP address`,
    );
  }
  if (bare === '' || url.pathname !== '/' || url.username || bare.includes('/')) {
    throw new SafeFetchError(
      SAFE_FETCH_ERROR_CODES.invalidUrl,
      `${JSON.stringify(host)} is not a valid host name or IP address`,
    );
  }
  const allow = options.allow === undefined ? allowListFromEnv() : parseAllowList(options.allow);
  // Messages show the real scheme (`smtp://mail.example.com:587`), not the http URL used for parsing.
  const shown = `${scheme}://${url.host}`;
  Object.defineProperty(url, 'href', { get: () => shown });
  const destination = await checkDestination(url, { allow, resolve: options.resolve ?? systemResolver });
  // Prefer IPv4, which every mail server listens on; the order is otherwise the resolver's.
  const chosen = destination.addresses.find((a) => a.family === 4) ?? destination.addresses[0]!;
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), address: chosen.address, family: chosen.family };
}
