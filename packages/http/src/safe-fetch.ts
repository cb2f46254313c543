import http from 'node:http';
import https from 'node:https';
import { allowListFromEnv, parseAllowList, type AllowList } from './allow-list.ts';
import {
  checkDestination,
  pinnedLookup,
  safeUrl,
  systemResolver,
  type Destination,
  type HostResolver,
} from './check-destination.ts';
import {
  breakerDisabledByEnv,
  breakerKey,
  createCircuitBreaker,
  disabledCircuitBreaker,
  isFailureStatus,
  type BreakerPermit,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
} from './circuit-breaker.ts';
import { HttpTimeoutError, SAFE_FETCH_ERROR_CODES, SafeFetchError } from './errors.ts';
import { encodeBody, type SafeBody } from './request-body.ts';
import { toWebResponse } from './response-body.ts';

export interface SafeFetchOptions {
  /**
   * Ranges and hosts to open (CIDRs, addresses, host names, `*.suffix`). Replaces
   * `APIQ_HTTP_ALLOW`, which is read when this is not given. Pass `[]` to open nothing.
   */
  allow?: string | readonly string[];
  /** Whole request, body included, per call. Default 30 s. */
  timeoutMs?: number;
  /** TCP connect. Default 10 s. */
  connectTimeoutMs?: number;
  /** Decoded response body cap. Default 10 MiB. */
  maxResponseBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** How host names become addresses. Default: the system resolver (`dns.lookup`, all addresses). */
  resolve?: HostResolver;
  /** Default `apiq`. */
  userAgent?: string;
  /** Keep-alive sockets per origin. Default 256. */
  maxSockets?: number;
  /**
   * Per-host (`host:port`) circuit breaker; on by default (5 failures within 60 s open a
   * host's circuit for 30 s). `false` turns it off; `APIQ_HTTP_BREAKER=off` turns it off
   * whatever this says.
   */
  circuitBreaker?: false | Omit<CircuitBreakerOptions, 'clock'>;
  /** Current time in ms, for the circuit breaker. Default `Date.now`; tests pass a fake clock. */
  clock?: () => number;
  /** Told about every call once its response head arrives or it fails (for metrics). */
  observe?: CallObserver;
}

/**
 * One finished call, as metrics see it: the host, never the URL (cardinality, and URLs may carry
 * tokens in their query), and no headers or bodies.
 */
export interface OutboundCall {
  /** `host:port` of the hop that answered (of the first hop when the call failed). */
  host: string;
  method: string;
  /** The final status; absent when no response arrived. */
  status?: number;
  /** The error's code (`APIQ_HTTP_TIMEOUT`, `APIQ_CIRCUIT_OPEN`, ...) when no response arrived. */
  errorCode?: string;
  /** Until the response head or the failure. */
  durationMs: number;
  /** The host's circuit after the call. */
  circuit: CircuitState;
}

export type CallObserver = (call: OutboundCall) => void;

/** fetch's RequestInit, plus per-call limits and plain-object (JSON) bodies. */
export type SafeRequestInit = Omit<RequestInit, 'body'> & {
  body?: SafeBody;
  timeoutMs?: number;
  maxResponseBytes?: number;
  maxRedirects?: number;
  /** Told about this call when it ends (besides the client's own `observe`). */
  observe?: CallObserver;
};

/**
 * A fetch-compatible function; `close()` drops its idle keep-alive sockets; `breaker`
 * reports the per-host circuits (`breaker.snapshot()`, `breaker.state('host:port')`).
 */
export type SafeFetch = ((input: string | URL, init?: SafeRequestInit) => Promise<Response>) & {
  close(): void;
  readonly breaker: Pick<CircuitBreaker, 'enabled' | 'state' | 'snapshot'>;
};

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers the client owns; a caller-supplied value would confuse framing or the next hop. */
const OWNED_HEADERS = [
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
];
const CROSS_ORIGIN_SECRETS = ['authorization', 'cookie', 'proxy-authorization'];
const BODY_HEADERS = ['content-type', 'content-encoding', 'content-language', 'content-location'];
const RETRY_ON_STALE_SOCKET = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Creates the platform's outbound HTTP client: fetch's signature, but every hop's host is
 * resolved once, every address checked against loopback / private / link-local / metadata
 * and other non-public ranges, and the socket pinned to the checked address.
 *
 * @example
 * const fetch = createSafeFetch();                       // APIQ_HTTP_ALLOW opens ranges
 * const res = await fetch('https://api.github.com/zen');
 * await fetch('http://169.254.169.254/');                // throws BlockedAddressError
 *
 * const local = createSafeFetch({ allow: ['127.0.0.1/32'] }); // tests reaching their own server
 *
 * // After 5 connection errors, timeouts or 5xx from one host:port within 60 s, calls to it
 * // throw CircuitOpenError for 30 s without opening a socket.
 * fetch.breaker.snapshot(); // → [{ host: 'api.example.com:443', state: 'open', failures: 5, ... }]
 */
