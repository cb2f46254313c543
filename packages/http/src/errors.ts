/**
 * Errors thrown by the safe client. Callers (and other threads, which only see plain
 * objects) decide by `code`, never by `instanceof`.
 */
export const SAFE_FETCH_ERROR_CODES = {
  blocked: 'APIQ_SSRF_BLOCKED',
  invalidUrl: 'APIQ_HTTP_INVALID_URL',
  invalidRequest: 'APIQ_HTTP_INVALID_REQUEST',
  invalidAllowList: 'APIQ_HTTP_INVALID_ALLOW_LIST',
  dnsFailed: 'APIQ_HTTP_DNS_FAILED',
  connectionFailed: 'APIQ_HTTP_CONNECTION_FAILED',
  timeout: 'APIQ_HTTP_TIMEOUT',
  tooLarge: 'APIQ_HTTP_RESPONSE_TOO_LARGE',
  tooManyRedirects: 'APIQ_HTTP_TOO_MANY_REDIRECTS',
  redirectRefused: 'APIQ_HTTP_REDIRECT_REFUSED',
  badResponse: 'APIQ_HTTP_BAD_RESPONSE',
  circuitOpen: 'APIQ_CIRCUIT_OPEN',
} as const;

export type SafeFetchErrorCode = (typeof SAFE_FETCH_ERROR_CODES)[keyof typeof SAFE_FETCH_ERROR_CODES];

export class SafeFetchError extends Error {
  readonly code: SafeFetchErrorCode;
  /** The URL of the hop that failed (credentials never included). */
  readonly url: string | undefined;
  constructor(code: SafeFetchErrorCode, message: string, options?: { url?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SafeFetchError';
    this.code = code;
    this.url = options?.url;
  }
}

/**
 * The destination resolves to an address outside the public internet (loopback, private,
 * link-local / cloud metadata, ...) and no allow-list entry opens it.
 */
export class BlockedAddressError extends SafeFetchError {
  declare readonly code: 'APIQ_SSRF_BLOCKED';
  /** The host as written in the URL (brackets of IPv6 literals removed). */
  readonly host: string;
  /** The offending address, normalised (e.g. `127.0.0.1`, `::1`). */
  readonly address: string;
  /** Human name of the range, e.g. `link-local`, `IPv4-mapped loopback`. */
  readonly range: string;
  /** The blocked range in CIDR notation, e.g. `169.254.0.0/16`. */
  readonly cidr: string;
  constructor(details: {
    url: string;
    host: string;
    /** True when the URL names an IP address rather than a host name. */
    literal: boolean;
    address: string;
    range: string;
    cidr: string;
    redirectedFrom?: string;
  }) {
    const subject = !details.literal
      ? `${details.host} resolves to ${details.address}, which is`
      : details.host === details.address
        ? `${details.address} is`
        : `${details.host} (${details.address}) is`;
    const hop = details.redirectedFrom ? ` (redirect from ${details.redirectedFrom} to ${details.url})` : '';
    const suggestion = `${details.address}/${details.address.includes(':') ? 128 : 32}`;
    super(
      SAFE_FETCH_ERROR_CODES.blocked,
      `blocked: ${subject} in ${details.range} range (${details.cidr})${hop}; set APIQ_HTTP_ALLOW=${suggestion} to allow it`,
      { url: details.url },
    );
    this.name = 'BlockedAddressError';
    this.host = details.host;
    this.address = details.address;
    this.range = details.range;
    this.cidr = details.cidr;
  }
}

export class HttpTimeoutError extends SafeFetchError {
  readonly phase: 'connect' | 'total';
  readonly timeoutMs: number;
  constructor(phase: 'connect' | 'total', timeoutMs: number, url: string) {
    const what = phase === 'connect' ? 'connecting to' : 'request to';
    super(SAFE_FETCH_ERROR_CODES.timeout, `${what} ${url} timed out after ${timeoutMs} ms`, { url });
    this.name = 'TimeoutError';
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

export class ResponseTooLargeError extends SafeFetchError {
  readonly limitBytes: number;
  constructor(limitBytes: number, url: string) {
    super(
      SAFE_FETCH_ERROR_CODES.tooLarge,
      `response from ${url} is larger than the ${limitBytes}-byte limit; raise maxResponseBytes if this is expected`,
      { url },
    );
    this.name = 'ResponseTooLargeError';
    this.limitBytes = limitBytes;
  }
}

/**
 * The host's circuit is open: it failed `failures` times in a row, so calls to it fail fast,
 * without a socket, until `retryAfterMs` from now, when one trial call is let through.
 */
export class CircuitOpenError extends SafeFetchError {
  declare readonly code: 'APIQ_CIRCUIT_OPEN';
  /** `host:port`, e.g. `api.example.com:443`. */
  readonly host: string;
  /** Consecutive failures that opened (or kept open) the circuit. */
  readonly failures: number;
  /** Milliseconds until a call to this host will be let through again. */
  readonly retryAfterMs: number;
  constructor(details: {
    host: string;
    failures: number;
    retryAfterMs: number;
    trialInFlight?: boolean;
    url?: string;
  }) {
    const retryAfterMs = Math.max(0, Math.ceil(details.retryAfterMs));
    const state = details.trialInFlight ? 'half-open, a trial request is in flight,' : 'open';
    super(
      SAFE_FETCH_ERROR_CODES.circuitOpen,
      `circuit ${state} for ${details.host} after ${details.failures} consecutive failures; next try in ${Math.ceil(retryAfterMs / 1000)} s`,
      details.url === undefined ? undefined : { url: details.url },
    );
    this.name = 'CircuitOpenError';
    this.host = details.host;
    this.failures = details.failures;
    this.retryAfterMs = retryAfterMs;
  }
}
