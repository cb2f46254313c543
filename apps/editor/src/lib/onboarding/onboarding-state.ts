const KEY = 'apiq.onboarding.dismissed';

/**
 * Whether the first-run welcome was dismissed in this browser. Kept in localStorage: the instance
 * settings have no per-user fields until accounts exist.
 *
 * @example
 * if (!isOnboardingDismissed()) showWelcome();
 */
export function isOnboardingDismissed(): boolean {
  try {
    return localStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}

/** Remembers that the welcome was dismissed (or one of its actions taken). */
export function dismissOnboarding(): void {
  try {
    localStorage.setItem(KEY, '1');
  } catch {
    // Storage blocked (private mode): the welcome shows again next time, nothing worse.
  }
}

/** Shows the welcome again on the next visit to the home page (Settings → "Show the welcome again"). */
export function resetOnboarding(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // See dismissOnboarding.
  }
}