export function createSafeFetch(options: SafeFetchOptions = {}): SafeFetch {
  const allow: AllowList = options.allow === undefined ? allowListFromEnv() : parseAllowList(options.allow);
  const resolve = options.resolve ?? systemResolver;
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 256,
    maxFreeSockets: 256,
    scheduling: 'lifo' as const,
  };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  const defaults = {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    userAgent: options.userAgent ?? 'apiq',
  };
  const breaker =
    options.circuitBreaker === false || breakerDisabledByEnv()
      ? disabledCircuitBreaker()
      : createCircuitBreaker({ ...options.circuitBreaker, ...(options.clock ? { clock: options.clock } : {}) });

  const request = async (input: string | URL, init: SafeRequestInit): Promise<Response> => {
    const timeoutMs = init.timeoutMs ?? defaults.timeoutMs;
    const maxBytes = init.maxResponseBytes ?? defaults.maxResponseBytes;
    const maxRedirects = init.maxRedirects ?? defaults.maxRedirects;
    const redirectMode = init.redirect ?? 'follow';

    let url = parseUrl(input);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new HttpTimeoutError('total', timeoutMs, safeUrl(url))), timeoutMs);
    timer.unref();
    const signal = init.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
    };

    try {
      signal.throwIfAborted();
      let method = normaliseMethod(init.method ?? 'GET');
      const headers = new Headers(init.headers);
      for (const name of OWNED_HEADERS) headers.delete(name);
      if (!headers.has('user-agent')) headers.set('user-agent', defaults.userAgent);
      if (!headers.has('accept')) headers.set('accept', '*/*');
      if (!headers.has('accept-encoding')) headers.set('accept-encoding', 'gzip, deflate, br');
      if ((method === 'GET' || method === 'HEAD') && init.body != null) {
        throw new SafeFetchError(
          SAFE_FETCH_ERROR_CODES.invalidRequest,
          `a ${method} request cannot have a body (${safeUrl(url)})`,
          {
            url: safeUrl(url),
          },
        );
      }
      let body = await encodeBody(init.body, headers, safeUrl(url));
      let redirectedFrom: string | undefined;

      for (let hop = 0; ; hop++) {
        checkUrl(url);
        const permit = breaker.acquire(breakerKey(url), safeUrl(url));
        let res: http.IncomingMessage;
        try {
          const destination = await abortable(checkDestination(url, { allow, resolve, redirectedFrom }), signal);
          res = await send({
            url,
            method,
            headers,
            body,
            destination,
            signal,
            connectTimeoutMs: defaults.connectTimeoutMs,
            agents,
          });
        } catch (err) {
          reportFailure(permit, err);
          throw err;
        }
        const status = res.statusCode ?? 0;
        // Judged on the response head: the host answered, well or badly.
        if (isFailureStatus(status)) permit.failure();
        else permit.success();
        const location = res.headers.location;
        if (REDIRECT_STATUSES.has(status) && location !== undefined && redirectMode !== 'manual') {
          res.resume();
          if (redirectMode === 'error') {
            throw new SafeFetchError(
              SAFE_FETCH_ERROR_CODES.redirectRefused,
              `${safeUrl(url)} redirected (${status}) but redirect is set to "error"`,
              {
                url: safeUrl(url),
              },
            );
          }
          if (hop >= maxRedirects) {
            throw new SafeFetchError(
              SAFE_FETCH_ERROR_CODES.tooManyRedirects,
              `more than ${maxRedirects} redirects, the last from ${safeUrl(url)}; the server may be in a redirect loop`,
              { url: safeUrl(url) },
            );
          }
          const next = parseUrl(location, url);
          if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
            method = 'GET';
            body = undefined;
            for (const name of BODY_HEADERS) headers.delete(name);
          }
          if (next.origin !== url.origin) for (const name of CROSS_ORIGIN_SECRETS) headers.delete(name);
          redirectedFrom = safeUrl(url);
          url = next;
          continue;
        }
        // Aborts and the total timeout also cover reading the body.
        let failBody: (err: unknown) => void = () => res.destroy();
        const onAbort = () => failBody(signal.reason);
        const { response, fail } = toWebResponse(res, {
          method,
          url: safeUrl(url),
          redirected: hop > 0,
          maxBytes,
          onSettled: () => {
            settle();
            signal.removeEventListener('abort', onAbort);
          },
        });
        failBody = fail;
        if (!settled) signal.addEventListener('abort', onAbort, { once: true });
        return response;
      }
    } catch (err) {
      settle();
      throw err;
    }
  };

  const safeFetch = async (input: string | URL, init: SafeRequestInit = {}): Promise<Response> => {
    if (!options.observe && !init.observe) return request(input, init);
    const started = performance.now();
    const report = (url: string | URL, outcome: { status: number } | { errorCode: string }) => {
      let host = 'invalid';
      try {
        host = breakerKey(new URL(String(url)));
      } catch {
        // an unparseable URL is reported under "invalid"
      }
      const call: OutboundCall = {
        host,
        method: (init.method ?? 'GET').toUpperCase(),
        ...outcome,
        durationMs: performance.now() - started,
        circuit: breaker.state(host).state,
      };
      for (const observe of [options.observe, init.observe]) {
        try {
          observe?.(call);
        } catch {
          // an observer must never break the call it watches
        }
      }
    };
    try {
      const res = await request(input, init);
      report(res.url || input, { status: res.status });
      return res;
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      report(input, { errorCode: typeof code === 'string' ? code : ((err as Error)?.name ?? 'Error') });
      throw err;
    }
  };

  return Object.assign(safeFetch, {
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
    breaker: { enabled: breaker.enabled, state: breaker.state, snapshot: breaker.snapshot },
  });
}

