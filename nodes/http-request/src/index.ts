import { SAFE_FETCH_ERROR_CODES } from '@apiq/http';
import {
  defineNode,
  errorForStatus,
  FatalError,
  NodeError,
  RateLimitedError,
  RetryableError,
  type Json,
} from '@apiq/sdk';
import { applyCredentials, httpRequestCredentials } from './apply-credentials.ts';
import { buildRequest, describeTarget } from './build-request.ts';
import { httpRequestParams } from './params.ts';
import { headersToObject, readBody, snippet } from './read-response.ts';

/** Failures that another attempt cannot fix: the request itself is refused. */
const FATAL_CODES = new Set<string>([
  SAFE_FETCH_ERROR_CODES.blocked,
  SAFE_FETCH_ERROR_CODES.invalidUrl,
  SAFE_FETCH_ERROR_CODES.invalidRequest,
  SAFE_FETCH_ERROR_CODES.tooLarge,
  SAFE_FETCH_ERROR_CODES.tooManyRedirects,
  SAFE_FETCH_ERROR_CODES.redirectRefused,
]);

const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="12" cy="12" r="10"/><path d="M2 12h20"/><path d="M12 2a15 15 0 0 1 0 20a15 15 0 0 1 0-20"/></svg>';

/**
 * Calls any HTTP API. Goes through `ctx.fetch` (the platform's safe client), so private,
 * loopback and metadata addresses are refused on every redirect hop.
 */
export const httpRequest = defineNode({
  id: 'core.http_request',
  version: 1,
  title: 'HTTP Request',
  description:
    'Calls any HTTP or REST API: choose the method and URL, add query parameters, headers and a JSON, form or text body, and get back the status, headers and parsed body. Failed statuses fail the step (server errors and rate limits are retried).',
  keywords: [
    'http',
    'https',
    'request',
    'api',
    'rest',
    'fetch',
    'call',
    'get',
    'post',
    'put',
    'patch',
    'delete',
    'webhook',
    'url',
    'endpoint',
    'json',
    'curl',
  ],
  category: 'network',
  icon: ICON,
  params: httpRequestParams,
  credentials: httpRequestCredentials,
  idempotent: false,
  sideEffects: true,
  run: async (ctx) => {
    const { params } = ctx;
    const { url, init } = buildRequest(params, ctx.idempotencyKey);
    applyCredentials(ctx.credentials, url, init.headers as Headers);
    const target = describeTarget(params.method, url);
    const timeout = params.timeoutMs === undefined ? undefined : AbortSignal.timeout(params.timeoutMs);
    init.signal = timeout ? AbortSignal.any([ctx.signal, timeout]) : ctx.signal;

    let status: number;
    let statusText: string;
    let headers: Record<string, string>;
    let body: Json;
    try {
      const response = await ctx.fetch(url, init);
      status = response.status;
      statusText = response.statusText;
      headers = headersToObject(response.headers);
      body = await readBody(response, params.responseType, target);
    } catch (err) {
      throw nodeFailure(err, { target, signal: ctx.signal, timeout, timeoutMs: params.timeoutMs });
    }

    if (params.failOnStatus && status >= 400) {
      const shown = typeof body === 'string' ? body : JSON.stringify(body);
      const message = `${target} returned ${status}${statusText ? ` ${statusText}` : ''}: ${snippet(shown ?? '')}`;
      throw errorForStatus(status, message, headers['retry-after']);
    }
    ctx.log.debug(`${target} → ${status}`);
    return { output: { status, headers, body } };
  },
});

function nodeFailure(
  err: unknown,
  where: { target: string; signal: AbortSignal; timeout: AbortSignal | undefined; timeoutMs: number | undefined },
): unknown {
  if (where.signal.aborted) return err; // the run was cancelled: the engine already knows why
  if (err instanceof NodeError) return err;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (code === SAFE_FETCH_ERROR_CODES.circuitOpen) {
    // The host's circuit is open: wait until it lets a trial request through.
    const retryAfterMs = (err as { retryAfterMs?: unknown }).retryAfterMs;
    return new RateLimitedError(`${where.target}: ${message}`, typeof retryAfterMs === 'number' ? retryAfterMs : 1000, {
      cause: err,
    });
  }
  if (where.timeout?.aborted || code === SAFE_FETCH_ERROR_CODES.timeout) {
    const ms = where.timeoutMs ?? (err as { timeoutMs?: number }).timeoutMs;
    return new RetryableError(`${where.target} timed out${ms === undefined ? '' : ` after ${ms} ms`}`, { cause: err });
  }
  if (typeof code === 'string' && FATAL_CODES.has(code))
    return new FatalError(`${where.target}: ${message}`, { cause: err });
  return new RetryableError(`${where.target} failed: ${message}`, { cause: err });
}
