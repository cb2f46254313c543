import { FatalError } from '@apiq/sdk';
import { coerceScalar } from './check-args.ts';
import type { ApiOperationParams } from './params.ts';
import { serializeHeader, serializePath, serializeQuery } from './serialize-parameter.ts';

/** fetch's init plus the safe client's per-call timeout (a plain fetch ignores it). */
export type OutboundInit = RequestInit & { timeoutMs?: number };

export interface BuiltRequest {
  url: string;
  init: OutboundInit;
  headers: Headers;
  /** `GET https://api.test/pets/{petId}` style, without the query (it may carry keys). */
  target: string;
}

/**
 * Builds the HTTP request for an operation from its arguments: path parameters expanded into
 * the template, query parameters serialized per their style, headers set, and the body encoded
 * for the operation's content type. `serverUrl` may be replaced by a credential's base URL.
 *
 * @example
 * buildRequest({ operation: getPetById, args: { path: { petId: 10 }, query: {}, headers: {} }, ... }, 'https://petstore.test/v3', 'key');
 * // → { url: 'https://petstore.test/v3/pet/10', init: { method: 'GET', ... }, ... }
 */
export function buildRequest(params: ApiOperationParams, serverUrl: string, idempotencyKey: string): BuiltRequest {
  const { operation: op, args } = params;
  const byName = (place: 'path' | 'query' | 'header', name: string) =>
    op.parameters.find((p) => p.in === place && p.name === name);

  const path = op.path.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    const param = byName('path', name);
    const value = args.path[name];
    if (!param || value === undefined || value === null) {
      throw new FatalError(`${op.operationId}: path parameter "${name}" has no value; set args.path.${name}`);
    }
    return serializePath(param, coerceScalar(value, param.schema));
  });
  const query: string[] = [];
  for (const [name, value] of Object.entries(args.query)) {
    if (value === undefined || value === null) continue;
    const param = byName('query', name);
    query.push(...serializeQuery(param ?? { name }, param ? coerceScalar(value, param.schema) : value));
  }
  const base = serverUrl.replace(/\/+$/, '');
  const url = `${base}${path}${query.length ? `?${query.join('&')}` : ''}`;

  const headers = new Headers();
  for (const [name, value] of Object.entries(args.headers)) {
    if (value === undefined || value === null) continue;
    headers.set(name, serializeHeader(byName('header', name) ?? {}, value));
  }
  if (params.sendIdempotencyKey && !headers.has('idempotency-key')) headers.set('idempotency-key', idempotencyKey);
  if (!headers.has('accept')) headers.set('accept', 'application/json, */*;q=0.8');

  const init: OutboundInit = { method: op.method, headers };
  if (params.timeoutMs !== undefined) init.timeoutMs = params.timeoutMs;
  const body = args.body;
  if (body !== undefined && body !== null && op.requestBody) {
    encodeBody(body, op.requestBody.contentType, headers, init);
  }
  return { url, init, headers, target: `${op.method} ${base}${op.path}` };
}

function encodeBody(body: unknown, contentType: string, headers: Headers, init: OutboundInit): void {
  const flat = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  if (/x-www-form-urlencoded/i.test(contentType) && isRecord(body)) {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(body)) {
      for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) form.append(key, flat(item));
    }
    init.body = form;
    return;
  }
  if (/^multipart\/form-data/i.test(contentType) && isRecord(body)) {
    const form = new FormData();
    for (const [key, value] of Object.entries(body)) {
      for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) form.append(key, flat(item));
    }
    init.body = form; // fetch sets the content type with its boundary
    return;
  }
  if (/json/i.test(contentType) || (typeof body === 'object' && !/^text\//i.test(contentType))) {
    init.body = JSON.stringify(body);
  } else {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  headers.set('content-type', contentType);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
