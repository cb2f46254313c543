import { describe, expect, it } from 'vitest';
import {
  breakerDisabledByEnv,
  breakerKey,
  createCircuitBreaker,
  isFailureStatus,
  type CircuitBreakerOptions,
} from './circuit-breaker.ts';
import { CircuitOpenError } from './errors.ts';

const HOST = 'api.example.com:443';

function fakeClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function breakerWith(options: Omit<CircuitBreakerOptions, 'clock'> = {}) {
  const clock = fakeClock();
  const breaker = createCircuitBreaker({
    failureThreshold: 3,
    windowMs: 10_000,
    cooldownMs: 5_000,
    ...options,
    clock: clock.now,
  });
  const fail = (times = 1, host = HOST) => {
    for (let i = 0; i < times; i++) breaker.acquire(host).failure();
  };
  return { clock, breaker, fail };
}

function refusal(call: () => unknown): CircuitOpenError {
  try {
    call();
  } catch (err) {
    if (err instanceof CircuitOpenError) return err;
    throw err;
  }
  throw new Error('expected the call to be refused with CircuitOpenError');
}

describe('createCircuitBreaker', () => {
  it('starts closed and opens after failureThreshold consecutive failures', () => {
    const { clock, breaker, fail } = breakerWith();
    expect(breaker.state(HOST)).toEqual({ host: HOST, state: 'closed', failures: 0, openedAt: null, nextTryAt: null });
    fail(2);
    expect(breaker.state(HOST)).toMatchObject({ state: 'closed', failures: 2 });
    fail(1);
    expect(breaker.state(HOST)).toEqual({
      host: HOST,
      state: 'open',
      failures: 3,
      openedAt: clock.now(),
      nextTryAt: clock.now() + 5_000,
    });

    clock.advance(2_100);
    const err = refusal(() => breaker.acquire(HOST, 'https://api.example.com/v1/items'));
    expect(err).toMatchObject({ code: 'APIQ_CIRCUIT_OPEN', host: HOST, failures: 3, retryAfterMs: 2_900 });
    expect(err.url).toBe('https://api.example.com/v1/items');
    expect(err.message).toBe('circuit open for api.example.com:443 after 3 consecutive failures; next try in 3 s');
  });

  it('keeps hosts apart', () => {
    const { breaker, fail } = breakerWith();
    fail(3, 'a.example.com:443');
    expect(() => breaker.acquire('a.example.com:443')).toThrow(CircuitOpenError);
    expect(() => breaker.acquire('a.example.com:80').success()).not.toThrow();
    expect(() => breaker.acquire('b.example.com:443').success()).not.toThrow();
  });

  it('resets the count on any success', () => {
    const { breaker, fail } = breakerWith();
    fail(2);
    breaker.acquire(HOST).success();
    expect(breaker.state(HOST)).toMatchObject({ state: 'closed', failures: 0 });
    fail(2);
    expect(breaker.state(HOST)).toMatchObject({ state: 'closed', failures: 2 });
  });

  it('forgets failures older than windowMs', () => {
    const { clock, breaker, fail } = breakerWith();
    fail(2);
    clock.advance(9_999);
    expect(breaker.state(HOST)).toMatchObject({ state: 'closed', failures: 2 });
    clock.advance(1); // now exactly windowMs old
    expect(breaker.state(HOST)).toMatchObject({ state: 'closed', failures: 0 });
    fail(2);
    expect(breaker.state(HOST)).toMatchObject({ state: 'closed', failures: 2 });
    fail(1);
    expect(breaker.state(HOST)).toMatchObject({ state: 'open', failures: 3 });
  });

  it('lets one trial through after the cooldown; success closes the circuit', () => {
    const { clock, breaker, fail } = breakerWith();
    fail(3);
    clock.advance(5_000);
    expect(breaker.state(HOST).state).toBe('half_open');
    const trial = breaker.acquire(HOST);

    const waiting = refusal(() => breaker.acquire(HOST));
    expect(waiting.retryAfterMs).toBe(1_000);
    expect(waiting.message).toBe(
      'circuit half-open, a trial request is in flight, for api.example.com:443 after 3 consecutive failures; next try in 1 s',
    );
    expect(breaker.state(HOST).state).toBe('half_open');

    trial.success();
    expect(breaker.state(HOST)).toEqual({ host: HOST, state: 'closed', failures: 0, openedAt: null, nextTryAt: null });
    expect(() => breaker.acquire(HOST).success()).not.toThrow();
  });

  it('re-opens for another cooldown when the trial fails, counting the failed trial', () => {
    const { clock, breaker, fail } = breakerWith();
    fail(3);
    clock.advance(7_000);
    breaker.acquire(HOST).failure();
    expect(breaker.state(HOST)).toEqual({
      host: HOST,
      state: 'open',
      failures: 4,
      openedAt: clock.now(),
      nextTryAt: clock.now() + 5_000,
    });
    expect(refusal(() => breaker.acquire(HOST)).retryAfterMs).toBe(5_000);
    clock.advance(4_999);
    expect(() => breaker.acquire(HOST)).toThrow(CircuitOpenError);
    clock.advance(1);
    breaker.acquire(HOST).success();
    expect(breaker.state(HOST).state).toBe('closed');
  });

  it('frees the trial slot when the trial ends without a verdict (aborted, refused address)', () => {
    const { clock, breaker, fail } = breakerWith();
    fail(3);
    clock.advance(5_000);
    breaker.acquire(HOST).release();
    expect(breaker.state(HOST)).toMatchObject({ state: 'half_open', failures: 3 });
    const second = breaker.acquire(HOST);
    expect(() => breaker.acquire(HOST)).toThrow(CircuitOpenError);
    second.success();
    expect(breaker.state(HOST).state).toBe('closed');
  });

  it('ignores outcomes of calls let through before the circuit opened', () => {
    const { clock, breaker, fail } = breakerWith();
    const early = breaker.acquire(HOST);
    const late = breaker.acquire(HOST);
    fail(3);
    early.success();
    expect(breaker.state(HOST)).toMatchObject({ state: 'open', failures: 3 });
    clock.advance(5_000);
    breaker.acquire(HOST).success();
    late.failure();
    expect(breaker.state(HOST)).toMatchObject({ state: 'closed', failures: 0 });
  });

  it('counts each permit once', () => {
    const { breaker } = breakerWith();
    const permit = breaker.acquire(HOST);
    permit.failure();
    permit.failure();
    permit.failure();
    expect(breaker.state(HOST).failures).toBe(1);
  });

  it('lists hosts with failures or open circuits, sorted, and drops recovered ones', () => {
    const { clock, breaker, fail } = breakerWith();
    fail(3, 'b.example.com:443');
    fail(1, 'a.example.com:80');
    breaker.acquire('c.example.com:443').success();
    const openedAt = clock.now();
    clock.advance(1_000);
    expect(breaker.snapshot()).toEqual([
      { host: 'a.example.com:80', state: 'closed', failures: 1, openedAt: null, nextTryAt: null },
      { host: 'b.example.com:443', state: 'open', failures: 3, openedAt, nextTryAt: openedAt + 5_000 },
    ]);
    breaker.acquire('a.example.com:80').success();
    clock.advance(4_000);
    expect(breaker.snapshot()).toEqual([
      { host: 'b.example.com:443', state: 'half_open', failures: 3, openedAt, nextTryAt: openedAt + 5_000 },
    ]);
  });

  it('uses 5 failures, a 60 s window and a 30 s cooldown by default', () => {
    const clock = fakeClock();
    const breaker = createCircuitBreaker({ clock: clock.now });
    for (let i = 0; i < 4; i++) {
      breaker.acquire(HOST).failure();
      clock.advance(14_000);
    }
    breaker.acquire(HOST).failure(); // the fifth, 56 s after the first
    expect(breaker.state(HOST)).toMatchObject({ state: 'open', failures: 5 });
    expect(refusal(() => breaker.acquire(HOST)).message).toBe(
      'circuit open for api.example.com:443 after 5 consecutive failures; next try in 30 s',
    );
    clock.advance(30_000);
    expect(breaker.state(HOST).state).toBe('half_open');
  });

  it('refuses nonsensical settings', () => {
    expect(() => createCircuitBreaker({ failureThreshold: 0 })).toThrow(
      /failureThreshold must be a whole number ≥ 1, got 0/,
    );
    expect(() => createCircuitBreaker({ failureThreshold: 2.5 })).toThrow(/failureThreshold/);
    expect(() => createCircuitBreaker({ windowMs: -1 })).toThrow(
      /windowMs must be a positive number of milliseconds, got -1/,
    );
    expect(() => createCircuitBreaker({ cooldownMs: Number.NaN })).toThrow(/cooldownMs/);
  });
});

