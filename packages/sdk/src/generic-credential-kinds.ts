import { z } from 'zod';
import { defineCredentialKind } from './credentials.ts';

const baseUrl = z.string().url('baseUrl must be a URL such as "https://api.example.com"').optional();

/** An API key sent in a header of your choice. */
export const apiKeyHeader = defineCredentialKind({
  id: 'api_key_header',
  title: 'API key (header)',
  description: 'An API key sent in a request header, e.g. X-API-Key.',
  fields: z.object({
    headerName: z.string().min(1).default('X-API-Key').describe('Header name'),
    apiKey: z.string().min(1, 'apiKey is required').describe('API key'),
    baseUrl: baseUrl.describe('API base URL (optional)'),
  }),
  secret: ['apiKey'],
  auth: { type: 'headers', headers: { '{headerName}': '{apiKey}' } },
});

/** An API key sent as a query parameter. */
export const apiKeyQuery = defineCredentialKind({
  id: 'api_key_query',
  title: 'API key (query parameter)',
  description: 'An API key sent as a query parameter, e.g. ?api_key=…',
  fields: z.object({
    paramName: z.string().min(1).default('api_key').describe('Query parameter name'),
    apiKey: z.string().min(1, 'apiKey is required').describe('API key'),
    baseUrl: baseUrl.describe('API base URL (optional)'),
  }),
  secret: ['apiKey'],
  auth: { type: 'query', params: { '{paramName}': '{apiKey}' } },
});

export const httpBearer = defineCredentialKind({
  id: 'http_bearer',
  title: 'Bearer token',
  description: 'A token sent as "Authorization: Bearer <token>".',
  fields: z.object({
    token: z.string().min(1, 'token is required').describe('Token'),
    baseUrl: baseUrl.describe('API base URL (optional)'),
  }),
  secret: ['token'],
  auth: { type: 'headers', headers: { Authorization: 'Bearer {token}' } },
});

export const httpBasic = defineCredentialKind({
  id: 'http_basic',
  title: 'Username and password (Basic)',
  description: 'HTTP Basic authentication.',
  fields: z.object({
    username: z.string().min(1, 'username is required').describe('Username'),
    password: z.string().describe('Password'),
    baseUrl: baseUrl.describe('API base URL (optional)'),
  }),
  secret: ['password'],
  auth: { type: 'basic', username: '{username}', password: '{password}' },
});

const oauthFields = {
  clientId: z.string().min(1, 'clientId is required').describe('Client ID'),
  clientSecret: z.string().default('').describe('Client secret'),
  authorizeUrl: z.string().url().optional().describe('Authorization URL'),
  tokenUrl: z.string().url('tokenUrl must be a URL').describe('Token URL'),
  scopes: z.string().default('').describe('Scopes (space separated)'),
  baseUrl: baseUrl.describe('API base URL (optional)'),
  accessToken: z.string().optional().describe('Access token (filled by APIQ)'),
  refreshToken: z.string().optional().describe('Refresh token (filled by APIQ)'),
  expiresAt: z.string().optional().describe('Access token expiry (filled by APIQ)'),
};

export const oauth2AuthorizationCode = defineCredentialKind({
  id: 'oauth2_authorization_code',
  title: 'OAuth2 (sign in with the provider)',
  description: 'OAuth2 authorization code flow with PKCE; APIQ refreshes the token when it expires.',
  fields: z.object(oauthFields),
  secret: ['clientSecret', 'accessToken', 'refreshToken'],
  auth: {
    type: 'oauth2',
    grant: 'authorization_code',
    authorizeUrl: '{authorizeUrl}',
    tokenUrl: '{tokenUrl}',
    pkce: true,
  },
});

export const oauth2ClientCredentials = defineCredentialKind({
  id: 'oauth2_client_credentials',
  title: 'OAuth2 (client credentials)',
  description: 'OAuth2 client credentials grant for server-to-server APIs.',
  fields: z.object(oauthFields),
  secret: ['clientSecret', 'accessToken', 'refreshToken'],
  auth: { type: 'oauth2', grant: 'client_credentials', tokenUrl: '{tokenUrl}' },
});

/** Generic kinds any HTTP-based node may accept. */
export const genericCredentialKinds = [
  apiKeyHeader,
  apiKeyQuery,
  httpBearer,
  httpBasic,
  oauth2AuthorizationCode,
  oauth2ClientCredentials,
];
