import { initTRPC, TRPCError } from '@trpc/server';
import type { ApiDeps } from './deps.ts';
import { ApiError, zodIssues, type ApiIssue } from './errors.ts';
import { denial, type Access } from './access.ts';
import { auditCall } from './audit.ts';

/** What every procedure sees: the app's dependencies and the caller's workspace. */
export interface ApiContext extends ApiDeps {
  workspaceId: string;
  /** Who is calling and what they may do (see access.ts). */
  access: Access;
  /** Where this instance is reached from outside (webhook URLs): `https://apiq.example.com`. */
  origin: string;
}

/**
 * Errors carry located problems in `error.data.issues` (graph validation issues with node, edge
 * and param paths; input validation issues as `input.<field>`).
 */
export const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    let issues: ApiIssue[] | undefined;
    const cause = error.cause as unknown;
    if (cause instanceof ApiError) issues = cause.issues;
    else if (isZodError(cause)) issues = zodIssues(cause, 'input');
    return { ...shape, data: { ...shape.data, ...(issues ? { issues } : {}) } };
  },
});
export const router = t.router;
export const publicProcedure = t.procedure;

function isZodError(value: unknown): value is Parameters<typeof zodIssues>[0] {
  return typeof value === 'object' && value !== null && Array.isArray((value as { issues?: unknown }).issues);
}

const TRPC_CODES = {
  bad_request: 'BAD_REQUEST',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  unsupported_media_type: 'UNSUPPORTED_MEDIA_TYPE',
  method_not_allowed: 'METHOD_NOT_SUPPORTED',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  too_many_requests: 'TOO_MANY_REQUESTS',
  unavailable: 'SERVICE_UNAVAILABLE',
} as const;

const DENIAL_CODES = { unauthorized: 'UNAUTHORIZED', forbidden: 'FORBIDDEN', not_found: 'NOT_FOUND' } as const;

/**
 * Procedures check the caller against the policy table before anything else (input included),
 * and their `ApiError`s reach the client with their code, message and issues.
 */
export const procedure = t.procedure.use(async ({ ctx, path, type, next, getRawInput }) => {
  const denied = denial(ctx.access, path);
  if (denied) throw new TRPCError({ code: DENIAL_CODES[denied.code], message: denied.message });
  const result = await next();
  if (result.ok) {
    if (type === 'mutation') await auditCall(ctx, path, await getRawInput(), result.data);
  } else if (result.error.cause instanceof ApiError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODES[cause.code], message: cause.message, cause });
  }
  return result;
});
