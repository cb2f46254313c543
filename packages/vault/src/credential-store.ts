import type { Kysely } from 'kysely';
import { jsonb, type Credential, type Database } from '@apiq/db';
import type { CredentialKindDefinition, CredentialValues, NodeCatalog, NodeFetch } from '@apiq/sdk';
import { credentialAad, type Envelope } from './envelope.ts';
import type { Vault } from './open-vault.ts';
import { ConnectionError } from './errors.ts';

/** What the connection service needs: the database, the vault, the credential kinds and the safe fetch. */
export interface VaultDeps {
  db: Kysely<Database>;
  vault: Vault;
  catalog: Pick<NodeCatalog, 'credentialKind' | 'credentialKinds'>;
  /** The platform's safe outbound client (test calls, OAuth2 token requests). */
  fetch?: NodeFetch;
}

/** Seals a credential's values for its row. */
export function sealValues(vault: Vault, workspaceId: string, id: string, values: CredentialValues): Envelope {
  return vault.encrypt(JSON.stringify(values), credentialAad(workspaceId, id));
}

/** Opens a credential row's values. Throws EnvelopeError when the row's envelope does not open. */
export function openValues(vault: Vault, row: Pick<Credential, 'workspace_id' | 'id' | 'envelope'>): CredentialValues {
  return JSON.parse(vault.decrypt(row.envelope, credentialAad(row.workspace_id, row.id))) as CredentialValues;
}

/** A workspace's credential row, locked for update when `lock` (inside a transaction). */
export async function findCredential(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
  lock = false,
): Promise<Credential | undefined> {
  if (!UUID.test(id)) return undefined;
  let q = db.selectFrom('credentials').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function requireCredential(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
  lock = false,
): Promise<Credential> {
  const row = await findCredential(db, workspaceId, id, lock);
  if (!row) throw new ConnectionError('not_found', `connection ${id} does not exist in this workspace`);
  return row;
}

export function requireKind(deps: Pick<VaultDeps, 'catalog'>, kindId: string): CredentialKindDefinition {
  const kind = deps.catalog.credentialKind(kindId);
  if (!kind)
    throw new ConnectionError(
      'unknown_kind',
      `unknown credential kind "${kindId}"; installed kinds: ${deps.catalog
        .credentialKinds()
        .map((k) => k.id)
        .join(', ')}`,
    );
  return kind;
}

/**
 * Checks, inside the writing transaction, that the vault still seals with the active key: after
 * `apiq vault rotate-key` a process still on the old key must not write envelopes only it can
 * open. The row lock (FOR SHARE) makes a finishing rotation wait for this write, or this write
 * wait for the rotation.
 */
export async function assertSealingKey(db: Kysely<Database>, vault: Vault): Promise<void> {
  const active = await db
    .selectFrom('vault_keys')
    .select('kid')
    .where('status', '=', 'active')
    .forShare()
    .executeTakeFirst();
  if (active && active.kid !== vault.kid)
    throw new ConnectionError(
      'conflict',
      `the vault's master key was rotated to "${active.kid}"; restart this process with the new APIQ_MASTER_KEY before changing credentials`,
    );
}

/** Writes new values (sealed) and their metadata onto a credential row; call inside a transaction. */
export async function writeValues(
  db: Kysely<Database>,
  vault: Vault,
  row: Pick<Credential, 'workspace_id' | 'id'>,
  values: CredentialValues,
  set: { metadata?: Record<string, string>; status?: Credential['status']; last_error?: string | null } = {},
): Promise<void> {
  await assertSealingKey(db, vault);
  await db
    .updateTable('credentials')
    .set({
      envelope: jsonb(sealValues(vault, row.workspace_id, row.id, values)),
      ...(set.metadata ? { metadata: jsonb(set.metadata) } : {}),
      ...(set.status ? { status: set.status } : {}),
      ...(set.last_error !== undefined ? { last_error: set.last_error } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', row.id)
    .where('workspace_id', '=', row.workspace_id)
    .execute();
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
