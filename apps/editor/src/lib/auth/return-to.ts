const KEY = 'apiq.returnTo';

/**
 * A path inside the app to go back to, or undefined for anything that could lead elsewhere
 * (absolute URLs, `//host`, backslashes): sign-in links carry it in `?next=` and must not become
 * an open redirect.
 *
 * @example
 * safeReturnPath('/invitations/abc.def') // '/invitations/abc.def'
 * safeReturnPath('//evil.example')       // undefined
 */
export function safeReturnPath(value: string | null | undefined): string | undefined {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return undefined;
  if ([...value].some((c) => c.charCodeAt(0) < 0x20)) return undefined;
  return value;
}

/** Remembers where to continue after signing up and confirming the email (e.g. an invitation). */
export function rememberReturn(path: string): void {
  const safe = safeReturnPath(path);
  try {
    if (safe) localStorage.setItem(KEY, safe);
  } catch {
    // Storage blocked: the user follows the link again, nothing worse.
  }
}

/** The remembered path, if any (it stays until `forgetReturn`). */
export function rememberedReturn(): string | undefined {
  try {
    return safeReturnPath(localStorage.getItem(KEY));
  } catch {
    return undefined;
  }
}

export function forgetReturn(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // See rememberReturn.
  }
}