describe('circuit breaker helpers', () => {
  it('keys circuits by host and port, default ports written out', () => {
    expect(breakerKey(new URL('https://API.example.com/v1'))).toBe('api.example.com:443');
    expect(breakerKey(new URL('http://api.example.com/'))).toBe('api.example.com:80');
    expect(breakerKey(new URL('http://127.0.0.1:8080/x'))).toBe('127.0.0.1:8080');
    expect(breakerKey(new URL('http://[::1]:9000/'))).toBe('[::1]:9000');
  });

  it('counts only 5xx statuses as failures', () => {
    expect([200, 302, 400, 404, 408, 429, 500, 503, 599].filter(isFailureStatus)).toEqual([500, 503, 599]);
  });

  it('reads APIQ_HTTP_BREAKER', () => {
    expect(breakerDisabledByEnv({})).toBe(false);
    expect(breakerDisabledByEnv({ APIQ_HTTP_BREAKER: 'on' })).toBe(false);
    expect(breakerDisabledByEnv({ APIQ_HTTP_BREAKER: ' OFF ' })).toBe(true);
    expect(() => breakerDisabledByEnv({ APIQ_HTTP_BREAKER: 'disabled' })).toThrow(
      'APIQ_HTTP_BREAKER="disabled" is not valid; use "off" or "on"',
    );
  });
});
