import type { ApiDeps, NodeHandler } from './deps.ts';

export type { ApiDeps, NodeHandler } from './deps.ts';
export type { AppRouter } from './router.ts';

/** Serves `/api/trpc/*`, `/api/v1/*` and the run event streams; everything else goes to `next`. */
export function createApiHandler(_deps: ApiDeps): NodeHandler {
  return (_req, _res, next) => next();
}
