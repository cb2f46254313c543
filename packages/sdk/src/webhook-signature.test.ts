import { createHmac } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from './webhook-signature.ts';

const secret = 'whsec_0123456789abcdef';
const body = '{"order":{"id":42,"total":99.5}}';
const t = 1_767_225_600; // 2026-01-01T00:00:00Z
const now = t * 1000;

describe('webhook signatures', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 in the documented header format', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhookBody(secret, body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('accepts a valid signature, from a string or the raw bytes', () => {
    const header = signWebhookBody(secret, body, t);
    expect(verifyWebhookSignature({ secret, header, body, now })).toEqual({ ok: true });
    expect(
      verifyWebhookSignature({ secret, header, body: Buffer.from(body), now: new Date(now), toleranceSeconds: 60 }),
    ).toEqual({ ok: true });
  });

  it('signs bytes exactly as received, not re-encoded', () => {
    const raw = Buffer.from([0xff, 0x00, 0x7b]); // not valid UTF-8
    const header = signWebhookBody(secret, raw, t);
    expect(verifyWebhookSignature({ secret, header, body: raw, now })).toEqual({ ok: true });
    expect(verifyWebhookSignature({ secret, header, body: raw.toString('utf8'), now })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('accepts any one of several v1 signatures (secret rotation) and ignores unknown schemes', () => {
    const good = signWebhookBody(secret, body, t).split(',v1=')[1];
    const other = signWebhookBody('another-secret-value-123', body, t).split(',v1=')[1];
    const header = `t=${t}, v1=${other}, v0=legacy, v1=${good}`;
    expect(verifyWebhookSignature({ secret, header, body, now })).toEqual({ ok: true });
  });

  it('rejects a tampered body, a wrong secret and a changed timestamp', () => {
    const header = signWebhookBody(secret, body, t);
    expect(verifyWebhookSignature({ secret, header, body: body.replace('99.5', '0.5'), now })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature({ secret: 'wrong-secret-0123456', header, body, now })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    const shifted = header.replace(`t=${t}`, `t=${t + 1}`);
    const result = verifyWebhookSignature({ secret, header: shifted, body, now });
    expect(result).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(result.ok === false && result.message).toMatch(/does not match the body/);
  });

  it('rejects a timestamp older than the tolerance (replay)', () => {
    const header = signWebhookBody(secret, body, t);
    expect(verifyWebhookSignature({ secret, header, body, now: now + 300_000 })).toEqual({ ok: true });
    const result = verifyWebhookSignature({ secret, header, body, now: now + 301_000 });
    expect(result).toMatchObject({ ok: false, reason: 'expired' });
    expect(result.ok === false && result.message).toMatch(/301s old, more than the allowed 300s/);
    expect(verifyWebhookSignature({ secret, header, body, now: now + 61_000, toleranceSeconds: 60 })).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it('rejects a timestamp too far in the future', () => {
    const header = signWebhookBody(secret, body, t + 400);
    const result = verifyWebhookSignature({ secret, header, body, now });
    expect(result).toMatchObject({ ok: false, reason: 'future' });
    expect(result.ok === false && result.message).toMatch(/400s in the future/);
  });

  it('rejects missing and malformed headers with a reason', () => {
    const sig = signWebhookBody(secret, body, t).split(',v1=')[1];
    expect(verifyWebhookSignature({ secret, header: undefined, body, now })).toMatchObject({
      ok: false,
      reason: 'missing',
    });
    expect(verifyWebhookSignature({ secret, header: '', body, now })).toMatchObject({ ok: false, reason: 'missing' });
    for (const header of [
      'garbage',
      `v1=${sig}`,
      `t=${t}`,
      `t=${t},v1=abc`,
      `t=soon,v1=${sig}`,
      `t=${t},t=${t},v1=${sig}`,
      `t=-5,v1=${sig}`,
      `=x,t=${t},v1=${sig}`,
    ]) {
      expect(verifyWebhookSignature({ secret, header, body, now }), header).toMatchObject({
        ok: false,
        reason: 'malformed',
      });
    }
  });

  it('refuses to sign with a timestamp that is not whole unix seconds', () => {
    expect(() => signWebhookBody(secret, body, 1.5)).toThrow(/whole unix seconds/);
  });
});
