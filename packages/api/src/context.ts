import type { IncomingMessage } from 'node:http';
import type { ApiDeps } from './deps.ts';
import type { ApiContext } from './trpc.ts';
import { publicOrigin } from './caller.ts';
import { resolveAccess } from './access.ts';

/** The context of one request: the app's dependencies, the caller's workspace and the public origin. */
export async function createContext(deps: ApiDeps, req: IncomingMessage): Promise<ApiContext> {
  const access = await resolveAccess(deps, req);
  return { ...deps, workspaceId: access.workspaceId, access, origin: publicOrigin(req) };
}
