import type { ServerResponse } from 'node:http';
import { startLocalServer, type RecordedRequest } from '@apiq/http/testing';

/**
 * For tests: a real HTTP server on 127.0.0.1 that speaks the part of the Slack Web API the
 * connector uses (`chat.postMessage`, `conversations.list`, `users.info`): bearer-token auth,
 * HTTP 200 with `ok: false` errors, cursor pagination and 429 rate limits.
 */
export interface LocalSlackApi {
  origin: string;
  requests: RecordedRequest[];
  channels: LocalChannel[];
  messages: Array<Record<string, unknown>>;
  /** Slack may return fewer items than asked for; this caps every page (default 1000). */
  maxPageSize: number;
  /** Answers the next request with this HTTP status, body and headers instead. */
  failNext(status: number, body: unknown, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export interface LocalChannel {
  id: string;
  name: string;
  is_private: boolean;
  is_archived: boolean;
  /** Whether the bot is a member (it can post only then). */
  is_member: boolean;
}

export async function startLocalSlackApi(o: { botToken: string; channels: LocalChannel[] }): Promise<LocalSlackApi> {
  let failure: { status: number; body: unknown; headers: Record<string, string> } | undefined;
  const messages: Array<Record<string, unknown>> = [];
  let seq = 100;
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const server = await startLocalServer((req, res) => {
    if (failure) {
      const f = failure;
      failure = undefined;
      return send(res, f.status, f.body, f.headers);
    }
    if (req.headers.authorization !== `Bearer ${o.botToken}`)
      return send(res, 200, { ok: false, error: req.headers.authorization ? 'invalid_auth' : 'not_authed' });
    const url = new URL(req.url, 'http://localhost');
    const method = url.pathname.replace(/^\//, '');
    let args: Record<string, unknown> = Object.fromEntries(url.searchParams);
    if (req.method === 'POST') {
      if (!String(req.headers['content-type']).startsWith('application/json'))
        return send(res, 200, { ok: false, error: 'invalid_form_data' });
      args = { ...args, ...(JSON.parse(req.body || '{}') as Record<string, unknown>) };
    }
    const findChannel = (ref: unknown) =>
      o.channels.find((c) => c.id === ref || (typeof ref === 'string' && `#${c.name}` === ref));
    if (method === 'chat.postMessage') {
      const channel = findChannel(args.channel);
      if (!channel) return send(res, 200, { ok: false, error: 'channel_not_found' });
      if (!channel.is_member) return send(res, 200, { ok: false, error: 'not_in_channel' });
      if (!args.text && !args.blocks) return send(res, 200, { ok: false, error: 'no_text' });
      const ts = `1767225600.${String(++seq).padStart(6, '0')}`;
      const message = {
        type: 'message',
        user: 'U0APIQBOT',
        bot_id: 'B0APIQBOT',
        app_id: 'A0APIQ',
        text: args.text ?? '',
        ts,
        ...(args.blocks ? { blocks: args.blocks } : {}),
        ...(args.thread_ts ? { thread_ts: args.thread_ts, parent_user_id: 'U0ALICE' } : {}),
      };
      messages.push({ channel: channel.id, ...message, reply_broadcast: args.reply_broadcast ?? false });
      return send(res, 200, { ok: true, channel: channel.id, ts, message });
    }
    if (method === 'conversations.list') {
      const types = String(args.types ?? 'public_channel').split(',');
      const all = o.channels.filter(
        (c) =>
          types.includes(c.is_private ? 'private_channel' : 'public_channel') &&
          !(args.exclude_archived === 'true' && c.is_archived),
      );
      const start = args.cursor ? Number(Buffer.from(String(args.cursor), 'base64').toString().split(':')[1]) : 0;
      if (!Number.isInteger(start)) return send(res, 200, { ok: false, error: 'invalid_cursor' });
      const limit = Math.min(api.maxPageSize, Number(args.limit ?? 100));
      const page = all.slice(start, start + limit).map((c, i) => ({
        ...c,
        is_channel: !c.is_private,
        is_general: start + i === 0,
        created: 1700000000 + start + i,
        topic: { value: `About ${c.name}`, creator: 'U0ALICE', last_set: 0 },
        num_members: 3,
      }));
      const next = start + limit < all.length ? Buffer.from(`team:${start + limit}`).toString('base64') : '';
      return send(res, 200, { ok: true, channels: page, response_metadata: { next_cursor: next } });
    }
    if (method === 'users.info') {
      if (args.user !== 'U0ALICE') return send(res, 200, { ok: false, error: 'user_not_found' });
      return send(res, 200, { ok: true, user: { id: 'U0ALICE', name: 'alice', real_name: 'Alice' } });
    }
    return send(res, 200, { ok: false, error: 'unknown_method' });
  });
  const api: LocalSlackApi = {
    origin: server.origin,
    requests: server.requests,
    channels: o.channels,
    messages,
    maxPageSize: 1000,
    failNext: (status, body, headers = {}) => void (failure = { status, body, headers }),
    close: () => server.close(),
  };
  return api;
}
