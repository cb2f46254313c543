import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { sql } from 'kysely';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import {
  authDb,
  authenticate,
  ipAllowed,
  requestIp,
  roleAllows,
  scopesAllow,
  type Action,
  type Caller,
  type Role,
} from '@apiq/auth';
import type { ApiDeps } from './deps.ts';

/**
 * What the caller of one request may do. `open`: the instance has no accounts yet (first run,
 * single-user local use) — everything is allowed in the default workspace until the first account
 * is created, after which every request must be signed in.
 */
export type Access =
  | { mode: 'open'; workspaceId: string }
  | { mode: 'anonymous'; workspaceId: string }
  | { mode: 'member'; workspaceId: string; caller: Caller; role: Role }
  | { mode: 'outsider'; workspaceId: string; caller: Caller }
  | { mode: 'ip_blocked'; workspaceId: string; caller: Caller; ip: string };

/**
 * The one policy table: the action each tRPC procedure (by path) and REST operation (`rest:` +
 * operationId) performs. Roles allow actions (see `POLICY` in @apiq/auth); a procedure missing
 * here is refused to everyone once accounts exist — the policy matrix test lists it.
 */
export const PROCEDURE_ACTIONS: Record<string, Action | 'public'> = {
  health: 'public',
  'catalog.nodes': 'workflow.read',
  'catalog.problems': 'workflow.read',
  'catalog.credentialKinds': 'connection.read',
  'workflows.list': 'workflow.read',
  'workflows.get': 'workflow.read',
  'workflows.create': 'workflow.write',
  'workflows.rename': 'workflow.write',
  'workflows.duplicate': 'workflow.write',
  'workflows.delete': 'workflow.delete',
  'workflows.setActive': 'workflow.activate',
  'workflows.save': 'workflow.write',
  'workflows.validate': 'workflow.read',
  'workflows.versions': 'workflow.read',
  'workflows.version': 'workflow.read',
  'workflows.restore': 'workflow.write',
  'workflows.export': 'workflow.read',
  'workflows.import': 'workflow.write',
  'workflows.triggerInfo': 'workflow.read',
  'runs.start': 'run.start',
  'runs.list': 'run.read',
  'runs.get': 'run.read',
  'runs.cancel': 'run.control',
  'runs.retry': 'run.control',
  'runs.pause': 'run.control',
  'runs.resume': 'run.control',
  'runs.events': 'run.read',
  'runs.stream': 'run.read',
  'connections.list': 'connection.read',
  'connections.get': 'connection.read',
  'connections.usage': 'connection.read',
  'connections.create': 'connection.write',
  'connections.update': 'connection.write',
  'connections.delete': 'connection.write',
  'connections.test': 'connection.write',
  'expressions.preview': 'workflow.read',
  'planner.status': 'workflow.read',
  'planner.propose': 'workflow.write',
  'planner.explain': 'workflow.read',
  'planner.conversation': 'workflow.read',
  'planner.saveConversation': 'workflow.write',
  'settings.get': 'workflow.read',
  'settings.update': 'workspace.settings',
  'templates.list': 'template.read',
  'templates.featured': 'template.read',
  'templates.get': 'template.read',
  'templates.use': 'workflow.write',
  'templates.saveFromWorkflow': 'template.write',
  'templates.delete': 'template.write',
  'templates.export': 'template.read',
  'templates.import': 'template.write',
  'apis.list': 'connection.read',
  'apis.get': 'connection.read',
  'apis.operations': 'connection.read',
  'apis.operation': 'connection.read',
  'apis.ready': 'connection.read',
  'apis.nodeParams': 'workflow.read',
  'apis.import': 'connection.write',
  'apis.refresh': 'connection.write',
  'apis.delete': 'connection.write',
  'apis.installReady': 'connection.write',
  'apis.send': 'connection.write',
  'monitoring.summary': 'run.read',
  'monitoring.ready': 'run.read',
  'alerts.list': 'run.read',
  'alerts.get': 'run.read',
  'alerts.history': 'run.read',
  'alerts.create': 'workspace.settings',
  'alerts.update': 'workspace.settings',
  'alerts.delete': 'workspace.settings',
  'alerts.mute': 'run.control',
  'rest:listWorkflows': 'workflow.read',
  'rest:createWorkflow': 'workflow.write',
  'rest:importWorkflows': 'workflow.write',
  'rest:getWorkflow': 'workflow.read',
  'rest:saveWorkflow': 'workflow.write',
  'rest:renameWorkflow': 'workflow.write',
  'rest:deleteWorkflow': 'workflow.delete',
  'rest:activateWorkflow': 'workflow.activate',
  'rest:deactivateWorkflow': 'workflow.activate',
  'rest:listWorkflowVersions': 'workflow.read',
  'rest:getWorkflowTrigger': 'workflow.read',
  'rest:exportWorkflow': 'workflow.read',
  'rest:startRun': 'run.start',
  'rest:listRuns': 'run.read',
  'rest:getRun': 'run.read',
  'rest:cancelRun': 'run.control',
  'rest:retryRun': 'run.control',
  'rest:pauseRun': 'run.control',
  'rest:resumeRun': 'run.control',
  'rest:listConnections': 'connection.read',
  'rest:listTemplates': 'template.read',
};

