import { z } from 'zod';

/**
 * How a credential authorises an outbound request. Template strings (names and values) refer to
 * credential fields in braces: `'Bearer {token}'`, `{ '{headerName}': '{apiKey}' }`.
 */
export type CredentialAuth =
  | { type: 'none' }
  /** Headers to set, e.g. `{ Authorization: 'Bearer {token}' }`. */
  | { type: 'headers'; headers: Record<string, string> }
  /** Query parameters to add, e.g. Trello's `{ key: '{apiKey}', token: '{token}' }`. */
  | { type: 'query'; params: Record<string, string> }
  /** HTTP Basic from two templates, e.g. `{ username: '{secretKey}', password: '' }`. */
  | { type: 'basic'; username: string; password: string }
  /**
   * OAuth2: the platform obtains and refreshes tokens; requests get
   * `Authorization: Bearer <accessToken>`. Authorization and token URLs may be templates too.
   */
  | {
      type: 'oauth2';
      grant: 'authorization_code' | 'client_credentials';
      authorizeUrl?: string;
      tokenUrl: string;
      scopes?: string[];
      /** Send a PKCE challenge (authorization_code); on by default. */
      pkce?: boolean;
      /**
       * How the client authenticates at the token URL: `body` (client_id and client_secret as
       * form fields, the default) or `basic` (HTTP Basic, RFC 6749 §2.3.1).
       */
      clientAuth?: 'body' | 'basic';
    };

/** A kind of credential a connector needs: the fields a user fills in and how they authorise requests. */
export interface CredentialKindDefinition<S extends z.ZodObject = z.ZodObject> {
  /** Stable id referenced by nodes' `credentials: [{ kind }]`, e.g. `github`, `http_bearer`. */
  id: string;
  title: string;
  description: string;
  /** The fields the user fills in (labels from `.describe()`); validated on save. */
  fields: S;
  /** Names of fields that are secret: shown masked, never returned by the API. Everything is encrypted at rest. */
  secret: string[];
  auth: CredentialAuth;
  /** Default API base URL; a `baseUrl` field, when the kind has one, overrides it. */
  baseUrl?: string;
  /** A cheap authenticated call that proves the credential works ("Test connection"). */
  test?: { method: 'GET' | 'POST' | 'HEAD'; path: string };
}

export type CredentialValues = Record<string, string>;

const KIND_ID = /^[a-z][a-z0-9_]*$/;

/**
 * Declares a credential kind. Export it from a module listed in the package's `apiq.nodes`, next
 * to the nodes that use it.
 *
 * @example
 * export const githubToken = defineCredentialKind({
 *   id: 'github', title: 'GitHub', description: 'A personal access token',
 *   fields: z.object({ token: z.string().min(1).describe('Token') }),
 *   secret: ['token'], auth: { type: 'headers', headers: { Authorization: 'Bearer {token}' } },
 *   baseUrl: 'https://api.github.com', test: { method: 'GET', path: '/user' },
 * });
 */
export function defineCredentialKind<S extends z.ZodObject>(
  def: CredentialKindDefinition<S>,
): CredentialKindDefinition<S> {
  const issues = checkCredentialKind(def);
  if (issues.length > 0) throw new Error(`credential kind ${String(def.id)}: ${issues.join('; ')}`);
  return def;
}

/** What is wrong with a credential kind definition (empty when it is fine). */
export function checkCredentialKind(def: Partial<CredentialKindDefinition>): string[] {
  const issues: string[] = [];
  if (typeof def.id !== 'string' || !KIND_ID.test(def.id)) issues.push('id must be snake_case, e.g. "github"');
  if (!def.title) issues.push('title is required');
  if (!(def.fields instanceof z.ZodObject)) issues.push('fields must be a zod object');
  if (!Array.isArray(def.secret)) issues.push('secret must list the secret field names');
  else if (def.fields instanceof z.ZodObject)
    for (const f of def.secret) if (!(f in def.fields.shape)) issues.push(`secret field "${f}" is not in fields`);
  if (!def.auth || typeof def.auth !== 'object') issues.push('auth is required');
  return issues;
}

