import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '@apiq/api';

/** The app's typed API client (tRPC over fetch, same origin). */
export const trpc = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: '/api/trpc' })],
});
