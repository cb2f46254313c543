import { defineCredentialKind, z } from '@apiq/sdk';

/** Trello's API key and user token, sent as the `key` and `token` query parameters. */
export const trelloCredential = defineCredentialKind({
  id: 'trello',
  title: 'Trello',
  description:
    'A Trello API key and token. Get the key at https://trello.com/power-ups/admin (your Power-Up, "API key"), then generate a token from the link next to it.',
  fields: z.object({
    apiKey: z.string().min(1, 'apiKey is required: the 32-character key of your Trello Power-Up').describe('API key'),
    token: z.string().min(1, 'token is required: generate one from your API key page').describe('Token'),
    baseUrl: z
      .url('baseUrl must be a URL such as "https://api.trello.com/1"')
      .optional()
      .describe('API base URL (optional, default https://api.trello.com/1)'),
  }),
  secret: ['apiKey', 'token'],
  auth: { type: 'query', params: { key: '{apiKey}', token: '{token}' } },
  baseUrl: 'https://api.trello.com/1',
  test: { method: 'GET', path: '/members/me' },
});
