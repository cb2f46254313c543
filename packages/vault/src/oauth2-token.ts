import { SAFE_FETCH_ERROR_CODES } from '@apiq/http';
import {
  credentialSecrets,
  fillTemplate,
  redactSecrets,
  type CredentialKindDefinition,
  type CredentialValues,
  type NodeFetch,
} from '@apiq/sdk';

/** Refresh a token this long before it expires, so a step never starts with one about to lapse. */
export const EXPIRY_SKEW_MS = 60_000;
const TOKEN_TIMEOUT_MS = 15_000;

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** ISO time. */
  expiresAt?: string;
}

/** A token request that failed; `retryable` when another try may succeed (network, 5xx, 429). */
export class OAuth2Error extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The provider's `error` code, e.g. `invalid_grant`. */
    readonly oauthError?: string,
  ) {
    super(message);
    this.name = 'OAuth2Error';
  }
}

type OAuth2Auth = Extract<CredentialKindDefinition['auth'], { type: 'oauth2' }>;

export function oauth2Auth(kind: CredentialKindDefinition): OAuth2Auth {
  if (kind.auth.type !== 'oauth2') throw new Error(`credential kind ${kind.id} is not an OAuth2 kind`);
  return kind.auth;
}

/** Whether the stored access token can be used for a while yet. */
export function isTokenFresh(values: CredentialValues, now = Date.now()): boolean {
  if (!values.accessToken) return false;
  if (!values.expiresAt) return true;
  const at = Date.parse(values.expiresAt);
  return Number.isNaN(at) || at - now > EXPIRY_SKEW_MS;
}

/** The scopes to ask for: the credential's `scopes` field, else the kind's. */
export function scopesOf(kind: CredentialKindDefinition, values: CredentialValues): string {
  return values.scopes?.trim() || (oauth2Auth(kind).scopes ?? []).join(' ');
}

/**
 * Posts a grant to the kind's token URL through the safe client and reads the token response
 * (JSON or form-encoded, RFC 6749 §5). Client id and secret go in the body, or as HTTP Basic
 * when the kind says `clientAuth: 'basic'`. Error messages carry the provider's error code
 * and description, never a secret.
 *
 * @example
 * await requestToken(fetch, oauth2ClientCredentials, values, { grant_type: 'client_credentials' });
 * // → { accessToken: 'eyJ…', expiresAt: '2026-11-26T21:00:00.000Z' }
 */
export async function requestToken(
  fetch: NodeFetch,
  kind: CredentialKindDefinition,
  values: CredentialValues,
  grant: Record<string, string>,
): Promise<TokenSet> {
  const auth = oauth2Auth(kind);
  let url: URL;
  try {
    url = new URL(fillTemplate(auth.tokenUrl, values));
  } catch (err) {
    throw new OAuth2Error(`the token URL is not usable: ${(err as Error).message}`, false);
  }
  const where = `token request to ${url.origin}${url.pathname}`;
  const secrets = credentialSecrets(kind, values);
  const form = new URLSearchParams(grant);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  const clientId = values.clientId ?? '';
  const clientSecret = values.clientSecret ?? '';
  if (auth.clientAuth === 'basic') {
    const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    form.set('client_id', clientId);
    if (clientSecret) form.set('client_secret', clientSecret);
  }
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body: form.toString(),
      redirect: 'manual',
      timeoutMs: TOKEN_TIMEOUT_MS,
    } as RequestInit);
    text = await response.text();
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new OAuth2Error(
      redactSecrets(`${where} failed: ${(err as Error).message}`, secrets),
      code !== SAFE_FETCH_ERROR_CODES.blocked && code !== SAFE_FETCH_ERROR_CODES.invalidUrl,
    );
  }
  const body = parseTokenBody(text, response.headers.get('content-type'));
  const error = typeof body.error === 'string' ? body.error : undefined;
  if (!response.ok || error) {
    const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
    const message = `${where} was refused (${response.status}${error ? ` ${error}` : ''}${description})`;
    throw new OAuth2Error(
      redactSecrets(message, secrets).slice(0, 500),
      response.status >= 500 || response.status === 429,
      error,
    );
  }
  if (typeof body.access_token !== 'string' || body.access_token === '')
    throw new OAuth2Error(`${where} answered ${response.status} without an access_token`, false);
  const expiresIn = Number(body.expires_in);
  return {
    accessToken: body.access_token,
    ...(typeof body.refresh_token === 'string' && body.refresh_token ? { refreshToken: body.refresh_token } : {}),
    ...(Number.isFinite(expiresIn) && expiresIn > 0
      ? { expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() }
      : {}),
  };
}

/**
 * Gets a new access token without the user: the client credentials grant, or the refresh
 * token of an authorization-code credential.
 */
export async function obtainToken(
  fetch: NodeFetch,
  kind: CredentialKindDefinition,
  values: CredentialValues,
): Promise<TokenSet> {
  const auth = oauth2Auth(kind);
  const scope = scopesOf(kind, values);
  if (auth.grant === 'client_credentials')
    return requestToken(fetch, kind, values, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  if (!values.refreshToken)
    throw new OAuth2Error(
      values.accessToken
        ? 'the access token expired and the provider gave no refresh token: connect it again in Connections'
        : 'it is not connected yet: connect it in Connections (sign in with the provider)',
      false,
    );
  const tokens = await requestToken(fetch, kind, values, {
    grant_type: 'refresh_token',
    refresh_token: values.refreshToken,
  });
  // Providers that do not rotate refresh tokens leave the old one valid.
  return { refreshToken: values.refreshToken, ...tokens };
}

/** Stored values with a new token set merged in (an absent expiry clears the old one). */
export function withTokens(values: CredentialValues, tokens: TokenSet): CredentialValues {
  const next: CredentialValues = { ...values, accessToken: tokens.accessToken };
  if (tokens.refreshToken) next.refreshToken = tokens.refreshToken;
  if (tokens.expiresAt) next.expiresAt = tokens.expiresAt;
  else delete next.expiresAt;
  return next;
}

function parseTokenBody(text: string, contentType: string | null): Record<string, unknown> {
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
