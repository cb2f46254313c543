import { applyCredentialAuth, FatalError, genericCredentialKinds, type CredentialRequirement } from '@apiq/sdk';

/** The generic credential kinds the node accepts; any one of them may be attached. */
export const httpRequestCredentials: CredentialRequirement[] = genericCredentialKinds.map((kind) => ({
  kind: kind.id,
  required: false,
  description: kind.description,
}));

/**
 * Adds the attached credential (API key header or query parameter, bearer token, Basic, OAuth2
 * access token) to the request. Headers set in params are overridden by the credential.
 *
 * @example
 * applyCredentials({ http_bearer: { token: 's3cret' } }, url, headers); // headers: Authorization: Bearer s3cret
 */
export function applyCredentials(
  credentials: Record<string, Record<string, string>>,
  url: URL,
  headers: Headers,
): void {
  for (const kind of genericCredentialKinds) {
    const values = credentials[kind.id];
    if (!values) continue;
    try {
      applyCredentialAuth(kind, values, url, headers);
    } catch (err) {
      throw new FatalError(`the ${kind.id} credential cannot be applied: ${(err as Error).message}`);
    }
  }
}
