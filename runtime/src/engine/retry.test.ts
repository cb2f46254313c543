import { describe, expect, it } from 'vitest';
import { nextRetryDelay } from './retry.ts';

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
