import { sql } from 'kysely';
import type { AuthDb, EmailTokenPurpose } from './schema.ts';
import { constantTimeEqual, hashSecret, newToken, splitToken } from './secrets.ts';

export const EMAIL_TOKEN_TTL_MS: Record<EmailTokenPurpose, number> = {
  verify_email: 48 * 3_600_000,
  reset_password: 3_600_000,
  change_email: 24 * 3_600_000,
};

/** Issues a single-use emailed token (earlier unused ones of the same purpose stop working). */
export async function issueEmailToken(
  db: AuthDb,
  userId: string,
  purpose: EmailTokenPurpose,
  newEmail?: string,
): Promise<string> {
  const { id, secret, token } = newToken();
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('email_tokens')
      .set({ used_at: new Date() })
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .execute();
    await tx
      .insertInto('email_tokens')
      .values({
        id,
        secret_hash: hashSecret(secret),
        user_id: userId,
        purpose,
        new_email: newEmail ?? null,
        expires_at: new Date(Date.now() + EMAIL_TOKEN_TTL_MS[purpose]),
      })
      .execute();
  });
  return token;
}

/**
 * Uses up an emailed token: returns its user (and new email for email changes) once, or
 * undefined when the token is unknown, forged, expired or already used.
 */
export async function consumeEmailToken(
  db: AuthDb,
  token: string,
  purpose: EmailTokenPurpose,
): Promise<{ userId: string; newEmail: string | null } | undefined> {
  const parts = splitToken(token);
  if (!parts) return undefined;
  const row = await db
    .selectFrom('email_tokens')
    .select(['id', 'secret_hash', 'user_id', 'new_email', 'expires_at', 'used_at'])
    .where('id', '=', parts.id)
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  if (!row || row.used_at || row.expires_at.getTime() <= Date.now()) return undefined;
  if (!constantTimeEqual(hashSecret(parts.secret), new Uint8Array(row.secret_hash))) return undefined;
  // The conditional update makes the token single-use even when two requests race.
  const used = await db
    .updateTable('email_tokens')
    .set({ used_at: sql`now()` })
    .where('id', '=', row.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(used.numUpdatedRows) !== 1) return undefined;
  return { userId: row.user_id, newEmail: row.new_email };
}
