import type {
  ApiTokenInfo,
  AuditRecord,
  InvitationPreview,
  Member,
  PendingInvitation,
  Role,
  SessionUser,
  WorkspaceSummary,
} from '@apiq/auth';

// The shapes of the `/api/auth/*` answers (packages/auth/src/http-handler.ts), from its own types.
export type {
  ApiTokenInfo,
  AuditRecord,
  InvitationPreview,
  Member,
  PendingInvitation,
  Role,
  SessionUser,
  WorkspaceSummary,
};

/** How account emails leave the instance: an SMTP server, or only the owner's outbox and the log. */
export type EmailDelivery = 'smtp' | 'outbox';

/** `GET /api/auth/me` */
export type Me =
  | {
      user: null;
      setupRequired: boolean;
      emailDelivery: EmailDelivery;
      /** Identity providers configured on this instance ("Sign in with GitHub"). */
      signInProviders?: Array<{ id: string; title: string }>;
    }
  | {
      user: SessionUser;
      via: 'session' | 'token';
      workspaces: WorkspaceSummary[];
      instanceOwner: boolean;
      setupRequired: false;
      emailDelivery: EmailDelivery;
    };

export type SignedIn = Extract<Me, { user: SessionUser }>;

export interface OutboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  delivered: boolean;
  error: string | null;
  at: string;
}
