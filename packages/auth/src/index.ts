export * from './schema.ts';
export { AuthError } from './errors.ts';
export { Accounts, DEFAULT_LIMITS, type AccountLimits, type AccountsOptions, type RequestMeta } from './accounts.ts';
export {
  createSession,
  validateSessionToken,
  invalidateSession,
  invalidateUserSessions,
  sessionCookie,
  clearedSessionCookie,
  readCookie,
  SESSION_COOKIE,
  type SessionOptions,
  type SessionUser,
  type ValidSession,
} from './sessions.ts';
export { hashPassword, verifyPassword, passwordProblem, MIN_PASSWORD_LENGTH } from './passwords.ts';
export { ACTIONS, POLICY, SCOPES, roleAllows, scopesAllow, canAssignRole, type Action, type Scope } from './policy.ts';
export {
  listWorkspaces,
  createWorkspace,
  listMembers,
  inviteMember,
  acceptInvitation,
  changeRole,
  removeMember,
  roleIn,
  listInvitations,
  revokeInvitation,
  previewInvitation,
  type Actor,
  type Member,
  type WorkspaceSummary,
  type PendingInvitation,
  type InvitationPreview,
} from './workspaces.ts';
export { getIpAllowlist, setIpAllowlist } from './workspace-allowlist.ts';
export {
  createApiToken,
  listApiTokens,
  revokeApiToken,
  authenticateApiToken,
  type ApiTokenInfo,
  type TokenCaller,
} from './api-tokens.ts';
export { authenticate, authorize, type Caller } from './caller.ts';
export { hitRateLimit, peekRateLimit, resetRateLimit, pruneRateLimits, rateLimitHeaders } from './rate-limit.ts';
export type { RateLimitRule, RateLimitResult } from './rate-limit.ts';
export { recordAudit, queryAudit, auditToCsv, type AuditAction, type AuditEntry, type AuditRecord } from './audit.ts';
export { createMailer, type Mailer, type Email } from './mailer.ts';
export { ipAllowed, cidrProblem } from './ip-allowlist.ts';
export { originAllowed, securityHeaders } from './http-guards.ts';
export { createAuthHandler, requestIp, type AuthHandlerOptions } from './http-handler.ts';
export { createWebGuard, type WebGuardOptions } from './web-guard.ts';
export { createSocialSignIn, socialProvidersFromEnv, type SocialProvider } from './social-sign-in.ts';
export { auditCredentialReads } from './audit-credential-reads.ts';
