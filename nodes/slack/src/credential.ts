import { defineCredentialKind, z } from '@apiq/sdk';

/** A Slack app's bot token for Web API calls, and the signing secret its event deliveries are checked with. */
export const slackCredential = defineCredentialKind({
  id: 'slack',
  title: 'Slack',
  description:
    'A Slack app: its bot token ("xoxb-…") for posting and reading, and its signing secret for the Slack event trigger.',
  fields: z.object({
    botToken: z
      .string({ error: 'botToken is required: the app\'s "Bot User OAuth Token", starting with "xoxb-"' })
      .min(1, 'botToken is required: the app\'s "Bot User OAuth Token", starting with "xoxb-"')
      .describe('Bot User OAuth Token (xoxb-…)'),
    signingSecret: z
      .string()
      .min(1)
      .optional()
      .describe('Signing Secret (Basic Information → App Credentials; needed by the Slack event trigger)'),
    baseUrl: z
      .string()
      .url('baseUrl must be a URL such as "https://slack.com/api"')
      .optional()
      .describe('Web API base URL (default https://slack.com/api)'),
  }),
  secret: ['botToken', 'signingSecret'],
  auth: { type: 'headers', headers: { Authorization: 'Bearer {botToken}' } },
  baseUrl: 'https://slack.com/api',
  test: { method: 'POST', path: '/auth.test' },
});
