import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '@apiq/api';

/** The workspace the app works in (sent with every call); set by the workspace switcher. */
export const WORKSPACE_STORAGE_KEY = 'apiq.workspace';

function workspaceHeader(): Record<string, string> {
  if (typeof localStorage === 'undefined') return {};
  const id = localStorage.getItem(WORKSPACE_STORAGE_KEY);
  return id ? { 'x-apiq-workspace': id } : {};
}

/**
 * The app's typed API client (tRPC over fetch, same origin). Every call is a POST so large inputs
 * (a 300-node graph to validate) never hit URL length limits; mutations stay mutations.
 */
export const trpc = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: '/api/trpc', methodOverride: 'POST', headers: workspaceHeader })],
});
