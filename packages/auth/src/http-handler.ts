import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { z } from 'zod';
import type { Accounts } from './accounts.ts';
import { createApiToken, listApiTokens, revokeApiToken } from './api-tokens.ts';
import { auditToCsv, queryAudit, recordAudit } from './audit.ts';
import { authenticate, authorize, type Caller } from './caller.ts';
import { AuthError } from './errors.ts';
import type { createSocialSignIn } from './social-sign-in.ts';
import { originAllowed } from './http-guards.ts';
import { ipAllowed } from './ip-allowlist.ts';
import type { Mailer } from './mailer.ts';
import { ROLES, type AuthDb } from './schema.ts';
import { clearedSessionCookie, invalidateUserSessions, sessionCookie, type SessionOptions } from './sessions.ts';
import { getIpAllowlist, setIpAllowlist } from './workspace-allowlist.ts';
import {
  acceptInvitation,
  changeRole,
  createWorkspace,
  inviteMember,
  listInvitations,
  listMembers,
  listWorkspaces,
  previewInvitation,
  removeMember,
  revokeInvitation,
  roleIn,
  type Actor,
} from './workspaces.ts';

export interface AuthHandlerOptions {
  db: AuthDb;
  accounts: Accounts;
  mailer: Mailer;
  /** Or a function, when the address is only known once the server listens. */
  appUrl: string | (() => string);
  /** Send cookies with `Secure` (true when APIQ is served over https). */
  secureCookies: boolean;
  /** Origins besides the request's own host allowed to make state-changing calls. */
  trustedOrigins?: string[];
  session?: SessionOptions;
  /** The client address; default: the socket's, or X-Forwarded-For's first hop when APIQ_TRUST_PROXY is set. */
  clientIp?: (req: IncomingMessage) => string;
  /** Sign-in with GitHub / Google, when configured (`/api/auth/oauth/<provider>/start|callback`). */
  social?: ReturnType<typeof createSocialSignIn>;
}

/** The socket's address, or X-Forwarded-For's first hop when APIQ_TRUST_PROXY is set (as the app API sees it). */
export function requestIp(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (process.env.APIQ_TRUST_PROXY && typeof forwarded === 'string') return forwarded.split(',')[0]!.trim();
  return req.socket.remoteAddress ?? 'unknown';
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: unknown;
  caller: Caller | undefined;
  ip: string;
  meta: { ip: string; userAgent: string | undefined };
}

type Route = (ctx: Ctx, match: RegExpExecArray) => Promise<unknown>;

const MAX_BODY = 64 * 1024;

/** Parses a body with a zod schema, or refuses naming the first wrong field. */
function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || undefined;
  throw new AuthError('invalid_input', field ? `${field}: ${issue.message}` : issue.message, field ? { field } : {});
}

function requireCaller(ctx: Ctx): Caller {
  if (!ctx.caller) throw new AuthError('invalid_credentials', 'Sign in first.');
  return ctx.caller;
}

function actorOf(ctx: Ctx): Actor {
  const c = requireCaller(ctx);
  return {
    userId: c.user.id,
    label: c.kind === 'token' ? `${c.user.email} (token ${c.tokenName})` : c.user.email,
    ip: ctx.ip,
  };
}

function sessionOnly(ctx: Ctx): Extract<Caller, { kind: 'session' }> {
  const c = requireCaller(ctx);
  if (c.kind !== 'session')
    throw new AuthError('forbidden', 'This needs a signed-in browser session, not an API token.');
  return c;
}

const emailPassword = z.object({ email: z.string().max(320), password: z.string().max(1024) });
const roleSchema = z.enum(ROLES as [string, ...string[]]);

/**
 * `/api/auth/*`: sign-up, sign-in, sign-out, email verification, password reset and changes,
 * the caller's workspaces, members and invitations, personal API tokens, the audit log and the
 * admin outbox. State-changing calls need POST/PATCH/DELETE from our own origin.
 */
