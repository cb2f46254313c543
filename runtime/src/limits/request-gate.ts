/**
 * What a step's fetch asks before each request made with a limited connection. The executor's
 * connection limiter implements it; in a worker thread a proxy forwards it to the executor
 * thread over a message port (see gate-port.ts).
 */
export interface RequestGate {
  /**
   * Waits for this request's turn (a concurrency slot, then a send time). Resolves to the
   * function that ends the request (frees its slot). Rejects with a RateLimitedError when the
   * wait would exceed the limiter's bound, and with the signal's reason when it aborts.
   */
  enter(signal?: AbortSignal): Promise<() => void>;
  /**
   * The upstream said to slow down (429, or 503 with Retry-After): hold back every request for
   * `ms`. Resolves once recorded (never rejects).
   */
  backOff(ms: number): Promise<void>;
}
