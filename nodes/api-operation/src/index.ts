import {
  defineNode,
  errorForStatus,
  FatalError,
  genericCredentialKinds,
  NodeError,
  RateLimitedError,
  RetryableError,
  type Json,
} from '@apiq/sdk';
import { applyCredential } from './apply-credential.ts';
import { buildRequest } from './build-request.ts';
import { apiOperationParams } from './params.ts';
import { headersToObject, readBody, snippet } from './read-response.ts';

export { apiOperationParams, operationSchema, argsSchema } from './params.ts';
export type { ApiOperationParams, OperationData, OperationArgs } from './params.ts';
export { argIssues } from './check-args.ts';
export { serializePath, serializeQuery, serializeHeader } from './serialize-parameter.ts';

/** Safe-client error codes (stable strings; errors cross threads as plain objects) that retrying cannot fix. */
const FATAL_CODES = new Set([
  'APIQ_SSRF_BLOCKED',
  'APIQ_HTTP_INVALID_URL',
  'APIQ_HTTP_INVALID_REQUEST',
  'APIQ_HTTP_RESPONSE_TOO_LARGE',
  'APIQ_HTTP_TOO_MANY_REDIRECTS',
  'APIQ_HTTP_REDIRECT_REFUSED',
]);

const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M4 6h16M4 12h10M4 18h7"/><circle cx="18" cy="16" r="3"/><path d="m20.5 18.5 2 2"/></svg>';

/**
 * Calls one operation of an imported OpenAPI / Swagger spec. The operation travels in the
 * node's params (method, path, server, parameter schemas), so a run looks nothing up; the
 * arguments are checked against the parameter schemas before anything is sent.
 */
export const apiOperation = defineNode({
  id: 'api.operation',
  version: 1,
  title: 'API Operation',
  description:
    'Calls one operation of an imported OpenAPI or Swagger spec: fill in its path, query, header and body parameters (checked against the spec), attach a credential, and get back the status, headers and parsed body.',
  keywords: ['openapi', 'swagger', 'api', 'operation', 'rest', 'endpoint', 'spec', 'http', 'call', 'request'],
  category: 'network',
  icon: ICON,
  credentials: genericCredentialKinds.map((k) => ({ kind: k.id, required: false })),
  params: apiOperationParams,
  idempotent: false,
  sideEffects: true,
  run: async (ctx) => {
    const { params } = ctx;
    const op = params.operation;
    const authQuery: string[] = [];
    const scratchHeaders = new Headers();
    const { serverUrl } = applyCredential(op, ctx.credentials, scratchHeaders, authQuery);
    const request = buildRequest(params, serverUrl, ctx.idempotencyKey);
    for (const [name, value] of scratchHeaders) request.headers.set(name, value);
    const url = authQuery.length
      ? `${request.url}${request.url.includes('?') ? '&' : '?'}${authQuery.join('&')}`
      : request.url;
    const timeout = params.timeoutMs === undefined ? undefined : AbortSignal.timeout(params.timeoutMs);
    request.init.signal = timeout ? AbortSignal.any([ctx.signal, timeout]) : ctx.signal;

    let status: number;
    let statusText: string;
    let headers: Record<string, string>;
    let body: Json;
    try {
      const response = await ctx.fetch(url, request.init);
      status = response.status;
      statusText = response.statusText;
      headers = headersToObject(response.headers);
      body = await readBody(response);
    } catch (err) {
      throw failure(err, request.target, ctx.signal, timeout, params.timeoutMs);
    }
    if (params.failOnStatus && status >= 400) {
      const message = `${op.operationId} (${request.target}) returned ${status}${statusText ? ` ${statusText}` : ''}: ${snippet(body)}`;
      throw errorForStatus(status, message, headers['retry-after']);
    }
    ctx.log.debug(`${request.target} → ${status}`);
    return { output: { status, headers, body } };
  },
});

function failure(
  err: unknown,
  target: string,
  signal: AbortSignal,
  timeout: AbortSignal | undefined,
  timeoutMs: number | undefined,
): unknown {
  if (signal.aborted) return err; // the run was cancelled: the engine already knows why
  if (err instanceof NodeError) return err;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'APIQ_CIRCUIT_OPEN') {
    const retryAfterMs = (err as { retryAfterMs?: unknown }).retryAfterMs;
    return new RateLimitedError(`${target}: ${message}`, typeof retryAfterMs === 'number' ? retryAfterMs : 1000, {
      cause: err,
    });
  }
  if (timeout?.aborted || code === 'APIQ_HTTP_TIMEOUT') {
    return new RetryableError(`${target} timed out${timeoutMs === undefined ? '' : ` after ${timeoutMs} ms`}`, {
      cause: err,
    });
  }
  if (typeof code === 'string' && FATAL_CODES.has(code)) return new FatalError(`${target}: ${message}`, { cause: err });
  return new RetryableError(`${target} failed: ${message}`, { cause: err });
}
