import type { CredentialKindDefinition, CredentialValues } from '@apiq/sdk';
import type { FieldIssue } from './errors.ts';

/** Fields APIQ fills for OAuth2 kinds once the user connects (never shown, never typed in). */
export const TOKEN_FIELDS = ['accessToken', 'refreshToken', 'expiresAt'] as const;

export const isOAuth2 = (kind: CredentialKindDefinition): boolean => kind.auth.type === 'oauth2';

/**
 * Checks credential values against the kind's fields (defaults applied). Unknown fields and
 * values of the wrong type are issues naming the field (`values.<field>`).
 *
 * @example
 * checkValues(httpBearer, { token: '' }); // → { ok: false, issues: [{ path: 'values.token', message: 'token is required' }] }
 */
export function checkValues(
  kind: CredentialKindDefinition,
  raw: unknown,
): { ok: true; values: CredentialValues } | { ok: false; issues: FieldIssue[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, issues: [{ path: 'values', message: 'must be an object of field values' }] };
  const known = new Set([...Object.keys(kind.fields.shape), ...(isOAuth2(kind) ? TOKEN_FIELDS : [])]);
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(raw))
    if (!known.has(key))
      issues.push({
        path: `values.${key}`,
        message: `not a field of ${kind.id} (its fields: ${Object.keys(kind.fields.shape).join(', ')})`,
      });
  const parsed = kind.fields.safeParse(raw);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      issues.push({ path: `values.${issue.path.map(String).join('.') || '(all)'}`, message: issue.message });
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  const values: CredentialValues = {};
  for (const [k, v] of Object.entries(parsed.data as Record<string, unknown>))
    if (v !== undefined && v !== null) values[k] = typeof v === 'string' ? v : JSON.stringify(v);
  for (const k of TOKEN_FIELDS) {
    const v = (raw as Record<string, unknown>)[k];
    if (isOAuth2(kind) && typeof v === 'string' && !(k in values)) values[k] = v;
  }
  return { ok: true, values };
}

/** The non-secret values, for display (tokens and secret fields never). */
export function publicMetadata(kind: CredentialKindDefinition, values: CredentialValues): Record<string, string> {
  const hidden = new Set<string>([...kind.secret, 'accessToken', 'refreshToken']);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (!hidden.has(k) && v !== '') out[k] = v;
  return out;
}

/** An OAuth2 authorization-code credential without a token yet must be connected before use. */
export function needsConnect(kind: CredentialKindDefinition, values: CredentialValues): boolean {
  return kind.auth.type === 'oauth2' && kind.auth.grant === 'authorization_code' && !values.accessToken;
}

/** Values where a change invalidates OAuth2 tokens obtained with the old ones. */
export function oauthIdentityChanged(before: CredentialValues, after: CredentialValues): boolean {
  return ['clientId', 'clientSecret', 'authorizeUrl', 'tokenUrl', 'scopes'].some(
    (k) => (before[k] ?? '') !== (after[k] ?? ''),
  );
}
