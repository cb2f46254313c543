import {
  applyCredentialAuth,
  credentialBaseUrl,
  errorForStatus,
  FatalError,
  NodeError,
  RateLimitedError,
  RetryableError,
  type Json,
  type NodeContext,
} from '@apiq/sdk';
import { trelloCredential } from './credential.ts';

export type TrelloMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface TrelloCall {
  method: TrelloMethod;
  /** Relative to the credential's base URL, e.g. `/cards/5f1c…/actions/comments`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: Json;
}

export interface TrelloResponse {
  status: number;
  body: Json;
}

type CallContext = Pick<NodeContext<unknown>, 'credentials' | 'fetch' | 'signal'>;

const HINTS: Record<number, string> = {
  400: 'check the parameters',
  401: "check the Trello credential's API key and token (the token may have expired or been revoked)",
  403: "the token has no access to this board; share the board with the token's user",
  404: 'no such card, list or board: check the id',
};

/**
 * Calls the Trello REST API with the step's `trello` credential (key and token as query
 * parameters) through the platform's safe fetch. Failing statuses become typed errors that name
 * the request (never the key or token): 429 → rate limited, 5xx → retryable, other 4xx → fatal.
 *
 * @example
 * const { body } = await callTrello(ctx, { method: 'GET', path: `/lists/${listId}/cards` });
 */
export async function callTrello(ctx: CallContext, call: TrelloCall): Promise<TrelloResponse> {
  const values = ctx.credentials[trelloCredential.id];
  if (!values) {
    throw new FatalError(
      'this step needs a Trello credential: select one (kind "trello") in the node\'s credentials, or create one with your API key and token',
    );
  }
  const url = trelloUrl(credentialBaseUrl(trelloCredential, values)!, call.path);
  const target = `${call.method} ${url.pathname}`;
  for (const [name, value] of Object.entries(call.query ?? {}))
    if (value !== undefined) url.searchParams.set(name, String(value));
  const headers = new Headers({ accept: 'application/json' });
  try {
    applyCredentialAuth(trelloCredential, values, url, headers);
  } catch (err) {
    throw new FatalError(`Trello credential is incomplete: ${(err as Error).message}`);
  }
  const hasBody = call.body !== undefined && call.body !== null;
  if (hasBody) headers.set('content-type', 'application/json');

  let res: Response;
  let text: string;
  try {
    res = await ctx.fetch(url, {
      method: call.method,
      headers,
      ...(hasBody ? { body: JSON.stringify(call.body) } : {}),
      signal: ctx.signal,
    });
    text = await res.text();
  } catch (err) {
    throw fetchFailure(err, `Trello ${target}`, ctx.signal);
  }
  const body = parseBody(text);
  if (!res.ok) {
    const hint = HINTS[res.status] ?? (res.status === 429 ? 'Trello limits requests per key and token' : '');
    throw errorForStatus(
      res.status,
      `Trello answered ${res.status} to ${target}: ${describeError(body)}${hint ? ` (${hint})` : ''}`,
      res.headers.get('retry-after'),
    );
  }
  return { status: res.status, body };
}

/** The base URL joined with a relative path; anything leaving the base (another host, `..`) is refused. */
export function trelloUrl(base: string, path: string): URL {
  let root: URL;
  try {
    root = new URL(base.endsWith('/') ? base : `${base}/`);
  } catch {
    throw new FatalError(
      `the Trello credential's baseUrl ${JSON.stringify(base)} is not a URL such as "https://api.trello.com/1"`,
    );
  }
  const url = new URL(path.replace(/^\/+/, ''), root);
  if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) {
    throw new FatalError(`path ${JSON.stringify(path)} leaves the Trello API base URL ${root.href}`);
  }
  return url;
}

function parseBody(text: string): Json {
  if (text === '') return null;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

function describeError(body: Json): string {
  if (typeof body === 'string') return body.slice(0, 300) || 'no details';
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const message = body.message ?? body.error;
    if (typeof message === 'string') return message.slice(0, 300);
  }
  return JSON.stringify(body).slice(0, 300);
}

/** A failure before any status: refused destinations are fatal, network trouble retryable. */
export function fetchFailure(err: unknown, target: string, signal: AbortSignal): unknown {
  if (signal.aborted || err instanceof NodeError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'APIQ_CIRCUIT_OPEN') {
    const retryAfterMs = (err as { retryAfterMs?: unknown }).retryAfterMs;
    return new RateLimitedError(`${target}: ${message}`, typeof retryAfterMs === 'number' ? retryAfterMs : 1000, {
      cause: err,
    });
  }
  if (code === 'APIQ_SSRF_BLOCKED' || code === 'APIQ_HTTP_INVALID_URL' || code === 'APIQ_HTTP_RESPONSE_TOO_LARGE')
    return new FatalError(`${target}: ${message}`, { cause: err });
  return new RetryableError(`${target} failed: ${message}`, { cause: err });
}