export function isCredentialKind(value: unknown): value is CredentialKindDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    'fields' in value &&
    'auth' in value &&
    'secret' in value &&
    !('run' in value)
  );
}

/** Replaces `{field}` with the credential's values; a missing field is an error naming it. */
export function fillTemplate(template: string, values: CredentialValues): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`credential field "${name}" is empty`);
    return v;
  });
}

/** The API base URL for a credential: its `baseUrl` field, else the kind's default. */
export function credentialBaseUrl(kind: CredentialKindDefinition, values: CredentialValues): string | undefined {
  return values.baseUrl || kind.baseUrl;
}

/**
 * Applies a credential to an outbound request: sets headers or query parameters per the kind's
 * `auth`. OAuth2 kinds use the current `accessToken` value (the platform refreshes it first).
 */
export function applyCredentialAuth(
  kind: CredentialKindDefinition,
  values: CredentialValues,
  url: URL,
  headers: Headers,
): void {
  const auth = kind.auth;
  switch (auth.type) {
    case 'none':
      return;
    case 'headers':
      for (const [name, t] of Object.entries(auth.headers))
        headers.set(fillTemplate(name, values), fillTemplate(t, values));
      return;
    case 'query':
      for (const [name, t] of Object.entries(auth.params))
        url.searchParams.set(fillTemplate(name, values), fillTemplate(t, values));
      return;
    case 'basic': {
      const user = fillTemplate(auth.username, values);
      const pass = fillTemplate(auth.password, values);
      headers.set('Authorization', `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`);
      return;
    }
    case 'oauth2':
      headers.set('Authorization', `Bearer ${fillTemplate('{accessToken}', values)}`);
      return;
  }
}

/** Secrets shorter than this are not redacted: they would match ordinary text. */
export const MIN_REDACTED_LENGTH = 6;
export const REDACTED = '[redacted]';

/**
 * The strings that must never appear in logs or run data for these credential values: every
 * secret field (every field when the kind is unknown) of at least 6 characters, also as it
 * appears URL-encoded and, for Basic auth, inside the encoded header.
 *
 * @example
 * credentialSecrets(httpBearer, { token: 's3cret-token' }); // → ['s3cret-token']
 */
export function credentialSecrets(kind: CredentialKindDefinition | undefined, values: CredentialValues): string[] {
  const names = kind ? kind.secret : Object.keys(values);
  const out = new Set<string>();
  for (const name of names) {
    const v = values[name];
    if (typeof v !== 'string' || v.length < MIN_REDACTED_LENGTH) continue;
    out.add(v);
    out.add(encodeURIComponent(v));
  }
  if (kind?.auth.type === 'basic') {
    try {
      const pair = `${fillTemplate(kind.auth.username, values)}:${fillTemplate(kind.auth.password, values)}`;
      if (pair.length >= MIN_REDACTED_LENGTH) out.add(Buffer.from(pair).toString('base64'));
    } catch {
      // a missing field: nothing was sent, nothing to hide
    }
  }
  return [...out].filter((s) => s.length >= MIN_REDACTED_LENGTH).sort((a, b) => b.length - a.length);
}

/**
 * Replaces every occurrence of the secrets in strings (and object keys) anywhere inside `value`
 * with `[redacted]`. Returns `value` itself when nothing needed replacing.
 *
 * @example
 * redactSecrets({ echo: 'Bearer s3cret-token' }, ['s3cret-token']); // → { echo: 'Bearer [redacted]' }
 */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const scrub = (text: string): string => {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (Array.isArray(v)) {
      let changed = false;
      const next = v.map((item) => {
        const r = walk(item);
        if (r !== item) changed = true;
        return r;
      });
      return changed ? next : v;
    }
    if (typeof v === 'object' && v !== null) {
      let changed = false;
      const next: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const key = scrub(k);
        const r = walk(item);
        if (r !== item || key !== k) changed = true;
        next[key] = r;
      }
      return changed ? next : v;
    }
    return v;
  };
  return walk(value) as T;
}
