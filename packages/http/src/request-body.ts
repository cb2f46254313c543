import { SAFE_FETCH_ERROR_CODES, SafeFetchError } from './errors.ts';

/** Plain objects and arrays are sent as JSON (`content-type: application/json` unless set). */
export type JsonBody = { [key: string]: unknown } | unknown[];

/** What fetch accepts as a body (string, bytes, URLSearchParams, FormData, Blob, stream). */
export type FetchBody = NonNullable<RequestInit['body']>;

export type SafeBody = FetchBody | JsonBody | null | undefined;

/**
 * Turns a request body into bytes, buffered so redirects (307/308) can replay it, and sets
 * a default content-type the way fetch does.
 *
 * @example
 * const headers = new Headers();
 * await encodeBody({ a: 1 }, headers, 'http://api.test/'); // → Buffer '{"a":1}', content-type application/json
 */
export async function encodeBody(body: SafeBody, headers: Headers, url: string): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  const setType = (type: string) => {
    if (!headers.has('content-type')) headers.set('content-type', type);
  };
  if (typeof body === 'string') {
    setType('text/plain;charset=UTF-8');
    return Buffer.from(body, 'utf8');
  }
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (isPlainJson(body)) {
    setType('application/json');
    return Buffer.from(JSON.stringify(body), 'utf8');
  }
  if (
    body instanceof URLSearchParams ||
    body instanceof Blob ||
    body instanceof FormData ||
    body instanceof ReadableStream
  ) {
    // Response encodes every BodyInit the way fetch would (multipart boundaries, charsets).
    const encoded = new Response(body as FetchBody);
    const type = encoded.headers.get('content-type');
    if (type) setType(type);
    return Buffer.from(await encoded.arrayBuffer());
  }
  throw new SafeFetchError(
    SAFE_FETCH_ERROR_CODES.invalidRequest,
    `request body for ${url} has an unsupported type (${Object.prototype.toString.call(body)}); use a string, bytes, URLSearchParams, FormData, Blob, a stream or a plain object (sent as JSON)`,
    { url },
  );
}

function isPlainJson(value: unknown): value is JsonBody {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
