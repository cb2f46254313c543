import { redirect } from '@sveltejs/kit';
import { guardRedirect } from '$lib/auth/auth-guard.ts';
import { session } from '$lib/auth/session.svelte.ts';
import type { LayoutLoad } from './$types';

// The editor is a client-side app: pages load their data in the browser from the API, and the
// server bundle never imports engine packages.
export const ssr = false;
export const prerender = false;

// Once the instance has accounts, signed-out visitors go to the sign-in page (and come back after).
export const load: LayoutLoad = async ({ url, fetch }) => {
  const to = guardRedirect(await session.load(fetch), url);
  if (to) redirect(307, to);
  return {};
};
