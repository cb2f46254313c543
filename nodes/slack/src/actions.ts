import { defineNode, FatalError, z, type Json } from '@apiq/sdk';
import { slackIcon } from './icon.ts';
import { callSlack } from './request.ts';

const credentials = [{ kind: 'slack', required: true, description: 'A Slack app with a bot token' }];

const jsonObject: z.ZodType<{ [key: string]: Json }> = z.record(
  z.string(),
  z.lazy(() => jsonValue),
);
const jsonValue: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), jsonObject]),
);

/** Posts a message to a channel, or replies in a thread. */
export const postMessage = defineNode({
  id: 'slack.post_message',
  title: 'Send message (Slack)',
  description:
    'Posts a message to a Slack channel, group or DM (text and/or Block Kit blocks), or replies in a thread when a thread timestamp is given. Returns the message timestamp for later replies.',
  keywords: [
    'slack',
    'message',
    'send',
    'post',
    'notify',
    'notification',
    'chat',
    'channel',
    'thread',
    'reply',
    'alert',
    'dm',
  ],
  category: 'app',
  icon: slackIcon,
  credentials,
  params: z
    .strictObject({
      channel: z
        .string({ error: 'channel is required: a channel ID such as "C0123ABCD" (or a user ID for a DM)' })
        .min(1, 'channel is required: a channel ID such as "C0123ABCD" (or a user ID for a DM)')
        .describe('Channel ID, e.g. "C0123ABCD" (a name such as "#general" also works for public channels)'),
      text: z.string().optional().describe('Message text (mrkdwn); with blocks, the notification fallback'),
      blocks: z.array(jsonObject).optional().describe('Block Kit blocks'),
      threadTs: z
        .string()
        .regex(/^\d+\.\d+$/, 'threadTs must be a message timestamp such as "1712345678.123456"')
        .optional()
        .describe('Reply in the thread of this message (its ts)'),
      replyBroadcast: z.boolean().default(false).describe('Also show a thread reply in the channel'),
      unfurlLinks: z.boolean().optional().describe('Show previews of links'),
    })
    .refine((p) => (p.text !== undefined && p.text !== '') || (p.blocks?.length ?? 0) > 0, {
      message: 'give text or blocks: a message needs content',
      path: ['text'],
    }),
  idempotent: false,
  sideEffects: true,
  async run(ctx) {
    const p = ctx.params;
    const res = await callSlack(ctx, 'chat.postMessage', {
      channel: p.channel,
      text: p.text,
      blocks: p.blocks,
      thread_ts: p.threadTs,
      reply_broadcast: p.threadTs ? p.replyBroadcast : undefined,
      unfurl_links: p.unfurlLinks,
    });
    const ts = String(res.ts);
    return {
      output: { channel: res.channel ?? p.channel, ts, threadTs: p.threadTs ?? ts, message: res.message ?? null },
    };
  },
});

const CHANNEL_TYPES = ['public_channel', 'private_channel', 'mpim', 'im'] as const;

/** Lists the workspace's channels. */
export const listChannels = defineNode({
  id: 'slack.list_channels',
  title: 'List channels (Slack)',
  description:
    'Lists channels of the Slack workspace (public, private, group DMs or DMs) with their IDs, names, topics and member counts, following pages up to a limit.',
  keywords: ['slack', 'channels', 'list', 'conversations', 'channel id', 'find channel', 'rooms'],
  category: 'app',
  icon: slackIcon,
  credentials,
  params: z.strictObject({
    types: z
      .array(z.enum(CHANNEL_TYPES))
      .min(1, `pick at least one type: ${CHANNEL_TYPES.join(', ')}`)
      .default(['public_channel'])
      .describe('Kinds of conversations'),
    excludeArchived: z.boolean().default(true),
    limit: z
      .number({ error: 'limit must be a number of channels' })
      .int()
      .min(1, 'limit must be at least 1')
      .max(1000, 'limit must be at most 1000; use cursor to read further')
      .default(100)
      .describe('Most channels to return (pages are followed up to this many)'),
    cursor: z.string().optional().describe('Continue a previous list: its nextCursor output'),
  }),
  idempotent: true,
  sideEffects: true,
  async run(ctx) {
    const { types, excludeArchived, limit } = ctx.params;
    const items: Json[] = [];
    let cursor = ctx.params.cursor ?? '';
    do {
      const res = await callSlack(
        ctx,
        'conversations.list',
        {
          types: types.join(','),
          exclude_archived: String(excludeArchived),
          // Never ask for more than is still wanted, so Slack's cursor resumes right after the last item.
          limit: String(Math.min(200, limit - items.length)),
          cursor: cursor || undefined,
        },
        { httpMethod: 'GET' },
      );
      if (!Array.isArray(res.channels)) throw new FatalError('Slack conversations.list answered without channels');
      items.push(...res.channels);
      const meta = res.response_metadata as { next_cursor?: Json } | undefined;
      cursor = typeof meta?.next_cursor === 'string' ? meta.next_cursor : '';
    } while (cursor && items.length < limit);
    return { output: { items, count: items.length, hasMore: cursor !== '', nextCursor: cursor || null } };
  },
});

/** Any Slack Web API method, with the Slack credential's token. */
export const slackApiCall = defineNode({
  id: 'slack.api_call',
  title: 'Custom API call (Slack)',
  description:
    'Calls any Slack Web API method (e.g. users.info, reactions.add, chat.update) with the Slack credential; returns Slack’s JSON answer.',
  keywords: ['slack', 'api', 'web api', 'custom', 'method', 'request', 'raw', 'any'],
  category: 'app',
  icon: slackIcon,
  credentials,
  params: z.strictObject({
    method: z
      .string({ error: 'method is required: a Web API method such as "users.info"' })
      .regex(/^[a-zA-Z]+(\.[a-zA-Z]+)+$/, 'method must be a Web API method name such as "users.info" or "chat.update"')
      .describe('Web API method, e.g. "users.info"'),
    httpMethod: z.enum(['POST', 'GET']).default('POST').describe('POST sends JSON; GET sends the arguments as a query'),
    args: jsonObject.default({}).describe('Arguments, e.g. { "user": "U0123ABCD" }'),
    failOnError: z.boolean().default(true).describe('Fail the step when Slack answers ok: false'),
  }),
  idempotent: false,
  sideEffects: true,
  async run(ctx) {
    const { method, httpMethod, args, failOnError } = ctx.params;
    return { output: await callSlack(ctx, method, args, { httpMethod, failOnError }) };
  },
});
