import { parseRetryAfter, type NodeFetch } from '@apiq/sdk';
import type { RequestGate } from '../limits/request-gate.ts';

/** Hold-back after a 429 that names no Retry-After. */
const DEFAULT_BACK_OFF_MS = 1000;

/**
 * Wraps a step's fetch so every request waits for its connection's limits (rate, burst,
 * concurrency) and a 429 (or a 503 with Retry-After) holds back the connection's next requests
 * until Retry-After. Only steps whose credentials include a limited connection get it; the
 * others keep the plain fetch.
 *
 * @example
 * const fetch = limitedFetch(safeFetch, limiter.gateFor(step.credentials)!, ctx.signal);
 * await fetch('https://api.example.com/items'); // waits for a slot and a send time first
 */
export function limitedFetch(fetch: NodeFetch, gate: RequestGate, stepSignal?: AbortSignal): NodeFetch {
  return async (url, init) => {
    const signals = [stepSignal, init?.signal ?? undefined].filter((s): s is AbortSignal => s !== undefined);
    const leave = await gate.enter(signals.length > 1 ? AbortSignal.any(signals) : signals[0]);
    try {
      const response = await fetch(url, init);
      const holdMs = backOffFor(response);
      if (holdMs !== undefined) await gate.backOff(holdMs);
      return response;
    } finally {
      leave();
    }
  };
}

/** How long the upstream asked us to wait, when it did. */
export function backOffFor(response: Pick<Response, 'status' | 'headers'>): number | undefined {
  const retryAfter = response.headers.get('retry-after');
  if (response.status === 429) return parseRetryAfter(retryAfter) ?? DEFAULT_BACK_OFF_MS;
  if (response.status === 503 && retryAfter) return parseRetryAfter(retryAfter);
  return undefined;
}