export function createAuthHandler(o: AuthHandlerOptions): NodeHandler {
  const cookie = (token: string) => sessionCookie(token, { secure: o.secureCookies });
  const setCookie = (ctx: Ctx, value: string) => ctx.res.setHeader('Set-Cookie', value);

  const routes: Array<[string, RegExp, Route]> = [
    [
      'GET',
      /^\/api\/auth\/me$/,
      async (ctx) => {
        const users = await o.db.selectFrom('users').select('id').limit(1).execute();
        // 'outbox': no SMTP server, so emails only reach the instance owner's outbox and the log.
        const emailDelivery = o.mailer.delivers ? 'smtp' : 'outbox';
        const providers = o.social?.providers() ?? [];
        if (!ctx.caller)
          return {
            user: null,
            setupRequired: users.length === 0,
            emailDelivery,
            ...(providers.length ? { signInProviders: providers } : {}),
          };
        return {
          user: ctx.caller.user,
          via: ctx.caller.kind,
          workspaces: await listWorkspaces(o.db, ctx.caller.user.id),
          instanceOwner: (await roleIn(o.db, ctx.caller.user.id, DEFAULT_WORKSPACE_ID)) === 'owner',
          setupRequired: false,
          emailDelivery,
        };
      },
    ],
    [
      'PATCH',
      /^\/api\/auth\/me$/,
      async (ctx) => {
        const c = sessionOnly(ctx);
        const { name } = parse(
          z.object({ name: z.string().trim().max(200, 'name is at most 200 characters') }),
          ctx.body,
        );
        await o.db.updateTable('users').set({ name, updated_at: new Date() }).where('id', '=', c.user.id).execute();
        return { user: { ...c.user, name } };
      },
    ],
    [
      'POST',
      /^\/api\/auth\/sign-up$/,
      async (ctx) => {
        const input = parse(emailPassword.extend({ name: z.string().max(200).optional() }), ctx.body);
        const r = await o.accounts.signUp(input, ctx.meta);
        setCookie(ctx, cookie(r.token));
        return { userId: r.userId, owner: r.firstUser, verificationSent: true };
      },
    ],
    [
      'POST',
      /^\/api\/auth\/sign-in$/,
      async (ctx) => {
        const r = await o.accounts.signIn(parse(emailPassword, ctx.body), ctx.meta);
        setCookie(ctx, cookie(r.token));
        return { userId: r.userId };
      },
    ],
    [
      'POST',
      /^\/api\/auth\/sign-out$/,
      async (ctx) => {
        const c = ctx.caller;
        if (c?.kind === 'session') await o.accounts.signOut(c.sessionId, c.user.id, ctx.meta);
        setCookie(ctx, clearedSessionCookie({ secure: o.secureCookies }));
        return { signedOut: true };
      },
    ],
    [
      'POST',
      /^\/api\/auth\/sign-out-everywhere$/,
      async (ctx) => {
        const c = sessionOnly(ctx);
        await invalidateUserSessions(o.db, c.user.id);
        await recordAudit(o.db, {
          action: 'user.signed_out',
          actorUserId: c.user.id,
          actorLabel: c.user.email,
          ip: ctx.ip,
          details: { everywhere: true },
        });
        setCookie(ctx, clearedSessionCookie({ secure: o.secureCookies }));
        return { signedOut: true };
      },
    ],
    [
      'POST',
      /^\/api\/auth\/verify-email$/,
      async (ctx) => o.accounts.verifyEmail(parse(z.object({ token: z.string().max(200) }), ctx.body).token),
    ],
    [
      'POST',
      /^\/api\/auth\/resend-verification$/,
      async (ctx) => {
        await o.accounts.resendVerification(sessionOnly(ctx).user.id);
        return { sent: true };
      },
    ],
    [
      'POST',
      /^\/api\/auth\/request-password-reset$/,
      async (ctx) => {
        await o.accounts.requestPasswordReset(parse(z.object({ email: z.string().max(320) }), ctx.body), ctx.meta);
        return { sent: true, message: 'If an account uses this email, a reset link is on its way.' };
      },
    ],
    [
      'POST',
      /^\/api\/auth\/reset-password$/,
      async (ctx) => {
        await o.accounts.resetPassword(
          parse(z.object({ token: z.string().max(200), password: z.string().max(1024) }), ctx.body),
          ctx.meta,
        );
        return { reset: true };
      },
    ],
    [
      'POST',
      /^\/api\/auth\/change-password$/,
      async (ctx) => {
        const c = sessionOnly(ctx);
        const input = parse(
          z.object({ currentPassword: z.string().max(1024), newPassword: z.string().max(1024) }),
          ctx.body,
        );
        await o.accounts.changePassword({ ...input, userId: c.user.id, sessionId: c.sessionId }, ctx.meta);
        return { changed: true };
      },
    ],
    [
      'POST',
      /^\/api\/auth\/change-email$/,
      async (ctx) => {
        const c = sessionOnly(ctx);
        const input = parse(z.object({ password: z.string().max(1024), newEmail: z.string().max(320) }), ctx.body);
        await o.accounts.requestEmailChange({ ...input, userId: c.user.id });
        return { sent: true };
      },
    ],
    [
      'POST',
      /^\/api\/auth\/confirm-email$/,
      async (ctx) => o.accounts.confirmEmailChange(parse(z.object({ token: z.string().max(200) }), ctx.body).token),
    ],
    [
      'POST',
      /^\/api\/auth\/workspaces$/,
      async (ctx) => createWorkspace(o.db, actorOf(ctx), parse(z.object({ name: z.string() }), ctx.body).name),
    ],
    [
      'GET',
      /^\/api\/auth\/workspaces\/([0-9a-f-]{36})\/members$/,
      async (ctx, m) => ({ members: await listMembers(o.db, actorOf(ctx), m[1]!) }),
    ],
    [
      'POST',
      /^\/api\/auth\/workspaces\/([0-9a-f-]{36})\/invitations$/,
      async (ctx, m) => {
        const input = parse(
          z.object({ email: z.string().max(320), role: z.enum(['admin', 'editor', 'viewer']) }),
          ctx.body,
        );
        return inviteMember(o.db, o.mailer, typeof o.appUrl === 'function' ? o.appUrl() : o.appUrl, actorOf(ctx), {
          ...input,
          workspaceId: m[1]!,
        });
      },
    ],
    [
      'GET',
      /^\/api\/auth\/workspaces\/([0-9a-f-]{36})\/invitations$/,
      async (ctx, m) => ({ invitations: await listInvitations(o.db, actorOf(ctx), m[1]!) }),
    ],
    [
      'DELETE',
      /^\/api\/auth\/workspaces\/([0-9a-f-]{36})\/invitations\/([a-z2-7]{24})$/,
      async (ctx, m) => {
        await revokeInvitation(o.db, actorOf(ctx), { workspaceId: m[1]!, invitationId: m[2]! });
        return { revoked: true };
      },
    ],
    [
      'POST',
      /^\/api\/auth\/invitations\/inspect$/,
      async (ctx) => previewInvitation(o.db, parse(z.object({ token: z.string().max(200) }), ctx.body).token),
    ],
    [
      'GET',
      /^\/api\/auth\/workspaces\/([0-9a-f-]{36})\/ip-allowlist$/,
      async (ctx, m) => {
        await authorize(o.db, ctx.caller, m[1]!, 'workspace.settings');
        return { entries: await getIpAllowlist(o.db, actorOf(ctx), m[1]!), yourIp: ctx.ip };
      },
    ],
    [
      'PUT',
      /^\/api\/auth\/workspaces\/([0-9a-f-]{36})\/ip-allowlist$/,
      async (ctx, m) => {
        await authorize(o.db, ctx.caller, m[1]!, 'workspace.settings');
        const { entries } = parse(z.object({ entries: z.array(z.string().max(100)).max(1000) }), ctx.body);
        return { entries: await setIpAllowlist(o.db, actorOf(ctx), m[1]!, entries, ctx.ip), yourIp: ctx.ip };
      },
    ],
    [
      'POST',
      /^\/api\/auth\/invitations\/accept$/,
      async (ctx) =>
        acceptInvitation(o.db, actorOf(ctx), parse(z.object({ token: z.string().max(200) }), ctx.body).token),
    ],
    [
      'PATCH',
      /^\/api\/auth\/workspaces\/([0-9a-f-]{36})\/members\/([0-9a-f-]{36})$/,
      async (ctx, m) => {
        const { role } = parse(z.object({ role: roleSchema }), ctx.body);
        await changeRole(o.db, actorOf(ctx), { workspaceId: m[1]!, userId: m[2]!, role: role as never });
        return { changed: true };
      },
    ],
    [
      'DELETE',
      /^\/api\/auth\/workspaces\/([0-9a-f-]{36})\/members\/([0-9a-f-]{36})$/,
      async (ctx, m) => {
        await removeMember(o.db, actorOf(ctx), { workspaceId: m[1]!, userId: m[2]! });
        return { removed: true };
      },
    ],
    ['GET', /^\/api\/auth\/tokens$/, async (ctx) => ({ tokens: await listApiTokens(o.db, sessionOnly(ctx).user.id) })],
    [
      'POST',
      /^\/api\/auth\/tokens$/,
      async (ctx) => {
        sessionOnly(ctx);
        const input = parse(
          z.object({
            workspaceId: z.string().uuid().default(DEFAULT_WORKSPACE_ID),
            name: z.string(),
            scopes: z.array(z.string()).max(20),
            expiresAt: z.iso.datetime().optional(),
          }),
          ctx.body,
        );
        return createApiToken(o.db, actorOf(ctx), {
          workspaceId: input.workspaceId,
          name: input.name,
          scopes: input.scopes,
          ...(input.expiresAt ? { expiresAt: new Date(input.expiresAt) } : {}),
        });
      },
    ],
    [
      'DELETE',
      /^\/api\/auth\/tokens\/([a-z2-7]{24})$/,
      async (ctx, m) => {
        sessionOnly(ctx);
        await revokeApiToken(o.db, actorOf(ctx), m[1]!);
        return { revoked: true };
      },
    ],
    [
      'GET',
      /^\/api\/auth\/workspaces\/([0-9a-f-]{36})\/audit(\.csv|\.json)?$/,
      async (ctx, m) => {
        await authorize(o.db, ctx.caller, m[1]!, 'audit.read');
        const q = ctx.url.searchParams;
        const date = (name: string) => {
          const v = q.get(name);
          if (!v) return undefined;
          const d = new Date(v);
          if (Number.isNaN(d.getTime()))
            throw new AuthError('invalid_input', `${name} must be a date such as 2026-01-31`, { field: name });
          return d;
        };
        const from = date('from');
        const to = date('to');
        const actions = q.getAll('action');
        const records = await queryAudit(o.db, {
          workspaceId: m[1]!,
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(actions.length ? { actions } : {}),
          limit: m[2] ? 10_000 : Math.min(Number(q.get('limit') ?? 100) || 100, 1000),
          ...(q.get('before') ? { before: q.get('before')! } : {}),
          includeMemberAccountEvents: true,
        });
        if (m[2] === '.csv') {
          ctx.res.writeHead(200, {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="apiq-audit-${m[1]}.csv"`,
          });
          ctx.res.end(auditToCsv(records));
          return undefined;
        }
        if (m[2] === '.json') {
          ctx.res.writeHead(200, {
            'content-type': 'application/json; charset=utf-8',
            'content-disposition': `attachment; filename="apiq-audit-${m[1]}.json"`,
            'cache-control': 'no-store',
          });
          ctx.res.end(
            JSON.stringify(
              {
                workspaceId: m[1],
                from: from?.toISOString() ?? null,
                to: to?.toISOString() ?? null,
                exportedAt: new Date().toISOString(),
                entries: [...records].reverse(),
              },
              null,
              2,
            ),
          );
          return undefined;
        }
        return { entries: records };
      },
    ],
    [
      'GET',
      /^\/api\/auth\/outbox$/,
      async (ctx) => {
        // The instance owner (an owner of the default workspace) reads mail the instance could not send.
        const c = requireCaller(ctx);
        if ((await roleIn(o.db, c.user.id, DEFAULT_WORKSPACE_ID)) !== 'owner')
          throw new AuthError('forbidden', 'Only the instance owner can read the outbox.');
        const rows = await o.db
          .selectFrom('email_outbox')
          .select(['id', 'to_address', 'subject', 'text_body', 'delivered', 'error', 'created_at'])
          .orderBy('created_at', 'desc')
          .limit(100)
          .execute();
        return {
          delivers: o.mailer.delivers,
          messages: rows.map((r) => ({
            id: r.id,
            to: r.to_address,
            subject: r.subject,
            text: r.text_body,
            delivered: r.delivered,
            error: r.error,
            at: r.created_at.toISOString(),
          })),
        };
      },
    ],
  ];

  /**
   * A workspace's IP allow-list covers its account endpoints (members, invitations, audit, the
   * list itself) as it covers the app API. Checked for members only: outsiders learn nothing.
   */
  async function checkWorkspaceAllowlist(ctx: Ctx): Promise<void> {
    const workspaceId = /^\/api\/auth\/workspaces\/([0-9a-f-]{36})\//.exec(ctx.url.pathname)?.[1];
    if (!workspaceId || !ctx.caller || !(await roleIn(o.db, ctx.caller.user.id, workspaceId))) return;
    const ws = await o.db
      .selectFrom('workspaces')
      .select('ip_allowlist')
      .where('id', '=', workspaceId)
      .executeTakeFirst();
    if (ws && !ipAllowed(ctx.ip, ws.ip_allowlist))
      throw new AuthError(
        'forbidden',
        `Your address (${ctx.ip}) is not on this workspace's IP allow-list; ask an admin to add it.`,
      );
  }

  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/auth/')) return next();
    if (o.social?.handle(req, res, url)) return;
    const method = (req.method ?? 'GET').toUpperCase();
    const matching = routes.filter(([, re]) => re.test(url.pathname));
    if (matching.length === 0) return send(res, 404, { error: 'not_found', message: `No route ${url.pathname}` });
    const route = matching.find(([m]) => m === method);
    if (!route)
      return send(
        res,
        405,
        {
          error: 'method_not_allowed',
          message: `${url.pathname} accepts ${matching.map(([m]) => m).join(', ')}`,
        },
        { allow: matching.map(([m]) => m).join(', ') },
      );
    void (async () => {
      try {
        const ip = (o.clientIp ?? requestIp)(req);
        if (
          !originAllowed({
            method,
            origin: req.headers.origin,
            host: req.headers.host,
            authorization: req.headers.authorization,
            cookie: req.headers.cookie,
            ...(o.trustedOrigins ? { trustedOrigins: o.trustedOrigins } : {}),
          })
        )
          throw new AuthError('forbidden', 'Cross-site request refused: the Origin header is missing or foreign.');
        const body = method === 'GET' ? undefined : await readJsonBody(req);
        const caller = await authenticate(
          o.db,
          { cookie: req.headers.cookie, authorization: req.headers.authorization },
          o.session,
        );
        const ctx: Ctx = {
          req,
          res,
          url,
          body,
          caller,
          ip,
          meta: { ip, userAgent: req.headers['user-agent'] },
        };
        await checkWorkspaceAllowlist(ctx);
        const result = await route[2](ctx, route[1].exec(url.pathname)!);
        if (!res.headersSent) send(res, 200, result ?? {});
      } catch (err) {
        if (err instanceof AuthError) {
          const headers: Record<string, string> = {};
          if (err.details.retryAfterSeconds) headers['retry-after'] = String(err.details.retryAfterSeconds);
          send(
            res,
            err.status,
            { error: err.code, message: err.message, ...(err.details.field ? { field: err.details.field } : {}) },
            headers,
          );
        } else if (err instanceof BodyError) send(res, err.status, { error: err.code, message: err.message });
        else {
          process.stderr.write(`auth request failed: ${(err as Error).stack ?? String(err)}\n`);
          if (!res.headersSent)
            send(res, 500, {
              error: 'internal',
              message: 'The server failed to handle this request; see the server log.',
            });
        }
      }
    })();
  };
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new BodyError(413, 'payload_too_large', `The body must be at most ${MAX_BODY} bytes.`);
    chunks.push(c as Buffer);
  }
  if (size === 0) return {};
  if (!type.includes('application/json'))
    throw new BodyError(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new BodyError(400, 'invalid_json', `The body is not valid JSON: ${(err as Error).message}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}
