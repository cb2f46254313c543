import { describe, expect, it } from 'vitest';
import { WebhookRateLimiter, webhookRateLimitFromEnv } from './webhook-rate-limit.ts';

describe('WebhookRateLimiter', () => {
  it('allows the burst, refuses the next with Retry-After, and refills over time', () => {
    let now = 1_000_000;
    const limiter = new WebhookRateLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('POST a').allowed)).toEqual([true, true, true]);
    const refused = limiter.take('POST a');
    expect(refused.allowed).toBe(false);
    expect(refused.headers).toMatchObject({ 'Retry-After': '1', 'RateLimit-Limit': '3', 'RateLimit-Remaining': '0' });
    expect(limiter.take('POST b').allowed).toBe(true);
    now += 500;
    expect(limiter.take('POST a').allowed).toBe(true);
    expect(limiter.take('POST a').allowed).toBe(false);
  });

  it('reads the limit from the environment and explains a bad value', () => {
    expect(webhookRateLimitFromEnv({})).toBeUndefined();
    expect(webhookRateLimitFromEnv({ APIQ_WEBHOOK_RATE_LIMIT: '50:100' })).toEqual({ perSecond: 50, burst: 100 });
    expect(() => webhookRateLimitFromEnv({ APIQ_WEBHOOK_RATE_LIMIT: 'lots' })).toThrow(
      'APIQ_WEBHOOK_RATE_LIMIT must be',
    );
  });
});