const accountsExist = new WeakSet<object>();

/** Whether any account exists (cached per database once true: accounts are not all deleted on a live instance). */
async function hasAccounts(deps: ApiDeps): Promise<boolean> {
  if (accountsExist.has(deps.db)) return true;
  const row = await authDb(deps.db).selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (row) accountsExist.add(deps.db);
  return row !== undefined;
}

/**
 * Works out who is calling and in which workspace: a bearer API token acts in its own
 * workspace; a session acts in the workspace named by the `x-apiq-workspace` header, else its
 * first one (the default workspace first). The workspace's IP allow-list applies to both.
 */
export async function resolveAccess(deps: ApiDeps, req: IncomingMessage): Promise<Access> {
  if (!(await hasAccounts(deps))) return { mode: 'open', workspaceId: DEFAULT_WORKSPACE_ID };
  const db = authDb(deps.db);
  const caller = await authenticate(db, { cookie: req.headers.cookie, authorization: req.headers.authorization });
  const requested = req.headers['x-apiq-workspace'];
  if (!caller)
    return { mode: 'anonymous', workspaceId: typeof requested === 'string' ? requested : DEFAULT_WORKSPACE_ID };
  // One query: the caller's membership (role and the workspace's allow-list) in the workspace it
  // acts in — the token's, the one named by the header, else its own first (the default first).
  const named =
    caller.kind === 'token'
      ? caller.workspaceId
      : typeof requested === 'string' && /^[0-9a-f-]{36}$/i.test(requested)
        ? requested
        : undefined;
  let q = db
    .selectFrom('memberships as m')
    .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
    .select(['m.workspace_id', 'm.role', 'w.ip_allowlist'])
    .where('m.user_id', '=', caller.user.id);
  q = named
    ? q.where('m.workspace_id', '=', named)
    : q.orderBy(sql`m.workspace_id = ${DEFAULT_WORKSPACE_ID}`, 'desc').orderBy('w.name');
  const membership = await q.limit(1).executeTakeFirst();
  const workspaceId = named ?? membership?.workspace_id ?? DEFAULT_WORKSPACE_ID;
  if (!membership) return { mode: 'outsider', workspaceId, caller };
  const ip = requestIp(req);
  if (!ipAllowed(ip, membership.ip_allowlist)) return { mode: 'ip_blocked', workspaceId, caller, ip };
  const role = membership.role;
  return { mode: 'member', workspaceId, caller, role };
}

export type Denial = { status: 401 | 403 | 404; code: 'unauthorized' | 'forbidden' | 'not_found'; message: string };

/** Why `access` may not perform the procedure at `path`, or undefined when it may. */
export function denial(access: Access, path: string): Denial | undefined {
  const action = PROCEDURE_ACTIONS[path];
  if (action === 'public' || access.mode === 'open') return undefined;
  if (access.mode === 'anonymous')
    return {
      status: 401,
      code: 'unauthorized',
      message: 'Sign in first, or send a personal API token as "Authorization: Bearer …".',
    };
  if (access.mode === 'outsider')
    return { status: 404, code: 'not_found', message: 'No such workspace (or you are not a member of it).' };
  if (access.mode === 'ip_blocked')
    return {
      status: 403,
      code: 'forbidden',
      message: `Your address (${access.ip}) is not on this workspace's IP allow-list; ask an admin to add it.`,
    };
  if (!action) return { status: 403, code: 'forbidden', message: `No access policy covers ${path}; it is refused.` };
  if (!roleAllows(access.role, action))
    return { status: 403, code: 'forbidden', message: `Your role (${access.role}) may not do this (${action}).` };
  if (access.caller.kind === 'token' && !scopesAllow(access.caller.scopes, action))
    return {
      status: 403,
      code: 'forbidden',
      message: `This API token's scopes (${access.caller.scopes.join(', ')}) do not allow ${action}.`,
    };
  return undefined;
}

/** A stable key for rate-limiting a bearer token without trusting its claimed id. */
export function tokenRateKey(authorization: string): string {
  return `api:token:${createHash('sha256').update(authorization).digest('hex').slice(0, 32)}`;
}
