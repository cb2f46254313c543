import {
  applyCredentialAuth,
  credentialBaseUrl,
  FatalError,
  genericCredentialKinds,
  type CredentialKindDefinition,
} from '@apiq/sdk';
import type { OperationData } from './params.ts';

const KINDS = new Map<string, CredentialKindDefinition>(genericCredentialKinds.map((k) => [k.id, k]));

/**
 * Picks the credential for an operation — the first of the spec's security options the node has
 * a credential for, else any generic credential attached — and applies it to the request. The
 * spec's header or query parameter name wins over the credential's (it is the API's contract).
 * Returns the server URL to use (a credential's `baseUrl` overrides the operation's).
 *
 * @example
 * applyCredential(getPetById, { api_key_header: { apiKey: 'k' } }, headers, query); // sets header api_key: k
 */
export function applyCredential(
  op: OperationData,
  credentials: Record<string, Record<string, string>>,
  headers: Headers,
  query: string[],
): { serverUrl: string; kind?: string } {
  const option = op.auth.options.find((o) => credentials[o.kind] && KINDS.has(o.kind));
  const kindId = option?.kind ?? [...KINDS.keys()].find((id) => credentials[id]);
  if (!kindId) {
    if (op.auth.required) {
      const choices = op.auth.options.map((o) => `${o.kind} (scheme ${o.scheme})`).join(', ');
      throw new FatalError(
        `${op.operationId} needs credentials${choices ? `: attach one of ${choices}` : ''} to this node`,
      );
    }
    return { serverUrl: op.serverUrl };
  }
  const kind = KINDS.get(kindId)!;
  const values = {
    ...credentials[kindId]!,
    ...(option?.headerName ? { headerName: option.headerName } : {}),
    ...(option?.paramName ? { paramName: option.paramName } : {}),
  };
  if (kind.id === 'api_key_header' && !values.headerName) values.headerName = 'X-API-Key';
  if (kind.id === 'api_key_query' && !values.paramName) values.paramName = 'api_key';
  // Query auth goes through a scratch URL so the operation's own query keeps its encoding.
  const scratch = new URL('http://credential.invalid/');
  try {
    applyCredentialAuth(kind, values, scratch, headers);
  } catch (err) {
    throw new FatalError(`${op.operationId}: the ${kind.id} credential is incomplete: ${(err as Error).message}`);
  }
  for (const [name, value] of scratch.searchParams)
    query.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return { serverUrl: credentialBaseUrl(kind, values) ?? op.serverUrl, kind: kind.id };
}
