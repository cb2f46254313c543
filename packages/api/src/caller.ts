import type { IncomingMessage } from 'node:http';

/** Where this instance is reached from outside: APIQ_PUBLIC_URL, else the request's own origin. */
export function publicOrigin(req: IncomingMessage): string {
  const configured = process.env.APIQ_PUBLIC_URL;
  if (configured) return configured.replace(/\/+$/, '');
  const host = req.headers.host ?? `localhost:${process.env.PORT ?? 3000}`;
  return `http://${host}`;
}
