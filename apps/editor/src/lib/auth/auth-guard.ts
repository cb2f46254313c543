import type { Me } from './types.ts';
import { safeReturnPath } from './return-to.ts';

/** Pages anyone may open: signing in or up, the emailed links, and the invitation page (it explains what to do). */
const PUBLIC_PREFIXES = [
  '/login',
  '/signup',
  '/logout',
  '/verify-email',
  '/forgot-password',
  '/reset-password',
  '/confirm-email',
  '/invitations/',
];

/** Whether a page is one of the account pages shown without the app's navigation. */
export function isAuthPage(pathname: string): boolean {
  return PUBLIC_PREFIXES.some(
    (p) => pathname === p || (p.endsWith('/') ? pathname.startsWith(p) : pathname.startsWith(`${p}/`)),
  );
}

/**
 * Where to send a visitor instead of the page they asked for, or undefined to show it: once the
 * instance has accounts, signed-out visitors go to the sign-in page (and come back after).
 *
 * @example
 * guardRedirect({ user: null, setupRequired: false, emailDelivery: 'outbox' }, new URL('http://x/runs?status=failed'))
 * // '/login?next=%2Fruns%3Fstatus%3Dfailed'
 */
export function guardRedirect(me: Me | undefined, url: URL): string | undefined {
  if (!me || me.user || me.setupRequired || isAuthPage(url.pathname)) return undefined;
  const next = `${url.pathname}${url.search}`;
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}

/** Where to go after signing in: the `next` parameter when it is a path inside the app, else home. */
export function afterSignIn(url: URL): string {
  return safeReturnPath(url.searchParams.get('next')) ?? '/';
}
