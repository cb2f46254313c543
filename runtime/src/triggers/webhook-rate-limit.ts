/** A per-endpoint request budget: a token bucket refilled continuously. */
export interface WebhookRateLimit {
  /** Sustained requests per second for one webhook endpoint (in this web process). */
  perSecond: number;
  /** Requests allowed at once above the sustained rate. Default: one second's worth. */
  burst?: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Headers to send: the standard RateLimit fields, and Retry-After when refused. */
  headers: Record<string, string>;
}

/**
 * Token buckets keyed by endpoint (`METHOD path`), in memory: a flood guard per web process that
 * costs one map lookup per delivery. Shared budgets across processes belong to a proxy in front.
 *
 * @example
 * const limiter = new WebhookRateLimiter({ perSecond: 50 });
 * if (!limiter.take('POST orders').allowed) respond 429
 */
export class WebhookRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly burst: number;

  constructor(
    private readonly limit: WebhookRateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.burst = Math.max(1, limit.burst ?? limit.perSecond);
  }

  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.buckets.delete(this.buckets.keys().next().value!);
    const resetSeconds = Math.max(1, Math.ceil((1 - Math.min(1, bucket.tokens)) / this.limit.perSecond));
    const headers: Record<string, string> = {
      'RateLimit-Limit': String(this.burst),
      'RateLimit-Remaining': String(Math.floor(bucket.tokens)),
      'RateLimit-Reset': String(resetSeconds),
    };
    if (!allowed) headers['Retry-After'] = String(resetSeconds);
    return { allowed, headers };
  }
}

/** The limit from `APIQ_WEBHOOK_RATE_LIMIT` (`<perSecond>` or `<perSecond>:<burst>`), if set. */
export function webhookRateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookRateLimit | undefined {
  const raw = env.APIQ_WEBHOOK_RATE_LIMIT?.trim();
  if (!raw) return undefined;
  const m = /^(\d+(?:\.\d+)?)(?::(\d+))?$/.exec(raw);
  if (!m || Number(m[1]) <= 0)
    throw new Error(
      `APIQ_WEBHOOK_RATE_LIMIT must be "<requests per second>" or "<per second>:<burst>", e.g. "50:100"; got "${raw}"`,
    );
  return { perSecond: Number(m[1]), ...(m[2] ? { burst: Number(m[2]) } : {}) };
}
