import { authDb, recordAudit, type AuditAction } from '@apiq/auth';
import type { ApiContext } from './trpc.ts';

type Input = Record<string, unknown> | undefined;
type Output = Record<string, unknown> | undefined;

/**
 * Sensitive procedures and what the audit log records when they succeed: the action and the
 * target's id (from the input or the result). Secrets never reach the details.
 */
const AUDITED: Record<
  string,
  (input: Input, output: Output) => { action: AuditAction; targetType: string; targetId?: string } | undefined
> = {
  'connections.create': (_i, o) => ({
    action: 'credential.created',
    targetType: 'credential',
    targetId: String(o?.id ?? ''),
  }),
  'connections.update': (i) => ({
    action: 'credential.updated',
    targetType: 'credential',
    targetId: String(i?.id ?? ''),
  }),
  'connections.delete': (i) => ({
    action: 'credential.deleted',
    targetType: 'credential',
    targetId: String(i?.id ?? ''),
  }),
  'workflows.setActive': (i) =>
    i?.active === true
      ? { action: 'workflow.published', targetType: 'workflow', targetId: String(i.id ?? '') }
      : undefined,
  'settings.update': () => ({ action: 'settings.changed', targetType: 'instance' }),
  'rest:activateWorkflow': (i) => ({
    action: 'workflow.published',
    targetType: 'workflow',
    targetId: String(i?.id ?? ''),
  }),
};

/** Records the audit entry for a successful call of `path`, if it is a sensitive one. */
export async function auditCall(ctx: ApiContext, path: string, input: unknown, output: unknown): Promise<void> {
  const entry = AUDITED[path]?.(input as Input, output as Output);
  if (!entry) return;
  const access = ctx.access;
  const caller = 'caller' in access ? access.caller : undefined;
  await recordAudit(authDb(ctx.db), {
    action: entry.action,
    workspaceId: ctx.workspaceId,
    actorUserId: caller?.user.id ?? null,
    actorLabel: caller
      ? caller.kind === 'token'
        ? `${caller.user.email} (token ${caller.tokenName})`
        : caller.user.email
      : 'local (no accounts yet)',
    targetType: entry.targetType,
    ...(entry.targetId ? { targetId: entry.targetId } : {}),
    details: { via: path.startsWith('rest:') ? 'rest' : 'app' },
  });
}
