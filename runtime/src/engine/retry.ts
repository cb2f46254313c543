import type { SerializedError } from '@apiq/sdk';
import type { ResolvedPolicy } from '@apiq/graph';

/**
 * Delay before the next attempt, or undefined when the step should not be retried.
 * Exponential backoff with "equal jitter" (half fixed, half random) so retries of many
 * runs against one failing API spread out; a rate limit's Retry-After wins when longer.
 */
export function nextRetryDelay(
  policy: ResolvedPolicy['retry'],
  attempt: number,
  error: SerializedError,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  if (error.kind === 'fatal' || error.kind === 'cancelled') return undefined;
  const exp = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1));
  const jittered = Math.round(exp / 2 + random() * (exp / 2));
  if (error.kind === 'rate_limited' && error.retryAfterMs !== undefined) return Math.max(error.retryAfterMs, jittered);
  return jittered;
}
