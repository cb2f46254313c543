import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { sql, type Transaction } from 'kysely';
import type { AuthDatabase, AuthDb } from './schema.ts';

const ACCOUNT_LOCK = 7_461_820_503_114;

/** Runs `fn` in a transaction that no other account creation runs beside, so exactly one account is the first. */
export function withAccountLock<T>(db: AuthDb, fn: (tx: Transaction<AuthDatabase>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${ACCOUNT_LOCK})`.execute(tx);
    return fn(tx);
  });
}

/**
 * Inserts an account (call inside `withAccountLock`). The instance's first account becomes the
 * owner of the default workspace, where everything made before accounts existed lives.
 */
export async function insertAccount(
  tx: Transaction<AuthDatabase>,
  a: { email: string; name?: string; passwordHash: string; verified: boolean },
): Promise<{ userId: string; firstUser: boolean }> {
  const firstUser = !(await tx.selectFrom('users').select('id').limit(1).executeTakeFirst());
  const user = await tx
    .insertInto('users')
    .values({
      email: a.email,
      name: a.name ?? '',
      password_hash: a.passwordHash,
      ...(a.verified ? { email_verified_at: new Date() } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (firstUser)
    await tx
      .insertInto('memberships')
      .values({ workspace_id: DEFAULT_WORKSPACE_ID, user_id: user.id, role: 'owner' })
      .execute();
  return { userId: user.id, firstUser };
}
