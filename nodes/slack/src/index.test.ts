import { createSafeFetch } from '@apiq/http';
import {
  checkDefinition,
  FatalError,
  RateLimitedError,
  RetryableError,
  type Json,
  type NodeDefinition,
  type WebhookDelivery,
} from '@apiq/sdk';
import { rejectionOf, runNode } from '@apiq/sdk/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  listChannels,
  postMessage,
  signSlackBody,
  slackApiCall,
  slackCredential,
  slackOnEvent,
  verifySlackSignature,
} from './index.ts';
import { startLocalSlackApi, type LocalSlackApi } from './local-slack-api.ts';

const TOKEN = 'xoxb-test-0123456789';
let api: LocalSlackApi;
const fetch = createSafeFetch({ allow: ['127.0.0.1/32'] });

beforeAll(async () => {
  const channels = Array.from({ length: 7 }, (_, i) => ({
    id: `C00000000${i}`,
    name: i === 0 ? 'general' : `team-${i}`,
    is_private: i === 6,
    is_archived: i === 5,
    is_member: i !== 4,
  }));
  api = await startLocalSlackApi({ botToken: TOKEN, channels });
});
afterAll(async () => {
  await api.close();
  fetch.close();
});
beforeEach(() => {
  api.requests.length = 0;
});

const credentials = () => ({ slack: { botToken: TOKEN, baseUrl: api.origin } });
async function output(def: NodeDefinition, params: unknown): Promise<Record<string, Json>> {
  const { result } = await runNode(def, { params, fetch, credentials: credentials() });
  if (!('output' in result)) throw new Error('expected an output');
  return result.output as Record<string, Json>;
}
const failure = (def: NodeDefinition, params: unknown, creds = credentials()) =>
  rejectionOf(runNode(def, { params, fetch, credentials: creds }));

describe('Slack definitions', () => {
  it('are valid and declare the slack credential', () => {
    for (const def of [postMessage, listChannels, slackApiCall, slackOnEvent]) {
      expect(checkDefinition(def)).toEqual([]);
      expect(def.credentials[0]?.kind).toBe('slack');
    }
    expect(slackCredential.secret).toEqual(['botToken', 'signingSecret']);
    expect(postMessage.params.safeParse({ channel: 'C1' }).error?.issues[0]).toMatchObject({
      path: ['text'],
      message: 'give text or blocks: a message needs content',
    });
  });
});

describe('slack.post_message', () => {
  it('posts JSON to chat.postMessage with the bot token and returns the message ts', async () => {
    const out = await output(postMessage, { channel: 'C000000001', text: 'Deploy *finished*' });
    const req = api.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', url: '/chat.postMessage' });
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(req.body)).toEqual({ channel: 'C000000001', text: 'Deploy *finished*' });
    expect(out).toMatchObject({ channel: 'C000000001', message: { text: 'Deploy *finished*', bot_id: 'B0APIQBOT' } });
    expect(out.ts).toMatch(/^\d+\.\d+$/);
    expect(out.threadTs).toBe(out.ts);
  });

  it('replies in a thread, optionally broadcast to the channel', async () => {
    const out = await output(postMessage, {
      channel: 'C000000001',
      text: 'On it',
      threadTs: '1767225600.000001',
      replyBroadcast: true,
    });
    expect(JSON.parse(api.requests[0]!.body)).toEqual({
      channel: 'C000000001',
      text: 'On it',
      thread_ts: '1767225600.000001',
      reply_broadcast: true,
    });
    expect(out.threadTs).toBe('1767225600.000001');
    expect(api.messages.at(-1)).toMatchObject({ thread_ts: '1767225600.000001', reply_broadcast: true });
  });

  it('maps ok:false errors to clear FatalErrors', async () => {
    const missing = await failure(postMessage, { channel: 'C404', text: 'x' });
    expect(missing).toBeInstanceOf(FatalError);
    expect(missing.message).toBe(
      'Slack chat.postMessage failed: channel_not_found; channel "C404" was not found: use the channel ID (e.g. "C0123ABCD") of a channel the bot can see',
    );
    const outside = await failure(postMessage, { channel: 'C000000004', text: 'x' });
    expect(outside.message).toMatch(/not_in_channel; the bot is not a member of channel "C000000004": invite it/);
    const badToken = await failure(
      postMessage,
      { channel: 'C000000001', text: 'x' },
      {
        slack: { botToken: 'xoxb-wrong', baseUrl: api.origin },
      },
    );
    expect(badToken.message).toMatch(/invalid_auth; check the bot token of the Slack credential/);
    api.failNext(200, { ok: false, error: 'missing_scope', needed: 'chat:write', provided: 'channels:read' });
    const scope = await failure(postMessage, { channel: 'C000000001', text: 'x' });
    expect(scope.message).toMatch(/missing_scope; the bot token lacks the scope "chat:write"/);
  });

  it('turns ratelimited into RateLimitedError with Retry-After, and Slack outages into RetryableError', async () => {
    api.failNext(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '30' });
    const limited = await failure(postMessage, { channel: 'C000000001', text: 'x' });
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(30_000);
    api.failNext(200, { ok: false, error: 'internal_error' });
    expect(await failure(postMessage, { channel: 'C000000001', text: 'x' })).toBeInstanceOf(RetryableError);
    api.failNext(503, 'upstream unavailable');
    expect(await failure(postMessage, { channel: 'C000000001', text: 'x' })).toBeInstanceOf(RetryableError);
  });
});

