import autocannon from 'autocannon';
import { percentile, round } from './stats.ts';

export interface LoadOptions {
  url: string;
  /** JSON request body. */
  body: string;
  /** The exact response body a correct answer has; any other body counts as an error. */
  expectBody: string;
  connections: number;
  durationSec: number;
  /** Stops the load early (the result covers what ran). */
  signal?: AbortSignal;
}

export interface LoadResult {
  /** Mean of the per-second counts of completed requests. */
  reqPerSec: number;
  /** Latency percentiles of 2xx responses, in ms (measured to the microsecond, not autocannon's whole ms). */
  p50Ms: number;
  p99Ms: number;
  /** Failed requests: connection errors and timeouts, non-2xx statuses and wrong bodies. */
  errors: number;
  requests: number;
  detail: { errors: number; timeouts: number; non2xx: number; mismatches: number };
}

/**
 * POSTs `body` to `url` from `connections` keep-alive connections, each sending its next request
 * as soon as the previous one is answered, for `durationSec` seconds (autocannon).
 *
 * @example
 * const r = await runLoad({ url: 'http://127.0.0.1:3000/webhook/w1', body: '{"a":1}', expectBody: '{"a":1}', connections: 10, durationSec: 10 });
 * console.log(r.reqPerSec, r.p99Ms, r.errors);
 */
export function runLoad(o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: o.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: o.body,
        connections: o.connections,
        duration: o.durationSec,
        timeout: 30,
        expectBody: o.expectBody,
      },
      (err, result) => {
        o.signal?.removeEventListener('abort', onAbort);
        if (err) return reject(err);
        // autocannon counts a timeout as an error too, so errors already includes timeouts.
        const errors = result.errors + result.non2xx + result.mismatches;
        resolve({
          reqPerSec: round(result.requests.mean, 1),
          p50Ms: latencies.length ? round(percentile(latencies, 50)) : NaN,
          p99Ms: latencies.length ? round(percentile(latencies, 99)) : NaN,
          errors,
          requests: result.requests.total,
          detail: {
            errors: result.errors,
            timeouts: result.timeouts,
            non2xx: result.non2xx,
            mismatches: result.mismatches,
          },
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
    const onAbort = () => instance.stop();
    if (o.signal?.aborted) instance.stop();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
