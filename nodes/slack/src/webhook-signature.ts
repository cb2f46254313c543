import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookVerdict } from '@apiq/sdk';

const SIGNATURE = /^v0=([0-9a-fA-F]{64})$/;
/** Slack's advice: refuse requests whose timestamp is more than five minutes away. */
export const SLACK_TOLERANCE_SECONDS = 300;

function hmac(secret: string, timestamp: string, rawBody: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest();
}

/**
 * Checks Slack's request signature: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<ts>:<raw body>">`
 * with `X-Slack-Request-Timestamp` within five minutes of now. Constant-time comparison.
 *
 * @example
 * verifySlackSignature(secret, headers['x-slack-signature'], headers['x-slack-request-timestamp'], rawBody);
 */
export function verifySlackSignature(
  secret: string,
  signature: string | undefined,
  timestamp: string | undefined,
  rawBody: Uint8Array,
  nowMs: number = Date.now(),
): WebhookVerdict {
  if (!signature || !timestamp)
    return {
      ok: false,
      message: 'the X-Slack-Signature or X-Slack-Request-Timestamp header is missing: only Slack can call this URL',
    };
  if (!/^\d{1,12}$/.test(timestamp))
    return { ok: false, message: 'X-Slack-Request-Timestamp must be whole unix seconds' };
  const m = SIGNATURE.exec(signature.trim());
  if (!m) return { ok: false, message: 'X-Slack-Signature must look like "v0=<64 hex characters>"' };
  if (!timingSafeEqual(Buffer.from(m[1]!, 'hex'), hmac(secret, timestamp, rawBody)))
    return {
      ok: false,
      message:
        "X-Slack-Signature does not match the body: the Slack credential's signing secret is not this app's (Basic Information → Signing Secret)",
    };
  const age = Math.floor(nowMs / 1000) - Number(timestamp);
  if (Math.abs(age) > SLACK_TOLERANCE_SECONDS)
    return {
      ok: false,
      message: `X-Slack-Request-Timestamp is ${Math.abs(age)}s ${age > 0 ? 'old' : 'in the future'}, more than the allowed ${SLACK_TOLERANCE_SECONDS}s (a replayed or delayed request)`,
    };
  return { ok: true };
}

/** The headers Slack would send for a body (for tests and tools). */
export function signSlackBody(
  secret: string,
  rawBody: string | Uint8Array,
  timestamp: number = Math.floor(Date.now() / 1000),
): { 'x-slack-signature': string; 'x-slack-request-timestamp': string } {
  const ts = String(timestamp);
  return { 'x-slack-signature': `v0=${hmac(secret, ts, rawBody).toString('hex')}`, 'x-slack-request-timestamp': ts };
}
