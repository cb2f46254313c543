import { isFormBody, type HttpRequestParams } from './params.ts';

/** fetch's init plus the safe client's per-call timeout (a plain fetch ignores it). */
export type OutboundInit = RequestInit & { timeoutMs?: number };

/**
 * Turns validated params into the URL and init for `ctx.fetch`.
 *
 * @example
 * buildRequest({ method: 'POST', url: 'https://api.test/items', query: { dry: true }, body: { a: 1 }, bodyType: 'json', ... }, 'key-1');
 * // → { url: URL('https://api.test/items?dry=true'), init: { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' }, ... } }
 */
export function buildRequest(params: HttpRequestParams, idempotencyKey: string): { url: URL; init: OutboundInit } {
  const url = new URL(params.url);
  for (const [key, value] of Object.entries(params.query ?? {})) url.searchParams.append(key, String(value));

  const headers = new Headers(params.headers ?? {});
  if (params.sendIdempotencyKey && !headers.has('idempotency-key')) headers.set('idempotency-key', idempotencyKey);

  const init: OutboundInit = {
    method: params.method,
    headers,
    redirect: params.followRedirects ? 'follow' : 'manual',
  };
  if (params.timeoutMs !== undefined) init.timeoutMs = params.timeoutMs;

  const body = params.body;
  if (body !== undefined && body !== null) {
    if (params.bodyType === 'form' && isFormBody(body)) {
      const form = new URLSearchParams();
      for (const [key, value] of Object.entries(body)) {
        for (const item of Array.isArray(value) ? value : [value]) form.append(key, String(item));
      }
      init.body = form;
    } else if (params.bodyType === 'text') {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    } else {
      init.body = JSON.stringify(body);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
  }
  return { url, init };
}

/** Origin and path only: query strings often carry API keys, and messages end up in run data. */
export function describeTarget(method: string, url: URL): string {
  return `${method} ${url.origin}${url.pathname}`;
}
