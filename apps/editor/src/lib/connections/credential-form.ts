import type { CredentialKind } from './types.ts';

/** One input of a connection form, from the kind's fields schema. */
export interface CredentialField {
  name: string;
  label: string;
  hint?: string;
  input: 'text' | 'password' | 'url' | 'select' | 'checkbox';
  options?: string[];
  required: boolean;
  /** Shown as the placeholder; never filled into the value. */
  defaultValue?: string;
  secret: boolean;
}

interface FieldSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  format?: string;
}

/** Values APIQ fills in itself (OAuth2 tokens): never part of a form. */
const MANAGED_FIELDS = new Set(['accessToken', 'refreshToken', 'expiresAt']);

/**
 * The inputs of a connection form for a credential kind: secret fields are password inputs,
 * enums selects, URLs url inputs; OAuth2 tokens (filled in by APIQ) are left out.
 *
 * @example
 * credentialFields(httpBearerKind); // → [{ name: 'token', input: 'password', required: true, ... }, { name: 'baseUrl', input: 'url', ... }]
 */
export function credentialFields(kind: Pick<CredentialKind, 'fieldsSchema' | 'secret'>): CredentialField[] {
  const schema = kind.fieldsSchema as { properties?: Record<string, FieldSchema>; required?: string[] };
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {})
    .filter(([name, field]) => !MANAGED_FIELDS.has(name) && !/filled by APIQ/i.test(field.description ?? ''))
    .map(([name, field]) => {
      const secret = kind.secret.includes(name);
      const types = Array.isArray(field.type) ? field.type : [field.type];
      const input: CredentialField['input'] = secret
        ? 'password'
        : field.enum
          ? 'select'
          : types.includes('boolean')
            ? 'checkbox'
            : field.format === 'uri' || field.format === 'url'
              ? 'url'
              : 'text';
      const { label, hint } = labelAndHint(name, field.description);
      return {
        name,
        label,
        ...(hint ? { hint } : {}),
        input,
        ...(field.enum ? { options: field.enum.map(String) } : {}),
        required: required.has(name) && field.default === undefined,
        ...(field.default !== undefined && field.default !== '' ? { defaultValue: String(field.default) } : {}),
        secret,
      };
    });
}

/**
 * What to send for a form's values: empty inputs are left out, so defaults apply on create and
 * stored values (secrets above all) are kept on edit.
 *
 * @example
 * valuesToSend({ token: '', baseUrl: 'https://api.test' }); // → { baseUrl: 'https://api.test' }
 */
export function valuesToSend(values: Record<string, string | boolean>): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && value.trim() === '') continue;
    out[name] = typeof value === 'string' ? value.trim() : value;
  }
  return out;
}

/**
 * Server issues (`input.values.token`) as messages by field name; the rest under `''`.
 *
 * @example
 * issuesByField([{ path: 'input.values.token', message: 'token is required' }]); // → { token: ['token is required'] }
 */
export function issuesByField(issues: { path: string; message: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of issues) {
    const match = /^(?:input\.)?values\.([^.[]+)/.exec(issue.path);
    const key = match ? match[1]! : issue.path === 'input.name' || issue.path === 'name' ? 'name' : '';
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/**
 * Required inputs left empty, by field name (`name` for the connection's name). On rotate, empty
 * secrets keep their stored value and are not missing.
 *
 * @example
 * missingFields('create', credentialFields(httpBearerKind), { token: '' }, 'Events'); // → { token: ['Token is required'] }
 */
export function missingFields(
  purpose: 'create' | 'rename' | 'rotate',
  fields: CredentialField[],
  values: Record<string, string | boolean>,
  name: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (purpose !== 'rotate' && name.trim() === '') out.name = ['A name is required'];
  if (purpose !== 'create') return out;
  for (const field of fields) {
    const value = values[field.name];
    if (field.required && (value === undefined || (typeof value === 'string' && value.trim() === '')))
      out[field.name] = [`${field.label} is required`];
  }
  return out;
}

/** Whether connections of this kind sign in with the provider (OAuth2 authorization code). */
export function signsInWithProvider(
  kind: Pick<CredentialKind, 'id' | 'authType' | 'fieldsSchema'> | undefined,
): boolean {
  if (!kind || kind.authType !== 'oauth2') return false;
  const props = (kind.fieldsSchema as { properties?: Record<string, unknown> }).properties ?? {};
  return 'authorizeUrl' in props && !/client_credentials/.test(kind.id);
}

// "Header name" from the description when it is short, else the field name in words.
function labelAndHint(name: string, description: string | undefined): { label: string; hint?: string } {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  const fallback = words.charAt(0).toUpperCase() + words.slice(1);
  if (!description) return { label: fallback };
  const short = description.replace(/\s*\(optional\)\s*$/i, '');
  const paren = /^([^(]{1,40}?)\s*\((.+)\)\s*$/.exec(short);
  if (paren) return { label: paren[1]!, hint: paren[2]! };
  if (short.length <= 40 && !short.includes('.')) return { label: short };
  return { label: fallback, hint: description };
}
