import { credentialSecrets, type NodeCatalog, type SerializedError } from '@apiq/sdk';

/**
 * Turns a node's credential refs (`{ [kindId]: credentialId }`) into decrypted values by kind.
 * The vault provides it (`createCredentialResolver` in `@apiq/vault`); the engine only calls it.
 */
export type CredentialResolver = (
  workspaceId: string,
  refs: Record<string, string>,
) => Promise<Record<string, Record<string, string>>>;

export type StepCredentials =
  | { ok: true; values: Record<string, Record<string, string>>; secrets: string[] }
  | { ok: false; error: SerializedError };

const NONE: StepCredentials = { ok: true, values: {}, secrets: [] };

/**
 * The credentials of one step, and the secret strings to redact from what it records. Steps
 * without credential refs cost nothing. A missing, deleted or undecryptable credential becomes
 * an error naming the step and the connection (never its values).
 *
 * @example
 * const creds = await loadStepCredentials(resolver, catalog, run.workspace_id, step);
 * if (!creds.ok) return fail(creds.error);
 */
export async function loadStepCredentials(
  resolver: CredentialResolver | undefined,
  catalog: Pick<NodeCatalog, 'credentialKind'>,
  workspaceId: string,
  step: { id: string; type: string; credentials?: Record<string, string> },
): Promise<StepCredentials> {
  const refs = step.credentials ?? {};
  if (Object.keys(refs).length === 0) return NONE;
  const where = `step "${step.id}" (${step.type})`;
  if (!resolver)
    return {
      ok: false,
      error: {
        kind: 'fatal',
        name: 'CredentialError',
        message: `${where} uses credentials, but this executor was started without the credential vault`,
      },
    };
  try {
    const values = await resolver(workspaceId, refs);
    const secrets = new Set<string>();
    for (const [kindId, v] of Object.entries(values))
      for (const s of credentialSecrets(catalog.credentialKind(kindId), v)) secrets.add(s);
    return { ok: true, values, secrets: [...secrets].sort((a, b) => b.length - a.length) };
  } catch (err) {
    const kind = (err as { kind?: unknown } | null)?.kind === 'retryable' ? 'retryable' : 'fatal';
    return {
      ok: false,
      error: { kind, name: 'CredentialError', message: `${where}: ${(err as Error)?.message ?? String(err)}` },
    };
  }
}
