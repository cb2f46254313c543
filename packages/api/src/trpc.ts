import { initTRPC } from '@trpc/server';
import type { ApiDeps } from './deps.ts';

/** What every procedure sees: the app's dependencies (and, once accounts exist, the caller). */
export interface ApiContext extends ApiDeps {
  workspaceId: string;
}

export const t = initTRPC.context<ApiContext>().create();
export const router = t.router;
export const publicProcedure = t.procedure;
