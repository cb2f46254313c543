import {
  applyCredentialAuth,
  credentialBaseUrl,
  errorForStatus,
  FatalError,
  NodeError,
  parseRetryAfter,
  RateLimitedError,
  RetryableError,
  type Json,
  type NodeContext,
} from '@apiq/sdk';
import { stripeCredential } from './credential.ts';
import { stripeFormEncode } from './form-encode.ts';

export interface StripeCall {
  method: 'GET' | 'POST' | 'DELETE';
  /** e.g. `/v1/customers`. */
  path: string;
  /** Query parameters (GET, DELETE) or the form body (POST). */
  params?: Record<string, Json | undefined>;
  /** Throw a typed error for 4xx/5xx answers (default true). */
  failOnStatus?: boolean;
}

export interface StripeResponse {
  status: number;
  headers: Headers;
  body: Json;
}

type Ctx = Pick<NodeContext<unknown>, 'credentials' | 'fetch' | 'signal' | 'idempotencyKey'>;

const FATAL_FETCH_CODES = new Set([
  'APIQ_SSRF_BLOCKED',
  'APIQ_HTTP_INVALID_URL',
  'APIQ_HTTP_INVALID_REQUEST',
  'APIQ_HTTP_RESPONSE_TOO_LARGE',
  'APIQ_HTTP_TOO_MANY_REDIRECTS',
  'APIQ_HTTP_REDIRECT_REFUSED',
]);

/**
 * Calls the Stripe API with the step's `stripe` credential: form-encoded bodies, and on POST an
 * `Idempotency-Key` equal to the step's idempotency key, so a retried step never charges twice.
 * 429 → RateLimitedError, 5xx (or `Stripe-Should-Retry: true`) → RetryableError, other 4xx →
 * FatalError with Stripe's message.
 *
 * @example
 * const { body } = await callStripe(ctx, { method: 'POST', path: '/v1/customers', params: { email } });
 */
export async function callStripe(ctx: Ctx, call: StripeCall): Promise<StripeResponse> {
  const values = ctx.credentials.stripe;
  if (!values?.secretKey)
    throw new FatalError('no Stripe credential: select a Stripe credential (with a secret key) on this step');
  const base = (credentialBaseUrl(stripeCredential, values) ?? 'https://api.stripe.com').replace(/\/+$/, '');
  const url = new URL(base + call.path);
  if (!call.path.startsWith('/') || url.origin !== new URL(base).origin)
    throw new FatalError(`path "${call.path.slice(0, 100)}" must start with "/" and stay on the Stripe API host`);
  const encoded = stripeFormEncode(call.params ?? {});
  const headers = new Headers({ 'user-agent': 'APIQ' });
  if (call.method === 'POST') {
    headers.set('content-type', 'application/x-www-form-urlencoded');
    headers.set('idempotency-key', ctx.idempotencyKey);
  } else if (encoded) url.search = url.search ? `${url.search.slice(1)}&${encoded}` : encoded;
  applyCredentialAuth(stripeCredential, values, url, headers);
  const target = `Stripe ${call.method} ${call.path}`;
  let res: Response;
  let text: string;
  try {
    res = await ctx.fetch(url, {
      method: call.method,
      headers,
      ...(call.method === 'POST' ? { body: encoded } : {}),
      signal: ctx.signal,
    });
    text = await res.text();
  } catch (err) {
    if (ctx.signal.aborted || err instanceof NodeError) throw err;
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    if (typeof code === 'string' && FATAL_FETCH_CODES.has(code))
      throw new FatalError(`${target}: ${message}`, { cause: err });
    // Safe to retry: POSTs carry the same Idempotency-Key every attempt.
    throw new RetryableError(`${target} failed: ${message}`, { cause: err });
  }
  let body: Json;
  try {
    body = text === '' ? null : (JSON.parse(text) as Json);
  } catch {
    body = text;
  }
  if (res.status >= 400 && call.failOnStatus !== false) throw stripeError(target, res.status, res.headers, body);
  return { status: res.status, headers: res.headers, body };
}

/** A typed error for a Stripe error answer (`{ error: { type, code, message, param } }`). */
export function stripeError(target: string, status: number, headers: Headers, body: Json): NodeError {
  const e =
    body && typeof body === 'object' && !Array.isArray(body) && body.error && typeof body.error === 'object'
      ? (body.error as Record<string, Json>)
      : {};
  const kind = [e.type, e.code, e.decline_code].filter((x) => typeof x === 'string').join(' ');
  const text = typeof e.message === 'string' ? e.message : typeof body === 'string' ? body.slice(0, 200) : 'no details';
  const param = typeof e.param === 'string' ? ` (param "${e.param}")` : '';
  const hint = status === 401 ? '; check the secret key of the Stripe credential' : '';
  const message = `${target} answered ${status}${kind ? ` ${kind}` : ''}: ${text}${param}${hint}`;
  const details = { status, ...(typeof e.code === 'string' ? { code: e.code } : {}) };
  if (status === 429)
    return new RateLimitedError(message, parseRetryAfter(headers.get('retry-after')) ?? 1000, { details });
  const shouldRetry = headers.get('stripe-should-retry');
  if (shouldRetry === 'true') return new RetryableError(message, { details });
  if (shouldRetry === 'false') return new FatalError(message, { details });
  const err = errorForStatus(status, message, headers.get('retry-after'));
  return err.kind === 'fatal' ? new FatalError(message, { details }) : err;
}
