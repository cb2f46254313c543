import {
  applyCredentialAuth,
  credentialBaseUrl,
  errorForStatus,
  FatalError,
  NodeError,
  parseRetryAfter,
  RateLimitedError,
  RetryableError,
  type Json,
  type NodeContext,
} from '@apiq/sdk';
import { slackCredential } from './credential.ts';

export type SlackArgs = Record<string, Json | undefined>;
export type SlackResponse = { ok: boolean; [key: string]: Json };

type Ctx = Pick<NodeContext<unknown>, 'credentials' | 'fetch' | 'signal'>;

const FATAL_FETCH_CODES = new Set([
  'APIQ_SSRF_BLOCKED',
  'APIQ_HTTP_INVALID_URL',
  'APIQ_HTTP_INVALID_REQUEST',
  'APIQ_HTTP_RESPONSE_TOO_LARGE',
  'APIQ_HTTP_TOO_MANY_REDIRECTS',
  'APIQ_HTTP_REDIRECT_REFUSED',
]);

/** Slack errors worth another attempt (Slack's side failed). */
const RETRYABLE = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
const AUTH = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);

/**
 * Calls a Slack Web API method (`chat.postMessage`, `conversations.list`, …) with the step's
 * `slack` credential: POST sends JSON, GET sends the arguments as a query. `ok: false` answers
 * become typed errors with Slack's error code and a hint (unless `failOnError` is false).
 *
 * @example
 * const res = await callSlack(ctx, 'chat.postMessage', { channel: 'C0123ABCD', text: 'Hi' });
 */
export async function callSlack(
  ctx: Ctx,
  method: string,
  args: SlackArgs,
  options: { httpMethod?: 'GET' | 'POST'; failOnError?: boolean } = {},
): Promise<SlackResponse> {
  const values = ctx.credentials.slack;
  if (!values?.botToken)
    throw new FatalError('no Slack credential: select a Slack credential (with a bot token) on this step');
  const base = (credentialBaseUrl(slackCredential, values) ?? 'https://slack.com/api').replace(/\/+$/, '');
  const url = new URL(`${base}/${method}`);
  const httpMethod = options.httpMethod ?? 'POST';
  const headers = new Headers();
  const defined = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
  if (httpMethod === 'GET') {
    for (const [k, v] of Object.entries(defined))
      url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  } else headers.set('content-type', 'application/json; charset=utf-8');
  applyCredentialAuth(slackCredential, values, url, headers);
  const target = `Slack ${method}`;
  let res: Response;
  let text: string;
  try {
    res = await ctx.fetch(url, {
      method: httpMethod,
      headers,
      ...(httpMethod === 'POST' ? { body: JSON.stringify(defined) } : {}),
      signal: ctx.signal,
    });
    text = await res.text();
  } catch (err) {
    if (ctx.signal.aborted || err instanceof NodeError) throw err;
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    if (typeof code === 'string' && FATAL_FETCH_CODES.has(code))
      throw new FatalError(`${target}: ${message}`, { cause: err });
    throw new RetryableError(`${target} failed: ${message}`, { cause: err });
  }
  const retryAfter = res.headers.get('retry-after');
  if (res.status === 429)
    throw new RateLimitedError(`${target} is rate limited (ratelimited)`, parseRetryAfter(retryAfter) ?? 1000);
  if (res.status >= 400)
    throw errorForStatus(res.status, `${target} answered HTTP ${res.status}: ${text.slice(0, 200)}`, retryAfter);
  let body: SlackResponse;
  try {
    body = JSON.parse(text) as SlackResponse;
  } catch {
    throw new RetryableError(`${target} answered something other than JSON: ${text.slice(0, 100)}`);
  }
  if (!body.ok && options.failOnError !== false) throw slackError(target, body, args, retryAfter);
  return body;
}

/** A typed error for an `ok: false` answer, naming Slack's error code and what to do. */
export function slackError(target: string, body: SlackResponse, args: SlackArgs, retryAfter: string | null): NodeError {
  const code = typeof body.error === 'string' ? body.error : 'unknown_error';
  const base = `${target} failed: ${code}`;
  if (code === 'ratelimited') return new RateLimitedError(base, parseRetryAfter(retryAfter) ?? 1000);
  if (RETRYABLE.has(code)) return new RetryableError(base);
  const channel = typeof args.channel === 'string' ? ` "${args.channel}"` : '';
  let hint = '';
  if (AUTH.has(code)) hint = '; check the bot token of the Slack credential (reinstall the app to get a new one)';
  else if (code === 'missing_scope')
    hint = `; the bot token lacks the scope ${typeof body.needed === 'string' ? `"${body.needed}"` : 'this method needs'}: add it under OAuth & Permissions and reinstall the app`;
  else if (code === 'channel_not_found')
    hint = `; channel${channel} was not found: use the channel ID (e.g. "C0123ABCD") of a channel the bot can see`;
  else if (code === 'not_in_channel')
    hint = `; the bot is not a member of channel${channel}: invite it with /invite @your-app`;
  else if (code === 'invalid_arguments' || code === 'invalid_blocks') {
    const details = (body.response_metadata as { messages?: Json } | undefined)?.messages;
    if (Array.isArray(details)) hint = `: ${details.join('; ')}`;
  }
  return new FatalError(base + hint, { details: { error: code } });
}
