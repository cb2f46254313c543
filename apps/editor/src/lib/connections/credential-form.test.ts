import { describe, it, expect } from 'vitest';
import {
  credentialFields,
  issuesByField,
  missingFields,
  signsInWithProvider,
  valuesToSend,
} from './credential-form.ts';

const bearer = {
  id: 'http_bearer',
  authType: 'headers',
  secret: ['token'],
  fieldsSchema: {
    type: 'object',
    properties: {
      token: { type: 'string', minLength: 1, description: 'Token' },
      baseUrl: { type: 'string', format: 'uri', description: 'API base URL (optional)' },
    },
    required: ['token'],
  },
};
const oauth = {
  id: 'oauth2_authorization_code',
  authType: 'oauth2',
  secret: ['clientSecret', 'accessToken', 'refreshToken'],
  fieldsSchema: {
    type: 'object',
    properties: {
      clientId: { type: 'string', description: 'Client ID' },
      clientSecret: { type: 'string', default: '', description: 'Client secret' },
      authorizeUrl: { type: 'string', format: 'uri', description: 'Authorization URL' },
      scopes: { type: 'string', default: '', description: 'Scopes (space separated)' },
      accessToken: { type: 'string', description: 'Access token (filled by APIQ)' },
      expiresAt: { type: 'string', description: 'Access token expiry (filled by APIQ)' },
    },
    required: ['clientId'],
  },
};

describe('connection form fields', () => {
  it('makes secret fields password inputs and URLs url inputs, with labels from the descriptions', () => {
    expect(credentialFields(bearer)).toEqual([
      { name: 'token', label: 'Token', input: 'password', required: true, secret: true },
      { name: 'baseUrl', label: 'API base URL', input: 'url', required: false, secret: false },
    ]);
  });

  it('leaves out the OAuth2 tokens APIQ fills in, and splits a parenthesised hint off the label', () => {
    const fields = credentialFields(oauth);
    expect(fields.map((f) => f.name)).toEqual(['clientId', 'clientSecret', 'authorizeUrl', 'scopes']);
    expect(fields.find((f) => f.name === 'scopes')).toMatchObject({ label: 'Scopes', hint: 'space separated' });
    expect(fields.find((f) => f.name === 'clientSecret')).toMatchObject({ input: 'password', required: false });
  });

  it('sends only what was filled in, so stored secrets are kept on edit', () => {
    expect(valuesToSend({ token: '  ', baseUrl: ' https://api.test ', on: false })).toEqual({
      baseUrl: 'https://api.test',
      on: false,
    });
  });

  it('files server issues under their field', () => {
    expect(
      issuesByField([
        { path: 'input.values.token', message: 'token is required' },
        { path: 'input.name', message: 'a name is required' },
        { path: 'input.kind', message: 'unknown' },
      ]),
    ).toEqual({ token: ['token is required'], name: ['a name is required'], '': ['unknown'] });
  });

  it('names required fields left empty before anything is sent; rotating keeps empty secrets', () => {
    const fields = credentialFields(bearer);
    expect(missingFields('create', fields, { token: ' ', baseUrl: '' }, '')).toEqual({
      name: ['A name is required'],
      token: ['Token is required'],
    });
    expect(missingFields('rotate', fields, { token: '' }, '')).toEqual({});
    expect(missingFields('create', fields, { token: 'x' }, 'Events')).toEqual({});
  });

  it('knows which kinds sign in with the provider', () => {
    expect(signsInWithProvider(oauth)).toBe(true);
    expect(signsInWithProvider({ ...oauth, id: 'oauth2_client_credentials' })).toBe(false);
    expect(signsInWithProvider(bearer)).toBe(false);
  });
});