describe('slack.list_channels', () => {
  it('follows next_cursor up to the limit and hands back the cursor to continue', async () => {
    const first = await output(listChannels, { limit: 3 });
    expect(api.requests[0]).toMatchObject({ method: 'GET' });
    expect(api.requests[0]!.url).toBe('/conversations.list?types=public_channel&exclude_archived=true&limit=3');
    expect((first.items as Array<{ name: string }>).map((c) => c.name)).toEqual(['general', 'team-1', 'team-2']);
    expect(first).toMatchObject({ count: 3, hasMore: true });
    const rest = await output(listChannels, { limit: 100, cursor: first.nextCursor });
    expect((rest.items as Array<{ name: string }>).map((c) => c.name)).toEqual(['team-3', 'team-4']);
    expect(rest).toMatchObject({ hasMore: false, nextCursor: null });
    const withPrivate = await output(listChannels, {
      types: ['public_channel', 'private_channel'],
      excludeArchived: false,
    });
    expect(withPrivate.count).toBe(7);
  });

  it('asks at most 200 a page and follows short pages to the end', async () => {
    api.maxPageSize = 2;
    try {
      const all = await output(listChannels, { limit: 1000, types: ['public_channel', 'private_channel'] });
      expect(all).toMatchObject({ count: 6, hasMore: false, nextCursor: null });
      expect(api.requests).toHaveLength(3);
      expect(api.requests[0]!.url).toContain('limit=200');
      expect(api.requests[1]!.url).toContain('cursor=');
    } finally {
      api.maxPageSize = 1000;
    }
  });
});

describe('slack.api_call', () => {
  it('calls any method with the token', async () => {
    const out = await output(slackApiCall, { method: 'users.info', args: { user: 'U0ALICE' } });
    expect(api.requests[0]).toMatchObject({ method: 'POST', url: '/users.info' });
    expect(out).toMatchObject({ ok: true, user: { name: 'alice' } });
    const kept = await output(slackApiCall, { method: 'users.info', args: { user: 'U0BOB' }, failOnError: false });
    expect(kept).toEqual({ ok: false, error: 'user_not_found' });
    expect(slackApiCall.params.safeParse({ method: '../admin' }).success).toBe(false);
  });
});

describe('slack.on_event webhook', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const hooks = slackOnEvent.webhook!;
  const params = slackOnEvent.params.parse({});
  const envelope = (event: Record<string, Json>, eventId = 'Ev0PV52K21'): Json => ({
    token: 'legacy-verification-token',
    team_id: 'T0001',
    api_app_id: 'A0APIQ',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: 1767225600,
  });
  const delivery = <P>(body: Json, p: P, headers?: Record<string, string>): WebhookDelivery<P> => {
    const raw = Buffer.from(JSON.stringify(body));
    return {
      method: 'POST',
      path: 'slack/events',
      query: {},
      headers: { 'content-type': 'application/json', ...(headers ?? signSlackBody(secret, raw)) },
      rawBody: raw,
      body,
      params: p,
    };
  };
  const message = { type: 'message', channel: 'C000000001', user: 'U0ALICE', text: 'hello', ts: '1767225600.000200' };

  it('verifies the v0 signature and the five-minute window', () => {
    const creds = { slack: { botToken: TOKEN, signingSecret: secret } };
    expect(hooks.verify!(delivery(envelope(message), params), creds)).toEqual({ ok: true });
    const raw = Buffer.from('{"a":1}');
    const old = signSlackBody(secret, raw, Math.floor(Date.now() / 1000) - 301);
    expect(verifySlackSignature(secret, old['x-slack-signature'], old['x-slack-request-timestamp'], raw)).toMatchObject(
      { ok: false, message: expect.stringMatching(/old, more than the allowed 300s/) },
    );
    const forged = delivery(envelope(message), params, signSlackBody('another-signing-secret', 'x'));
    expect(hooks.verify!(forged, creds)).toMatchObject({ ok: false, message: expect.stringMatching(/does not match/) });
    expect(hooks.verify!(delivery(envelope(message), params), { slack: { botToken: TOKEN } })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no signing secret/),
    });
  });

  it('answers url_verification with the challenge', () => {
    const challenge = {
      token: 't',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    };
    expect(hooks.handshake!(delivery(challenge, params))).toEqual({
      status: 200,
      body: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' },
    });
    expect(hooks.handshake!(delivery(envelope(message), params))).toBeUndefined();
  });

  it('filters by event type, skips bot messages, keys by event_id and leaves the verification token out', () => {
    expect(hooks.accept!(delivery(envelope(message), params))).toBe(true);
    expect(hooks.accept!(delivery(envelope({ ...message, bot_id: 'B0APIQBOT' }), params))).toBe(false);
    const mentions = slackOnEvent.params.parse({ eventTypes: ['app_mention'] });
    expect(hooks.accept!(delivery(envelope(message), mentions))).toBe(false);
    expect(hooks.accept!(delivery(envelope({ ...message, type: 'app_mention' }), mentions))).toBe(true);
    expect(hooks.deliveryId!(delivery(envelope(message, 'Ev123'), params))).toBe('Ev123');
    const out = hooks.output!(delivery(envelope(message), params));
    expect(out).toEqual({
      eventId: 'Ev0PV52K21',
      eventTime: 1767225600,
      teamId: 'T0001',
      apiAppId: 'A0APIQ',
      event: message,
    });
    expect(JSON.stringify(out)).not.toContain('legacy-verification-token');
  });
});
