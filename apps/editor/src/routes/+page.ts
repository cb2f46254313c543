import { redirect } from '@sveltejs/kit';
import { isOnboardingDismissed } from '$lib/onboarding/onboarding-state.ts';

// The home page is the first-run welcome until it is dismissed, then the workflow list.
export function load() {
  if (isOnboardingDismissed()) redirect(307, '/workflows');
}
