/** Methods that change state: they must come from our own origin (CSRF) and never be GET. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request may change state. Browsers send `Origin` on every cross-site POST; a
 * state-changing request whose Origin is missing or foreign is refused unless it carries an
 * API token instead of cookies (tokens are not sent by browsers on their own).
 *
 * @example
 * originAllowed({ method: 'POST', origin: 'https://evil.example', host: 'apiq.example.com' }) // false
 */
export function originAllowed(r: {
  method: string;
  origin?: string | undefined;
  host?: string | undefined;
  authorization?: string | undefined;
  cookie?: string | undefined;
  /** Extra origins allowed, e.g. the public URL when behind a proxy. */
  trustedOrigins?: readonly string[];
}): boolean {
  if (SAFE_METHODS.has(r.method.toUpperCase())) return true;
  if (r.authorization?.startsWith('Bearer ') && !r.cookie) return true;
  if (!r.origin || r.origin === 'null') return false;
  let origin: URL;
  try {
    origin = new URL(r.origin);
  } catch {
    return false;
  }
  if (r.trustedOrigins?.some((t) => new URL(t).origin === origin.origin)) return true;
  return r.host !== undefined && origin.host === r.host;
}

/**
 * Security headers for every page and API response. The CSP allows only same-origin scripts and
 * SvelteKit's hashed inline bootstrap (which SvelteKit itself hashes when `kit.csp` is set).
 */
export function securityHeaders(o: { https: boolean }): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  if (o.https) headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
  return headers;
}