/**
 * Connection failures and timeouts count against the host. A refused address, a DNS
 * failure or the caller's own abort say nothing about the host's health.
 */
function reportFailure(permit: BreakerPermit, err: unknown): void {
  const { code, name } = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; name?: unknown };
  if (
    code === SAFE_FETCH_ERROR_CODES.connectionFailed ||
    code === SAFE_FETCH_ERROR_CODES.timeout ||
    name === 'TimeoutError'
  )
    permit.failure();
  else permit.release();
}

interface SendOptions {
  url: URL;
  method: string;
  headers: Headers;
  body: Buffer | undefined;
  destination: Destination;
  signal: AbortSignal;
  connectTimeoutMs: number;
  agents: { 'http:': http.Agent; 'https:': https.Agent };
}

/** One request on one hop, connected only to the checked addresses. Resolves with the response head. */
async function send(options: SendOptions): Promise<http.IncomingMessage> {
  try {
    return await sendOnce(options);
  } catch (err) {
    // A keep-alive socket the server closed while idle: safe to repeat an idempotent request once.
    if ((err as { staleSocket?: boolean }).staleSocket && RETRY_ON_STALE_SOCKET.has(options.method))
      return sendOnce(options);
    throw err;
  }
}

function sendOnce(options: SendOptions): Promise<http.IncomingMessage> {
  const { url, signal } = options;
  const isHttps = url.protocol === 'https:';
  const requestHeaders: Record<string, string> = { host: url.host };
  for (const [name, value] of options.headers) requestHeaders[name] = value;
  if (options.body) requestHeaders['content-length'] = String(options.body.length);
  else if (!['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(options.method)) requestHeaders['content-length'] = '0';

  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const request = (isHttps ? https : http).request({
      protocol: url.protocol,
      host: options.destination.connectHost,
      port: url.port || (isHttps ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: options.method,
      headers: requestHeaders,
      agent: options.agents[isHttps ? 'https:' : 'http:'],
      lookup: pinnedLookup(options.destination.addresses),
      setHost: false,
    });
    let connectTimer: NodeJS.Timeout | undefined;
    const onAbort = () => request.destroy(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(connectTimer);
      signal.removeEventListener('abort', onAbort);
    };

    request.once('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(
        () => request.destroy(new HttpTimeoutError('connect', options.connectTimeoutMs, safeUrl(url))),
        options.connectTimeoutMs,
      );
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    request.once('response', (res) => {
      cleanup();
      resolve(res);
    });
    request.once('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      if (signal.aborted) return reject(signal.reason);
      if (err instanceof SafeFetchError) return reject(err);
      const reason = err.code ?? err.message;
      const wrapped = new SafeFetchError(
        SAFE_FETCH_ERROR_CODES.connectionFailed,
        `request to ${safeUrl(url)} failed: ${reason}`,
        {
          url: safeUrl(url),
          cause: err,
        },
      );
      reject(Object.assign(wrapped, { staleSocket: request.reusedSocket && err.code === 'ECONNRESET' }));
    });
    request.end(options.body);
  });
}

function parseUrl(input: string | URL, base?: URL): URL {
  try {
    return new URL(String(input), base);
  } catch {
    const shown = String(input).slice(0, 200);
    const where = base ? ` (Location header from ${safeUrl(base)})` : '';
    throw new SafeFetchError(SAFE_FETCH_ERROR_CODES.invalidUrl, `invalid URL ${JSON.stringify(shown)}${where}`);
  }
}

function checkUrl(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SafeFetchError(
      SAFE_FETCH_ERROR_CODES.invalidUrl,
      `unsupported scheme "${url.protocol.replace(/:$/, '')}" in ${safeUrl(url)}; only http and https are allowed`,
      { url: safeUrl(url) },
    );
  }
  if (url.username || url.password) {
    throw new SafeFetchError(
      SAFE_FETCH_ERROR_CODES.invalidUrl,
      `${safeUrl(url)} carries credentials in the URL (user:password@host); send them in an Authorization header or a credential instead`,
      { url: safeUrl(url) },
    );
  }
}

function normaliseMethod(method: string): string {
  const upper = method.toUpperCase();
  const known = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  if (known.includes(upper)) return upper;
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method) || ['CONNECT', 'TRACE', 'TRACK'].includes(upper)) {
    throw new SafeFetchError(
      SAFE_FETCH_ERROR_CODES.invalidRequest,
      `HTTP method ${JSON.stringify(method)} is not allowed`,
    );
  }
  return method;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
