import { describe, expect, it } from 'vitest';
import { FREE_RATE_LIMITED_ATTEMPTS, nextRetryDelay } from './retry.ts';

const policy = { maxAttempts: 4, backoffMs: 1000, maxBackoffMs: 5000 };
const retryable = { kind: 'retryable' as const, name: 'Error', message: 'x' };

describe('nextRetryDelay', () => {
  it('backs off exponentially with jitter between half and the full delay', () => {
    expect(nextRetryDelay(policy, 1, retryable, () => 0)).toBe(500);
    expect(nextRetryDelay(policy, 1, retryable, () => 1)).toBe(1000);
    expect(nextRetryDelay(policy, 2, retryable, () => 1)).toBe(2000);
    expect(nextRetryDelay(policy, 3, retryable, () => 0)).toBe(2000);
  });
  it('caps the delay at maxBackoffMs', () => {
    expect(nextRetryDelay({ ...policy, maxAttempts: 10 }, 8, retryable, () => 1)).toBe(5000);
  });
  it('stops after maxAttempts and never retries fatal or cancelled errors', () => {
    expect(nextRetryDelay(policy, 4, retryable)).toBeUndefined();
    expect(nextRetryDelay(policy, 1, { ...retryable, kind: 'fatal' })).toBeUndefined();
    expect(nextRetryDelay(policy, 1, { ...retryable, kind: 'cancelled' })).toBeUndefined();
  });
  it('honours Retry-After when it is longer than the backoff', () => {
    expect(nextRetryDelay(policy, 1, { ...retryable, kind: 'rate_limited', retryAfterMs: 7000 }, () => 1)).toBe(7000);
    expect(nextRetryDelay(policy, 3, { ...retryable, kind: 'rate_limited', retryAfterMs: 10 }, () => 1)).toBe(4000);
  });
});

describe('nextRetryDelay with rate limits', () => {
  const once = { maxAttempts: 1, backoffMs: 100, maxBackoffMs: 1000 };
  const limited = { kind: 'rate_limited' as const, name: 'RateLimitedError', message: '429', retryAfterMs: 1000 };

  it('retries a rate-limited attempt without using up the retry budget', () => {
    expect(nextRetryDelay(once, 1, limited, () => 1)).toBe(1000);
    expect(nextRetryDelay(once, 1, retryable, () => 1)).toBeUndefined();
    // Two 429s, then a real failure: that one is the single attempt the policy allows.
    expect(nextRetryDelay(once, 3, retryable, () => 1, 2)).toBeUndefined();
    expect(nextRetryDelay({ ...once, maxAttempts: 2 }, 3, retryable, () => 1, 2)).toBe(400);
  });

  it('counts rate-limited attempts beyond the free ones like any other', () => {
    const free = FREE_RATE_LIMITED_ATTEMPTS;
    expect(nextRetryDelay(once, free, limited, () => 1, free - 1)).toBe(1000);
    expect(nextRetryDelay(once, free + 1, limited, () => 1, free)).toBeUndefined();
    expect(nextRetryDelay({ ...once, maxAttempts: 2 }, free + 1, limited, () => 1, free)).toBe(1000);
    expect(nextRetryDelay({ ...once, maxAttempts: 2 }, free + 2, limited, () => 1, free + 1)).toBeUndefined();
  });
});
