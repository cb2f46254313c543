import { defineNode, z, type Json, type WebhookDelivery } from '@apiq/sdk';
import { slackIcon } from './icon.ts';
import { verifySlackSignature } from './webhook-signature.ts';

type Envelope = { [key: string]: Json };

function envelopeOf(d: WebhookDelivery): Envelope {
  if (!d.body || typeof d.body !== 'object' || Array.isArray(d.body))
    throw new Error('a Slack Events API delivery is a JSON object');
  return d.body;
}

function eventOf(d: WebhookDelivery): Envelope {
  const event = envelopeOf(d).event;
  return event && typeof event === 'object' && !Array.isArray(event) ? event : {};
}

const PATH_HELP = 'e.g. "slack/events"';

/** Slack Events API callbacks: messages, mentions, reactions, channel changes… */
export const slackOnEvent = defineNode({
  id: 'slack.on_event',
  title: 'On Slack event',
  description:
    'Starts the workflow when Slack sends an Events API event: a message in a channel, an @mention of the app, a reaction, a new channel or member, … Checks Slack’s request signature and answers Slack’s URL verification.',
  keywords: [
    'slack',
    'event',
    'trigger',
    'message',
    'new message',
    'mention',
    'app_mention',
    'reaction',
    'channel',
    'webhook',
    'events api',
    'when',
  ],
  category: 'trigger',
  icon: slackIcon,
  trigger: 'app_event',
  credentials: [
    { kind: 'slack', required: true, description: 'Its signing secret checks that deliveries come from Slack' },
  ],
  params: z.strictObject({
    path: z
      .string({ error: `path must be the webhook URL path, ${PATH_HELP}` })
      .min(1, `path must not be empty, ${PATH_HELP}`)
      .max(200, 'path is too long (max 200 characters)')
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.-]*[A-Za-z0-9_-])*$/,
        `path must use letters, digits and / _ . - with no leading slash, empty or "." segments, ${PATH_HELP}`,
      )
      .default('slack/events')
      .describe('The webhook URL path: the Request URL in Slack is <APIQ URL>/webhook/<path>'),
    eventTypes: z
      .array(z.string().regex(/^[a-z_.]+$/, 'event types look like "message" or "app_mention"'))
      .default([])
      .describe('Only these event types, e.g. ["app_mention", "message"]. Empty: every subscribed event'),
    ignoreBots: z
      .boolean()
      .default(true)
      .describe('Skip messages posted by bots (including this workflow’s own replies), so the workflow does not loop'),
  }),
  idempotent: true,
  sideEffects: false,
  webhook: {
    verify(d, creds) {
      const secret = creds.slack?.signingSecret;
      if (!secret)
        return {
          ok: false,
          message:
            'this Slack trigger has no signing secret to check deliveries with: select a Slack credential with the app’s signing secret',
        };
      return verifySlackSignature(
        secret,
        d.headers['x-slack-signature'],
        d.headers['x-slack-request-timestamp'],
        d.rawBody,
      );
    },
    handshake(d) {
      const body = envelopeOf(d);
      if (body.type !== 'url_verification') return undefined;
      return { status: 200, body: { challenge: typeof body.challenge === 'string' ? body.challenge : '' } };
    },
    accept(d) {
      const params = d.params as { eventTypes: string[]; ignoreBots: boolean };
      if (envelopeOf(d).type !== 'event_callback') return false;
      const event = eventOf(d);
      if (params.eventTypes.length > 0 && !params.eventTypes.includes(String(event.type))) return false;
      return !(params.ignoreBots && (event.bot_id !== undefined || event.subtype === 'bot_message'));
    },
    deliveryId(d) {
      const id = envelopeOf(d).event_id;
      return typeof id === 'string' ? id : undefined;
    },
    // The envelope's deprecated verification `token` is left out on purpose.
    output(d) {
      const body = envelopeOf(d);
      return {
        eventId: body.event_id ?? null,
        eventTime: body.event_time ?? null,
        teamId: body.team_id ?? null,
        apiAppId: body.api_app_id ?? null,
        event: eventOf(d),
      };
    },
  },
  run: (ctx) => ({ output: ctx.trigger }),
});
