import type { IncomingMessage, ServerResponse } from 'node:http';
import { originAllowed, securityHeaders } from './http-guards.ts';

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface WebGuardOptions {
  /** Public origins besides the request's own host (e.g. APIQ_PUBLIC_URL behind a proxy). */
  trustedOrigins?: string[];
  /** Served over https: adds HSTS. */
  https?: boolean;
}

/**
 * The front door for the app and its API: security headers on every response, and the Origin
 * check on every state-changing `/api/*` call (tRPC mutations, REST, auth) — webhooks and health
 * are served before this and are not affected.
 */
export function createWebGuard(o: WebGuardOptions = {}): NodeHandler {
  const headers = securityHeaders({ https: o.https ?? false });
  return (req, res, next) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    const path = (req.url ?? '/').split('?')[0]!;
    if (
      path.startsWith('/api/') &&
      !originAllowed({
        method: req.method ?? 'GET',
        origin: req.headers.origin,
        host: req.headers.host,
        authorization: req.headers.authorization,
        cookie: req.headers.cookie,
        ...(o.trustedOrigins ? { trustedOrigins: o.trustedOrigins } : {}),
      })
    ) {
      res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          error: 'forbidden',
          message:
            'Cross-site request refused: state-changing calls need this site as their Origin (or an API token without cookies).',
        }),
      );
      req.resume();
      return;
    }
    next();
  };
}
