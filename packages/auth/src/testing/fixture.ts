import { createTestDatabase, testServers } from '@apiq/db/testing';
import { Accounts, type AccountLimits } from '../accounts.ts';
import { createMailer } from '../mailer.ts';
import { authDb, type AuthDb } from '../schema.ts';

export interface AuthFixture {
  db: AuthDb;
  accounts: Accounts;
  /** The newest outbox message to an address. */
  lastEmailTo(to: string): Promise<{ subject: string; text: string }>;
  /** The token in the newest link of a kind (`/verify-email?token=`, `/invitations/`) mailed to an address. */
  linkToken(to: string, marker: string): Promise<string>;
  signUpVerified(email: string, password?: string): Promise<{ userId: string; token: string }>;
  drop(): Promise<void>;
}

export const PASSWORD = 'correct horse battery';
export const APP_URL = 'http://apiq.test';

/** A fresh database with the account service and an outbox-only mailer (no SMTP). */
export async function authFixture(limits?: Partial<AccountLimits>): Promise<AuthFixture> {
  const t = await createTestDatabase(testServers()[0]!.url);
  const db = authDb(t.db);
  const mailer = createMailer({ db, log: () => undefined });
  const accounts = new Accounts({ db, mailer, appUrl: APP_URL, ...(limits ? { limits } : {}) });
  const lastEmailTo = async (to: string) => {
    const row = await db
      .selectFrom('email_outbox')
      .select(['subject', 'text_body'])
      .where('to_address', '=', to)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    return { subject: row.subject, text: row.text_body };
  };
  const linkToken = async (to: string, marker: string) => {
    const { text } = await lastEmailTo(to);
    const at = text.lastIndexOf(marker);
    if (at < 0) throw new Error(`no "${marker}" link in the last email to ${to}`);
    return /^[a-z2-7]+\.[a-z2-7]+/.exec(text.slice(at + marker.length))![0];
  };
  return {
    db,
    accounts,
    lastEmailTo,
    linkToken,
    async signUpVerified(email, password = PASSWORD) {
      const r = await accounts.signUp({ email, password });
      await accounts.verifyEmail(await linkToken(email, '/verify-email?token='));
      return { userId: r.userId, token: r.token };
    },
    drop: t.drop,
  };
}
