import { describe, expect, it } from 'vitest';
import { backOffFor } from './limited-fetch.ts';

const response = (status: number, retryAfter?: string) =>
  new Response(null, { status, headers: retryAfter ? { 'retry-after': retryAfter } : {} });

describe('backOffFor', () => {
  it('holds a connection back after a 429 (1 s without Retry-After) or a 503 that names a Retry-After', () => {
    expect(backOffFor(response(429, '2'))).toBe(2000);
    expect(backOffFor(response(429))).toBe(1000);
    const at = new Date(Date.now() + 10_000).toUTCString();
    expect(backOffFor(response(429, at))).toBeGreaterThan(8000);
    expect(backOffFor(response(503, '3'))).toBe(3000);
  });

  it('leaves other answers alone', () => {
    expect(backOffFor(response(503))).toBeUndefined();
    expect(backOffFor(response(500, '5'))).toBeUndefined();
    expect(backOffFor(response(200))).toBeUndefined();
  });
});
