import {
  applyCredentialAuth,
  credentialBaseUrl,
  credentialSecrets,
  redactSecrets,
  type CredentialKindDefinition,
  type CredentialValues,
} from '@apiq/sdk';
import { openValues, requireCredential, requireKind, type VaultDeps } from './credential-store.ts';
import { fetchOf, ensureFreshToken } from './fresh-token.ts';
import { EnvelopeError } from './envelope.ts';
import { OAuth2Error } from './oauth2-token.ts';

export interface ConnectionTestResult {
  ok: boolean;
  /** What was checked and what came back, e.g. `GET https://api.github.com/user → 200`. */
  message: string;
  /** HTTP status of the test call, when one was made. */
  status?: number;
}

/**
 * Proves a connection works with one cheap authenticated call through the safe client: the
 * kind's `test` request (else a GET of the API base URL); for OAuth2 kinds, getting a valid
 * token comes first. Records the outcome on the connection (status `ok` / `error`,
 * `last_tested_at`, `last_error`). Messages never contain secrets.
 *
 * @example
 * const result = await testConnection(deps, workspaceId, id); // → { ok: true, status: 200, message: 'GET https://api.example.com/me → 200' }
 */
export async function testConnection(deps: VaultDeps, workspaceId: string, id: string): Promise<ConnectionTestResult> {
  const row = await requireCredential(deps.db, workspaceId, id);
  const kind = requireKind(deps, row.kind);
  let result: ConnectionTestResult;
  let values: CredentialValues | undefined;
  try {
    values = await ensureFreshToken(deps, row, kind, openValues(deps.vault, row));
    result = await callTest(deps, kind, values);
  } catch (err) {
    if (!(err instanceof OAuth2Error || err instanceof EnvelopeError)) throw err;
    result = { ok: false, message: err.message };
  }
  if (values) result.message = redactSecrets(result.message, credentialSecrets(kind, values));
  await deps.db
    .updateTable('credentials')
    .set({
      status: result.ok ? 'ok' : 'error',
      last_tested_at: new Date(),
      last_error: result.ok ? null : result.message,
    })
    .where('id', '=', row.id)
    .execute();
  return result;
}

async function callTest(
  deps: VaultDeps,
  kind: CredentialKindDefinition,
  values: CredentialValues,
): Promise<ConnectionTestResult> {
  const base = credentialBaseUrl(kind, values);
  if (!base) {
    if (kind.auth.type === 'oauth2') return { ok: true, message: 'the provider issued an access token' };
    return { ok: false, message: `nothing to call: ${kind.id} has no test request; set the API base URL (baseUrl)` };
  }
  const method = kind.test?.method ?? 'GET';
  let url: URL;
  try {
    url = kind.test
      ? new URL(kind.test.path.replace(/^\/+/, ''), base.endsWith('/') ? base : `${base}/`)
      : new URL(base);
  } catch {
    return { ok: false, message: `the API base URL ${JSON.stringify(base)} is not a URL` };
  }
  const target = `${method} ${url.origin}${url.pathname}`;
  const headers = new Headers({ accept: 'application/json' });
  try {
    applyCredentialAuth(kind, values, url, headers);
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  try {
    const response = await fetchOf(deps)(url, { method, headers, timeoutMs: 15_000 } as RequestInit);
    await response.body?.cancel().catch(() => undefined);
    const status = response.status;
    if (status >= 200 && status < 400) return { ok: true, status, message: `${target} → ${status}` };
    const why = status === 401 || status === 403 ? 'the API refused the credential' : 'the API answered with an error';
    return { ok: false, status, message: `${target} → ${status} ${response.statusText}: ${why}`.trim() };
  } catch (err) {
    return { ok: false, message: `${target} failed: ${(err as Error).message}` };
  }
}
