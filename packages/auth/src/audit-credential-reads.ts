import { recordAudit } from './audit.ts';
import type { AuthDb } from './schema.ts';

export type CredentialResolverFn = (
  workspaceId: string,
  refs: Record<string, string>,
) => Promise<Record<string, Record<string, string>>>;

/**
 * Wraps the executor's credential resolver so every decryption for a run step is written to the
 * audit log (`credential.read_by_run`, one entry per connection; never the values).
 *
 * @example
 * const resolveCredentials = auditCredentialReads(createCredentialResolver({ db, vault, catalog }), authDb(db));
 */
export function auditCredentialReads(resolve: CredentialResolverFn, db: AuthDb): CredentialResolverFn {
  return async (workspaceId, refs) => {
    const values = await resolve(workspaceId, refs);
    for (const [kind, id] of Object.entries(refs))
      await recordAudit(db, {
        action: 'credential.read_by_run',
        workspaceId,
        actorLabel: 'workflow run',
        targetType: 'credential',
        targetId: id,
        details: { kind },
      });
    return values;
  };
}
