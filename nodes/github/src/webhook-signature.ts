import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookVerdict } from '@apiq/sdk';

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Checks GitHub's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` in constant time.
 *
 * @example
 * verifyGitHubSignature('a-long-webhook-secret', req.headers['x-hub-signature-256'], rawBody); // { ok: true }
 */
export function verifyGitHubSignature(secret: string, header: string | undefined, rawBody: Uint8Array): WebhookVerdict {
  if (!header)
    return {
      ok: false,
      message:
        'the X-Hub-Signature-256 header is missing: set the webhook\'s "Secret" in GitHub to the webhook secret of the GitHub credential',
    };
  const m = SIGNATURE.exec(header.trim());
  if (!m) return { ok: false, message: 'the X-Hub-Signature-256 header must look like "sha256=<64 hex characters>"' };
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  if (!timingSafeEqual(Buffer.from(m[1]!, 'hex'), expected))
    return {
      ok: false,
      message:
        "the X-Hub-Signature-256 signature does not match the body: the webhook's secret in GitHub differs from the GitHub credential's webhook secret",
    };
  return { ok: true };
}

/** The header value GitHub would send for a body (for tests and tools). */
export function signGitHubBody(secret: string, rawBody: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
