import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: the header value is `t=<unix seconds>,v1=<hex HMAC-SHA256>` where the
 * HMAC key is the shared secret and the signed message is `<t>.<raw body>`. Several `v1=`
 * entries may be present (while a secret is being rotated); one match is enough. Unknown
 * entries (such as a future `v2=`) are ignored.
 */

export type SignatureFailure = 'missing' | 'malformed' | 'mismatch' | 'expired' | 'future';

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure; message: string };

export interface VerifySignatureOptions {
  secret: string;
  /** The signature header's value as received; undefined or '' when the header is absent. */
  header: string | null | undefined;
  /** The raw request body, exactly as received. */
  body: string | Uint8Array;
  /** Current time in milliseconds since the epoch (Date.now()) or a Date. Default: now. */
  now?: number | Date;
  /** How far the signed timestamp may be from now, in seconds. Default 300. */
  toleranceSeconds?: number;
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

function hmac(secret: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

function fail(reason: SignatureFailure, message: string): SignatureCheck {
  return { ok: false, reason, message };
}

/**
 * Checks a webhook signature header against the raw body: signature first (constant-time),
 * then the replay window.
 *
 * @example
 * const header = signWebhookBody(secret, rawBody);
 * verifyWebhookSignature({ secret, header, body: rawBody }); // { ok: true }
 */
export function verifyWebhookSignature(options: VerifySignatureOptions): SignatureCheck {
  const { secret, header, body } = options;
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  const nowMs =
    options.now === undefined ? Date.now() : options.now instanceof Date ? options.now.getTime() : options.now;
  if (!header) return fail('missing', 'the signature header is missing');

  let timestamp: string | undefined;
  const candidates: Buffer[] = [];
  for (const part of header.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return fail('malformed', 'the signature header must look like "t=<unix seconds>,v1=<hex hmac>"');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined) return fail('malformed', 'the signature header has more than one "t=" timestamp');
      if (!/^\d{1,12}$/.test(value))
        return fail('malformed', 'the signature timestamp "t=" must be whole unix seconds');
      timestamp = value;
    } else if (key === 'v1') {
      if (!HEX_SHA256.test(value))
        return fail('malformed', 'a "v1=" signature must be 64 hex characters (HMAC-SHA256)');
      candidates.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined) return fail('malformed', 'the signature header has no "t=" timestamp');
  if (candidates.length === 0) return fail('malformed', 'the signature header has no "v1=" signature');

  const expected = hmac(secret, timestamp, body);
  let matched = false;
  // Compare against every candidate so timing does not reveal which one matched.
  for (const candidate of candidates) if (timingSafeEqual(candidate, expected)) matched = true;
  if (!matched)
    return fail('mismatch', 'the signature does not match the body: check the secret and sign the raw body unchanged');

  const ageSeconds = Math.floor(nowMs / 1000) - Number(timestamp);
  if (ageSeconds > toleranceSeconds) {
    return fail(
      'expired',
      `the signature timestamp is ${ageSeconds}s old, more than the allowed ${toleranceSeconds}s (replayed or delayed request)`,
    );
  }
  if (-ageSeconds > toleranceSeconds) {
    return fail(
      'future',
      `the signature timestamp is ${-ageSeconds}s in the future, more than the allowed ${toleranceSeconds}s (check the sender's clock)`,
    );
  }
  return { ok: true };
}

/**
 * Produces a signature header value for a body, as a sender would.
 *
 * @example
 * signWebhookBody('a-long-shared-secret', '{"id":1}', 1767225600)
 * // → 't=1767225600,v1=<64 hex characters>'
 */
export function signWebhookBody(
  secret: string,
  body: string | Uint8Array,
  timestamp: number = Math.floor(Date.now() / 1000),
): string {
  if (!Number.isInteger(timestamp) || timestamp < 0)
    throw new RangeError(`timestamp must be whole unix seconds (got ${timestamp})`);
  const t = String(timestamp);
  return `t=${t},v1=${hmac(secret, t, body).toString('hex')}`;
}
