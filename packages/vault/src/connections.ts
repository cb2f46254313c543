import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { jsonb, type ConnectionLimits, type Credential } from '@apiq/db';
import type { CredentialValues } from '@apiq/sdk';
import {
  assertSealingKey,
  openValues,
  requireCredential,
  requireKind,
  sealValues,
  writeValues,
  type VaultDeps,
} from './credential-store.ts';
import { checkLimits } from './connection-limits.ts';
import { checkValues, needsConnect, oauthIdentityChanged, publicMetadata, TOKEN_FIELDS } from './credential-values.ts';
import { ConnectionError, ConnectionInUseError, ConnectionInvalidError, type FieldIssue } from './errors.ts';

/** A connection as the API shows it: never a secret value. */
export interface Connection {
  id: string;
  workspaceId: string;
  name: string;
  /** Credential kind id. */
  kind: string;
  kindTitle: string;
  /** Non-secret field values. */
  metadata: Record<string, string>;
  /** Request limits shared by every step using the connection; null when unlimited. */
  limits: ConnectionLimits | null;
  status: Credential['status'];
  lastTestedAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewConnection {
  name: string;
  kind: string;
  /** Field values of the kind (validated; defaults applied). */
  values: Record<string, unknown>;
  /** `{ requestsPerSecond?, burst?, concurrency? }`; absent, null or `{}` for none. */
  limits?: ConnectionLimits | null;
}

export interface ConnectionUpdate {
  name?: string;
  /**
   * New field values, merged over the stored ones (fields left out keep their value) and
   * validated as a whole: this is how a secret is rotated. Changing an OAuth2 client setting
   * drops the tokens obtained with the old one.
   */
  values?: Record<string, unknown>;
  /** Replaces the limits as a whole; `null` (or `{}`) removes them; absent keeps them. */
  limits?: ConnectionLimits | null;
}

/**
 * Stores a new connection: values validated against the kind's fields, sealed in one envelope.
 *
 * @example
 * const c = await createConnection(deps, workspaceId, { name: 'Events API', kind: 'http_bearer', values: { token: 's3cret' } });
 * c.status; // → 'untested'
 */
export async function createConnection(
  deps: VaultDeps,
  workspaceId: string,
  input: NewConnection,
): Promise<Connection> {
  const kind = requireKind(deps, String(input.kind));
  const name = checkName(input.name, 'new connection');
  const checked = checkValues(kind, input.values);
  const limits = checkLimits(input.limits);
  const issues = [...(checked.ok ? [] : checked.issues), ...(limits.ok ? [] : limits.issues)];
  if (!checked.ok || !limits.ok) throw new ConnectionInvalidError(issues, `connection "${name}" (${kind.id})`);
  const id = randomUUID();
  const row = await deps.db
    .transaction()
    .execute(async (tx) => {
      await assertSealingKey(tx, deps.vault);
      return tx
        .insertInto('credentials')
        .values({
          id,
          workspace_id: workspaceId,
          name,
          kind: kind.id,
          envelope: jsonb(sealValues(deps.vault, workspaceId, id, checked.values)),
          metadata: jsonb(publicMetadata(kind, checked.values)),
          limits: limits.limits === null ? null : jsonb(limits.limits),
          status: needsConnect(kind, checked.values) ? 'needs_connect' : 'untested',
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    })
    .catch((err: unknown) => {
      throw duplicateName(err, name) ?? err;
    });
  return toConnection(deps, row);
}

/** A workspace's connections, by name. Metadata only. */
export async function listConnections(deps: VaultDeps, workspaceId: string): Promise<Connection[]> {
  const rows = await deps.db
    .selectFrom('credentials')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map((r) => toConnection(deps, r));
}

/** One connection; throws ConnectionError `not_found` when the workspace has no such connection. */
export async function getConnection(deps: VaultDeps, workspaceId: string, id: string): Promise<Connection> {
  return toConnection(deps, await requireCredential(deps.db, workspaceId, id));
}

/**
 * Renames a connection, replaces its values (rotation) and/or its limits. Nothing is written
 * when the new values or limits are invalid.
 *
 * @example
 * await updateConnection(deps, workspaceId, id, { values: { token: 'new-s3cret' } });
 * await updateConnection(deps, workspaceId, id, { limits: { requestsPerSecond: 5, concurrency: 2 } });
 */
export async function updateConnection(
  deps: VaultDeps,
  workspaceId: string,
  id: string,
  update: ConnectionUpdate,
): Promise<Connection> {
  return deps.db.transaction().execute(async (tx) => {
    const row = await requireCredential(tx, workspaceId, id, true);
    const name = update.name === undefined ? row.name : checkName(update.name, `connection "${row.name}"`);
    const limits = update.limits === undefined ? undefined : checkLimits(update.limits);
    if (limits && !limits.ok) throw new ConnectionInvalidError(limits.issues, `connection "${name}"`);
    if (update.values !== undefined) {
      const kind = requireKind(deps, row.kind);
      if (typeof update.values !== 'object' || update.values === null || Array.isArray(update.values))
        throw new ConnectionInvalidError([{ path: 'values', message: 'must be an object of field values' }], name);
      const stored = openValues(deps.vault, row);
      const merged: Record<string, unknown> = { ...stored, ...update.values };
      const checked = checkValues(kind, merged);
      if (!checked.ok) throw new ConnectionInvalidError(checked.issues, `connection "${name}" (${kind.id})`);
      const values: CredentialValues = checked.values;
      const tokensGiven = TOKEN_FIELDS.some((f) => f in update.values!);
      if (kind.auth.type === 'oauth2' && !tokensGiven && oauthIdentityChanged(stored, values))
        for (const f of TOKEN_FIELDS) delete values[f];
      await writeValues(tx, deps.vault, row, values, {
        metadata: publicMetadata(kind, values),
        status: needsConnect(kind, values) ? 'needs_connect' : 'untested',
        last_error: null,
      });
    }
    const updated = await tx
      .updateTable('credentials')
      .set({
        name,
        ...(limits?.ok ? { limits: limits.limits === null ? null : jsonb(limits.limits) } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch((err: unknown) => {
        throw duplicateName(err, name) ?? err;
      });
    return toConnection(deps, updated);
  });
}

/**
 * Deletes a connection, unless the active or latest version of a workflow references it:
 * then a ConnectionInUseError names those workflows and nothing is deleted.
 */
export async function deleteConnection(deps: VaultDeps, workspaceId: string, id: string): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    const row = await requireCredential(tx, workspaceId, id, true);
    const users = await workflowsUsing(tx, workspaceId, id);
    if (users.length > 0) throw new ConnectionInUseError(users, row.name);
    await tx.deleteFrom('credentials').where('id', '=', row.id).execute();
  });
}

/** Workflows whose active or latest version has a node referencing the credential. */
export async function workflowsUsing(
  db: VaultDeps['db'],
  workspaceId: string,
  credentialId: string,
): Promise<Array<{ id: string; name: string }>> {
  const { rows } = await sql<{ id: string; name: string }>`
    select distinct w.id, w.name from workflows w
    join workflow_versions v on v.id = w.active_version_id or v.id = w.current_version_id
    cross join lateral jsonb_array_elements(case when jsonb_typeof(v.graph -> 'nodes') = 'array' then v.graph -> 'nodes' else '[]'::jsonb end) n
    cross join lateral jsonb_each_text(case when jsonb_typeof(n.value -> 'credentials') = 'object' then n.value -> 'credentials' else '{}'::jsonb end) c
    where w.workspace_id = ${workspaceId} and c.value = ${credentialId}
    order by w.name, w.id`.execute(db);
  return rows;
}

export function toConnection(deps: Pick<VaultDeps, 'catalog'>, row: Credential): Connection {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    kind: row.kind,
    kindTitle: deps.catalog.credentialKind(row.kind)?.title ?? row.kind,
    metadata: (row.metadata ?? {}) as Record<string, string>,
    limits: (row.limits as ConnectionLimits | null | undefined) ?? null,
    status: row.status,
    lastTestedAt: row.last_tested_at ? row.last_tested_at.toISOString() : null,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function checkName(name: unknown, context: string): string {
  const issues: FieldIssue[] = [];
  if (typeof name !== 'string' || name.trim() === '') issues.push({ path: 'name', message: 'a name is required' });
  else if (name.trim().length > 200) issues.push({ path: 'name', message: 'at most 200 characters' });
  if (issues.length) throw new ConnectionInvalidError(issues, context);
  return (name as string).trim();
}

function duplicateName(err: unknown, name: string): ConnectionError | undefined {
  if ((err as { code?: string }).code === '23505')
    return new ConnectionError(
      'conflict',
      `a connection named "${name}" already exists in this workspace; pick another name`,
    );
  return undefined;
}
