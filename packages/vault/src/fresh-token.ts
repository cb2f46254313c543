import { createSafeFetch } from '@apiq/http';
import type { Credential } from '@apiq/db';
import type { CredentialKindDefinition, CredentialValues, NodeFetch } from '@apiq/sdk';
import { findCredential, openValues, writeValues, type VaultDeps } from './credential-store.ts';
import { publicMetadata } from './credential-values.ts';
import { isTokenFresh, obtainToken, OAuth2Error, withTokens } from './oauth2-token.ts';

let sharedFetch: NodeFetch | undefined;

/** The deps' fetch, else one shared safe client (allow-list from APIQ_HTTP_ALLOW). */
export function fetchOf(deps: Pick<VaultDeps, 'fetch'>): NodeFetch {
  return deps.fetch ?? (sharedFetch ??= createSafeFetch());
}

/**
 * Returns OAuth2 values with an access token that is good for at least another minute,
 * obtaining a new one when needed. Refreshes of one credential are serialised by a row lock:
 * of two executors that find the token expired, the second waits and then uses the token the
 * first stored, so the provider sees one refresh. A failure is recorded on the connection
 * (status `error`) and thrown as an OAuth2Error. Other kinds pass through.
 *
 * @example
 * const values = await ensureFreshToken(deps, row, kind, openValues(deps.vault, row));
 */
export async function ensureFreshToken(
  deps: VaultDeps,
  row: Pick<Credential, 'workspace_id' | 'id'>,
  kind: CredentialKindDefinition,
  values: CredentialValues,
): Promise<CredentialValues> {
  if (kind.auth.type !== 'oauth2' || isTokenFresh(values)) return values;
  const outcome = await deps.db.transaction().execute(async (tx) => {
    const locked = await findCredential(tx, row.workspace_id, row.id, true);
    if (!locked) throw new OAuth2Error('the connection was deleted', false);
    const current = openValues(deps.vault, locked);
    if (isTokenFresh(current)) return { values: current };
    try {
      const next = withTokens(current, await obtainToken(fetchOf(deps), kind, current));
      await writeValues(tx, deps.vault, locked, next, {
        metadata: publicMetadata(kind, next),
        status: 'ok',
        last_error: null,
      });
      return { values: next };
    } catch (err) {
      if (!(err instanceof OAuth2Error)) throw err;
      // Only permanent failures mark the connection broken; a network blip leaves it as it was.
      if (!err.retryable)
        await tx
          .updateTable('credentials')
          .set({ status: 'error', last_error: err.message, updated_at: new Date() })
          .where('id', '=', locked.id)
          .execute();
      return { error: err };
    }
  });
  if ('error' in outcome) throw outcome.error;
  return outcome.values;
}
