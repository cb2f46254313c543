import { sql, type Kysely } from 'kysely';
import { jsonb, type Database } from '@apiq/db';
import { credentialAad, seal, type MasterKey } from './envelope.ts';
import { opensCanary, sealCanary, VAULT_LOCK_KEY, type Vault } from './open-vault.ts';

export interface RotationProgress {
  /** Envelopes moved to the new key so far (over all attempts). */
  rotated: number;
  /** Envelopes still under another key when the batch was taken. */
  remaining: number;
}

export interface RotateKeyOptions {
  db: Kysely<Database>;
  /** The vault opened with the current key. */
  vault: Vault;
  newKey: MasterKey;
  /** Envelopes re-encrypted per transaction. Default 100. */
  batchSize?: number;
  /** Called after each committed batch. */
  onProgress?(progress: RotationProgress): void;
}

export interface RotationResult {
  kid: string;
  previousKid: string;
  /** Envelopes re-encrypted by this call. */
  rotated: number;
  /** True when this call continued a rotation an earlier call started. */
  resumed: boolean;
}

export class KeyRotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRotationError';
  }
}

/**
 * Re-encrypts every credential envelope with `newKey`, in batches of `batchSize`, each batch
 * its own transaction with its progress recorded: if the process dies, running it again with
 * the same new key continues where it stopped (envelopes already under the new key are
 * skipped). The new key's canary becomes the vault's canary last, in the transaction that
 * sweeps up envelopes written meanwhile; from then on processes must use the new key.
 *
 * @example
 * const vault = await openVault({ db });
 * await rotateMasterKey({ db, vault, newKey: parseMasterKey(process.env.APIQ_NEW_MASTER_KEY!, 'APIQ_NEW_MASTER_KEY') });
 */
export async function rotateMasterKey(options: RotateKeyOptions): Promise<RotationResult> {
  const { db, vault, newKey } = options;
  const batchSize = Math.max(1, options.batchSize ?? 100);
  if (newKey.kid === vault.kid) throw new KeyRotationError(`the new key is the current key ("${vault.kid}")`);

  const { resumed, rotatedBefore } = await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(VAULT_LOCK_KEY)})`.execute(tx);
    const rows = await tx.selectFrom('vault_keys').select(['kid', 'status', 'canary', 'progress']).execute();
    const active = rows.find((r) => r.status === 'active');
    if (active?.kid !== vault.kid)
      throw new KeyRotationError(
        `the vault is under key "${active?.kid ?? 'none'}", not the current key "${vault.kid}"`,
      );
    const rotating = rows.find((r) => r.status === 'rotating');
    if (rotating && rotating.kid !== newKey.kid)
      throw new KeyRotationError(
        `a rotation to key "${rotating.kid}" was started and has not finished; run the command again with that key ` +
          `(the APIQ_NEW_MASTER_KEY of that run, or the key file master.key.new), so no envelope is left under a lost key`,
      );
    if (rotating) {
      if (!opensCanary(newKey, rotating.canary))
        throw new KeyRotationError(
          `the new key does not open the canary of the rotation in progress ("${rotating.kid}")`,
        );
      return { resumed: true, rotatedBefore: Number((rotating.progress as { rotated?: number } | null)?.rotated ?? 0) };
    }
    if (rows.some((r) => r.kid === newKey.kid))
      throw new KeyRotationError(`key "${newKey.kid}" was used before and retired; use a new random key`);
    await tx
      .insertInto('vault_keys')
      .values({
        kid: newKey.kid,
        status: 'rotating',
        canary: jsonb(sealCanary(newKey)),
        progress: jsonb({ rotated: 0 }),
      })
      .execute();
    return { resumed: false, rotatedBefore: 0 };
  });

  let rotated = 0;
  let lastId = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await db.transaction().execute(async (tx) => {
      const rows = await tx
        .selectFrom('credentials')
        .select(['id', 'workspace_id', 'envelope'])
        .where(sql<boolean>`envelope ->> 'kid' <> ${newKey.kid}`)
        .where('id', '>', lastId)
        .orderBy('id')
        .limit(batchSize)
        .forUpdate()
        .execute();
      for (const row of rows) await reseal(tx, vault, newKey, row);
      if (rows.length > 0) {
        rotated += rows.length;
        lastId = rows[rows.length - 1]!.id;
        await tx
          .updateTable('vault_keys')
          .set({ progress: jsonb({ rotated: rotatedBefore + rotated, lastId }) })
          .where('kid', '=', newKey.kid)
          .execute();
      }
      return rows.length;
    });
    if (batch === 0) break;
    const { remaining } = await db
      .selectFrom('credentials')
      .select((eb) => eb.fn.countAll<number>().as('remaining'))
      .where(sql<boolean>`envelope ->> 'kid' <> ${newKey.kid}`)
      .executeTakeFirstOrThrow();
    options.onProgress?.({ rotated: rotatedBefore + rotated, remaining: Number(remaining) });
  }

  await db.transaction().execute(async (tx) => {
    // Writers check the active key under FOR SHARE; this lock waits for them and stops new ones.
    await tx.selectFrom('vault_keys').select('kid').where('status', '=', 'active').forUpdate().execute();
    const late = await tx
      .selectFrom('credentials')
      .select(['id', 'workspace_id', 'envelope'])
      .where(sql<boolean>`envelope ->> 'kid' <> ${newKey.kid}`)
      .orderBy('id')
      .forUpdate()
      .execute();
    for (const row of late) await reseal(tx, vault, newKey, row);
    rotated += late.length;
    const states = await tx.selectFrom('oauth_states').select(['state', 'verifier']).forUpdate().execute();
    for (const s of states) {
      const aad = `apiq:oauth-state:${s.state}`;
      await tx
        .updateTable('oauth_states')
        .set({ verifier: jsonb(seal(newKey, vault.decrypt(s.verifier, aad), aad)) })
        .where('state', '=', s.state)
        .execute();
    }
    await tx.updateTable('vault_keys').set({ status: 'retired' }).where('kid', '=', vault.kid).execute();
    await tx
      .updateTable('vault_keys')
      .set({
        status: 'active',
        activated_at: new Date(),
        progress: jsonb({ rotated: rotatedBefore + rotated, done: true }),
      })
      .where('kid', '=', newKey.kid)
      .execute();
  });
  return { kid: newKey.kid, previousKid: vault.kid, rotated, resumed };
}

async function reseal(
  tx: Kysely<Database>,
  vault: Vault,
  newKey: MasterKey,
  row: { id: string; workspace_id: string; envelope: unknown },
): Promise<void> {
  const aad = credentialAad(row.workspace_id, row.id);
  let plaintext: string;
  try {
    plaintext = vault.decrypt(row.envelope, aad);
  } catch (err) {
    throw new KeyRotationError(
      `credential ${row.id} cannot be decrypted, so it cannot be rotated: ${(err as Error).message}`,
    );
  }
  await tx
    .updateTable('credentials')
    .set({ envelope: jsonb(seal(newKey, plaintext, aad)) })
    .where('id', '=', row.id)
    .execute();
}
