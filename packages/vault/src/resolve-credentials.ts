import { FatalError, RetryableError, type CredentialValues } from '@apiq/sdk';
import { findCredential, openValues, type VaultDeps } from './credential-store.ts';
import { EnvelopeError } from './envelope.ts';
import { ensureFreshToken } from './fresh-token.ts';
import { OAuth2Error } from './oauth2-token.ts';

/** Decrypted values by credential kind, for one step. */
export type ResolvedCredentials = Record<string, CredentialValues>;

/** What the engine calls per step: credential refs of a node → decrypted values by kind. */
export type CredentialResolver = (workspaceId: string, refs: Record<string, string>) => Promise<ResolvedCredentials>;

/**
 * Makes the resolver the executor calls for each step that references credentials
 * (graph node `credentials: { [kindId]: credentialId }`). OAuth2 tokens are refreshed first
 * when expired or about to expire. Problems are thrown as FatalError (missing, deleted, wrong
 * kind, undecryptable, refused by the provider) or RetryableError (token endpoint unreachable),
 * with messages that name the connection and never contain a secret.
 *
 * @example
 * const resolveCredentials = createCredentialResolver({ db, vault, catalog });
 * new Executor({ db, pool, catalog, resolveCredentials });
 */
export function createCredentialResolver(deps: VaultDeps): CredentialResolver {
  return async (workspaceId, refs) => {
    const out: ResolvedCredentials = {};
    for (const [kindId, credentialId] of Object.entries(refs)) {
      out[kindId] = await resolveOne(deps, workspaceId, kindId, credentialId);
    }
    return out;
  };
}

async function resolveOne(
  deps: VaultDeps,
  workspaceId: string,
  kindId: string,
  credentialId: string,
): Promise<CredentialValues> {
  const row = await findCredential(deps.db, workspaceId, credentialId);
  if (!row)
    throw new FatalError(
      `the ${kindId} connection ${credentialId} does not exist (it was deleted, or belongs to another workspace); choose another connection for this node`,
    );
  const label = `the ${kindId} connection "${row.name}" (${row.id})`;
  if (row.kind !== kindId)
    throw new FatalError(
      `${label} is a ${row.kind} credential, but the node uses it as ${kindId}; choose a ${kindId} connection`,
    );
  const kind = deps.catalog.credentialKind(kindId);
  if (!kind) throw new FatalError(`${label} is of kind ${kindId}, which no installed node package defines`);
  let values: CredentialValues;
  try {
    values = openValues(deps.vault, row);
  } catch (err) {
    if (err instanceof EnvelopeError) throw new FatalError(`${label} cannot be decrypted: ${err.message}`);
    throw err;
  }
  try {
    return await ensureFreshToken(deps, row, kind, values);
  } catch (err) {
    if (err instanceof OAuth2Error) {
      const message = `${label} has no usable access token: ${err.message}`;
      throw err.retryable ? new RetryableError(message) : new FatalError(message);
    }
    throw err;
  }
}
