import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { ResponseTooLargeError, SAFE_FETCH_ERROR_CODES, SafeFetchError } from './errors.ts';

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export interface ResponseOptions {
  method: string;
  /** Final URL after redirects (credentials removed). */
  url: string;
  redirected: boolean;
  maxBytes: number;
  /** Called once when the body is fully read, fails or is cancelled (clears timers and listeners). */
  onSettled: () => void;
}

/**
 * Wraps a Node response in a WHATWG Response: headers copied, body decompressed (gzip,
 * deflate, br) and capped at `maxBytes` of decoded data — a compressed bomb fails the
 * same way as a plain oversized body.
 *
 * @returns the Response plus `fail`, which errors the body stream (used by timeouts and aborts).
 */
export function toWebResponse(
  res: IncomingMessage,
  options: ResponseOptions,
): { response: Response; fail: (err: unknown) => void } {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 599) {
    res.destroy();
    options.onSettled();
    throw new SafeFetchError(
      SAFE_FETCH_ERROR_CODES.badResponse,
      `${options.url} answered with an invalid HTTP status ${status}`,
      {
        url: options.url,
      },
    );
  }
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    try {
      headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
    } catch {
      // A header value fetch would refuse (control characters): drop it rather than fail the call.
    }
  }

  const declared = Number(res.headers['content-length']);
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (!encoding && Number.isFinite(declared) && declared > options.maxBytes) {
    res.destroy();
    options.onSettled();
    throw new ResponseTooLargeError(options.maxBytes, options.url);
  }

  const init = { status, statusText: res.statusMessage ?? '', headers };
  if (options.method === 'HEAD' || NULL_BODY_STATUSES.has(status)) {
    res.resume();
    res.once('end', options.onSettled);
    res.once('close', options.onSettled);
    return { response: decorate(new Response(null, init), options), fail: () => res.destroy() };
  }

  const source = decoded(res, encoding);
  const body = capped(source, res, options);
  return { response: decorate(new Response(body.stream, init), options), fail: body.fail };
}

function decoded(res: IncomingMessage, encoding: string): Readable {
  const lenient = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  let decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = zlib.createGunzip(lenient);
  else if (encoding === 'deflate') decoder = zlib.createInflate(lenient);
  else if (encoding === 'br') decoder = zlib.createBrotliDecompress();
  if (!decoder) return res;
  res.on('error', (err) => decoder.destroy(err));
  return res.pipe(decoder);
}

function capped(source: Readable, res: IncomingMessage, options: ResponseOptions) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let done = false;
  let total = 0;
  const finish = () => {
    if (done) return false;
    done = true;
    options.onSettled();
    return true;
  };
  const fail = (err: unknown) => {
    if (!finish()) return;
    controller.error(err);
    source.destroy();
    res.destroy();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        source.on('data', (chunk: Buffer) => {
          if (done) return;
          total += chunk.length;
          if (total > options.maxBytes) {
            fail(new ResponseTooLargeError(options.maxBytes, options.url));
            return;
          }
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        source.once('end', () => {
          if (finish()) controller.close();
        });
        source.once('error', (err) => {
          const reason = (err as NodeJS.ErrnoException).code ?? err.message;
          fail(
            new SafeFetchError(
              SAFE_FETCH_ERROR_CODES.connectionFailed,
              `reading the response from ${options.url} failed: ${reason}`,
              {
                url: options.url,
                cause: err,
              },
            ),
          );
        });
        source.once('close', () => {
          if (!done)
            fail(
              new SafeFetchError(
                SAFE_FETCH_ERROR_CODES.connectionFailed,
                `${options.url} closed the connection before the response body was complete`,
                { url: options.url },
              ),
            );
        });
      },
      pull() {
        source.resume();
      },
      cancel() {
        finish();
        source.destroy();
        res.destroy();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
  return { stream, fail };
}

/** `Response.url` and `redirected` are read-only getters; define them on the instance (and on clones). */
function decorate(response: Response, options: ResponseOptions): Response {
  Object.defineProperty(response, 'url', { value: options.url, enumerable: true });
  Object.defineProperty(response, 'redirected', { value: options.redirected, enumerable: true });
  const clone = response.clone.bind(response);
  Object.defineProperty(response, 'clone', { value: () => decorate(clone(), options) });
  return response;
}
