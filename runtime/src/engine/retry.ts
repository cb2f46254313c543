import type { SerializedError } from '@apiq/sdk';
import type { ResolvedPolicy } from '@apiq/graph';

/**
 * Rate-limited attempts (429 with Retry-After, an open circuit, a connection's queue too long)
 * a step may make beyond its `maxAttempts`: waiting for an API to let us in is not a failure of
 * the step. Past this many, rate-limited attempts count like any other.
 */
export const FREE_RATE_LIMITED_ATTEMPTS = 10;

/**
 * Delay before the next attempt, or undefined when the step should not be retried.
 * Exponential backoff with "equal jitter" (half fixed, half random) so retries of many
 * runs against one failing API spread out; a rate limit's Retry-After wins when longer.
 * `rateLimitedBefore`: earlier attempts of the step that ended rate-limited; up to
 * FREE_RATE_LIMITED_ATTEMPTS of them (this one included) do not count against `maxAttempts`.
 *
 * @example
 * nextRetryDelay({ maxAttempts: 1, backoffMs: 1000, maxBackoffMs: 60_000 }, 1, { kind: 'rate_limited', name: 'RateLimitedError', message: '429', retryAfterMs: 1000 });
 * // → 1000: the 429 does not use up the single attempt
 */
export function nextRetryDelay(
  policy: ResolvedPolicy['retry'],
  attempt: number,
  error: SerializedError,
  random: () => number = Math.random,
  rateLimitedBefore = 0,
): number | undefined {
  if (error.kind === 'fatal' || error.kind === 'cancelled') return undefined;
  const rateLimited = rateLimitedBefore + (error.kind === 'rate_limited' ? 1 : 0);
  const counted = attempt - Math.min(rateLimited, FREE_RATE_LIMITED_ATTEMPTS);
  if (counted >= policy.maxAttempts) return undefined;
  const exp = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1));
  const jittered = Math.round(exp / 2 + random() * (exp / 2));
  if (error.kind === 'rate_limited' && error.retryAfterMs !== undefined) return Math.max(error.retryAfterMs, jittered);
  return jittered;
}
