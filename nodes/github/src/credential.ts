import { defineCredentialKind, z } from '@apiq/sdk';

/** A GitHub token for API calls, and the webhook secret GitHub signs deliveries with. */
export const githubCredential = defineCredentialKind({
  id: 'github',
  title: 'GitHub',
  description:
    'A GitHub personal access token (fine-grained or classic) for API calls, and the webhook secret that GitHub triggers check deliveries with.',
  fields: z.object({
    token: z
      .string({ error: 'token is required: a GitHub personal access token such as "github_pat_…" or "ghp_…"' })
      .min(1, 'token is required: a GitHub personal access token such as "github_pat_…" or "ghp_…"')
      .describe('Personal access token'),
    webhookSecret: z
      .string()
      .min(16, 'webhookSecret must be at least 16 characters; use a long random value')
      .optional()
      .describe('Webhook secret (the "Secret" of the GitHub webhook; needed by GitHub triggers)'),
    baseUrl: z
      .string()
      .url('baseUrl must be a URL such as "https://github.example.com/api/v3"')
      .optional()
      .describe('API base URL (GitHub Enterprise Server: https://HOST/api/v3)'),
  }),
  secret: ['token', 'webhookSecret'],
  auth: { type: 'headers', headers: { Authorization: 'Bearer {token}' } },
  baseUrl: 'https://api.github.com',
  test: { method: 'GET', path: '/user' },
});
