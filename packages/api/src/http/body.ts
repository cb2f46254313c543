import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../errors.ts';

/** Largest request body the API accepts (a big workflow graph fits many times over). */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * Reads a request body, refusing (413) one larger than `limit` — by its Content-Length before
 * reading, or as soon as the bytes read pass the limit.
 */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): ApiError {
  return new ApiError('payload_too_large', `The request body is larger than ${limit} bytes; send less data.`);
}

/** Sends a JSON response (no caching: API answers are per caller and change often). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Sends an API error as `{ error, message, issues? }` with its status. */
export function sendError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.status, { error: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) });
}
