import { publicProcedure, router } from './trpc.ts';

export const appRouter = router({
  health: publicProcedure.query(() => ({ status: 'ok' as const })),
});

export type AppRouter = typeof appRouter;
