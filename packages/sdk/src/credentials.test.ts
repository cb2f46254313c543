import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  applyCredentialAuth,
  checkCredentialKind,
  credentialSecrets,
  defineCredentialKind,
  fillTemplate,
  redactSecrets,
} from './credentials.ts';
import { apiKeyHeader, apiKeyQuery, httpBasic, httpBearer } from './generic-credential-kinds.ts';

const apply = (kind: Parameters<typeof applyCredentialAuth>[0], values: Record<string, string>) => {
  const url = new URL('https://api.example.com/items?x=1');
  const headers = new Headers();
  applyCredentialAuth(kind, values, url, headers);
  return { url, headers };
};

describe('credential kinds', () => {
  it('applies a bearer token as an Authorization header', () => {
    expect(apply(httpBearer, { token: 't0k' }).headers.get('authorization')).toBe('Bearer t0k');
  });

  it('fills header and query names from fields', () => {
    expect(apply(apiKeyHeader, { headerName: 'X-Key', apiKey: 'k1' }).headers.get('x-key')).toBe('k1');
    const { url } = apply(apiKeyQuery, { paramName: 'api_key', apiKey: 'k2' });
    expect(url.searchParams.get('api_key')).toBe('k2');
    expect(url.searchParams.get('x')).toBe('1');
  });

  it('encodes Basic credentials', () => {
    const h = apply(httpBasic, { username: 'ann', password: 'p:w' }).headers.get('authorization');
    expect(Buffer.from(h!.slice('Basic '.length), 'base64').toString()).toBe('ann:p:w');
  });

  it('names the empty field a template needs', () => {
    expect(() => fillTemplate('Bearer {token}', {})).toThrow('credential field "token" is empty');
  });

  it('rejects a definition whose secret field is not among its fields', () => {
    const bad = {
      id: 'x',
      title: 'X',
      description: '',
      fields: z.object({ a: z.string() }),
      secret: ['b'],
      auth: { type: 'none' as const },
    };
    expect(checkCredentialKind(bad)).toEqual(['secret field "b" is not in fields']);
    expect(() => defineCredentialKind(bad)).toThrow('credential kind x: secret field "b" is not in fields');
  });
});

describe('secret redaction', () => {
  it('lists secret fields of 6+ characters, URL-encoded forms and the Basic header value', () => {
    expect(credentialSecrets(httpBearer, { token: 'tok en/123', baseUrl: 'https://api.example.com' })).toEqual([
      'tok%20en%2F123',
      'tok en/123',
    ]);
    expect(credentialSecrets(httpBearer, { token: 'short' })).toEqual([]);
    expect(credentialSecrets(httpBasic, { username: 'ann', password: 'pw-123456' })).toEqual([
      Buffer.from('ann:pw-123456').toString('base64'),
      'pw-123456',
    ]);
    // Unknown kind: every value counts as secret.
    expect(credentialSecrets(undefined, { a: 'value-one', b: 'x' })).toEqual(['value-one']);
  });

  it('replaces secrets in nested strings and keys, and returns untouched values as they were', () => {
    const value = { out: ['Bearer s3cret-tok', { 's3cret-tok': 1 }], n: 2, keep: { a: 'fine' } };
    const redacted = redactSecrets(value, ['s3cret-tok']);
    expect(redacted).toEqual({ out: ['Bearer [redacted]', { '[redacted]': 1 }], n: 2, keep: { a: 'fine' } });
    expect(redacted.keep).toBe(value.keep);
    expect(redactSecrets(value, [])).toBe(value);
  });
});
