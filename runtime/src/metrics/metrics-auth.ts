import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * `/metrics` is open unless `APIQ_METRICS_TOKEN` is set; then it needs `Authorization: Bearer
 * <token>` (Prometheus: `authorization: { credentials: <token> }`). Metrics carry host names and
 * ids, never secrets, but an operator may still want them private.
 */
export function metricsAuthorized(req: IncomingMessage, token = process.env.APIQ_METRICS_TOKEN): boolean {
  if (!token) return true;
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
