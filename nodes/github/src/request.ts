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
import { githubCredential } from './credential.ts';

export const GITHUB_API_VERSION = '2022-11-28';

export interface GitHubCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the API base URL, e.g. `/repos/octocat/hello-world/issues`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: Json;
  headers?: Record<string, string>;
  /** Throw a typed error for 4xx/5xx answers (default true). */
  failOnStatus?: boolean;
}

export interface GitHubResponse {
  status: number;
  headers: Headers;
  body: Json;
}

type Ctx = Pick<NodeContext<unknown>, 'credentials' | 'fetch' | 'signal'>;

/** Safe-fetch failures that retrying cannot fix (blocked address, bad URL, oversized answer). */
const FATAL_FETCH_CODES = new Set([
  'APIQ_SSRF_BLOCKED',
  'APIQ_HTTP_INVALID_URL',
  'APIQ_HTTP_INVALID_REQUEST',
  'APIQ_HTTP_RESPONSE_TOO_LARGE',
  'APIQ_HTTP_TOO_MANY_REDIRECTS',
  'APIQ_HTTP_REDIRECT_REFUSED',
]);

/** The `github` credential values of the step, or a FatalError saying how to add one. */
export function githubValues(ctx: Pick<NodeContext<unknown>, 'credentials'>): Record<string, string> {
  const values = ctx.credentials.github;
  if (!values?.token)
    throw new FatalError('no GitHub credential: select a GitHub credential (with a token) on this step');
  return values;
}

/**
 * Calls the GitHub REST API with the step's `github` credential, through `ctx.fetch`. Maps
 * failures to typed errors: rate limits → RateLimitedError, 5xx → RetryableError, other 4xx →
 * FatalError with GitHub's message.
 *
 * @example
 * const { body } = await callGitHub(ctx, { method: 'GET', path: '/repos/octocat/hello-world' });
 */
export async function callGitHub(ctx: Ctx, call: GitHubCall): Promise<GitHubResponse> {
  const values = githubValues(ctx);
  const base = (credentialBaseUrl(githubCredential, values) ?? 'https://api.github.com').replace(/\/+$/, '');
  const url = new URL(base + call.path);
  if (!call.path.startsWith('/') || url.origin !== new URL(base).origin)
    throw new FatalError(`path "${call.path.slice(0, 100)}" must start with "/" and stay on the GitHub API host`);
  for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const headers = new Headers({
    accept: 'application/vnd.github+json',
    'x-github-api-version': GITHUB_API_VERSION,
    'user-agent': 'APIQ',
    ...call.headers,
  });
  if (call.body !== undefined) headers.set('content-type', 'application/json');
  applyCredentialAuth(githubCredential, values, url, headers);
  const target = `GitHub ${call.method} ${call.path}`;
  let res: Response;
  let text: string;
  try {
    res = await ctx.fetch(url, {
      method: call.method,
      headers,
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      signal: ctx.signal,
    });
    text = await res.text();
  } catch (err) {
    throw networkFailure(err, target, ctx.signal);
  }
  const body = parseJson(text);
  if (res.status >= 400 && call.failOnStatus !== false) throw githubError(target, res.status, res.headers, body);
  return { status: res.status, headers: res.headers, body };
}

function parseJson(text: string): Json {
  if (text === '') return null;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

/** A typed error for a GitHub error answer, with GitHub's own message. */
export function githubError(target: string, status: number, headers: Headers, body: Json): NodeError {
  const detail = describeGitHubError(body);
  const message = `${target} answered ${status}: ${detail}${hintFor(status)}`;
  const retryAfter = headers.get('retry-after');
  if ((status === 403 || status === 429) && retryAfter)
    return new RateLimitedError(message, parseRetryAfter(retryAfter) ?? 60_000);
  if ((status === 403 || status === 429) && headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(headers.get('x-ratelimit-reset'));
    const waitMs = Number.isFinite(reset) && reset > 0 ? reset * 1000 - Date.now() : 60_000;
    return new RateLimitedError(message, Math.max(1000, waitMs));
  }
  return errorForStatus(status, message, retryAfter);
}

function describeGitHubError(body: Json): string {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const message = typeof body.message === 'string' ? body.message : JSON.stringify(body).slice(0, 200);
    const errors = Array.isArray(body.errors)
      ? body.errors
          .map((e) =>
            e && typeof e === 'object' && !Array.isArray(e)
              ? typeof e.message === 'string'
                ? e.message
                : [e.resource, e.field, e.code].filter((x) => typeof x === 'string').join(' ')
              : String(e),
          )
          .filter((s) => s !== '')
      : [];
    return errors.length ? `${message} (${errors.join('; ')})` : message;
  }
  return typeof body === 'string' && body !== '' ? body.slice(0, 200) : 'no details';
}

function hintFor(status: number): string {
  if (status === 401) return '; check the token of the GitHub credential (it may be expired or revoked)';
  if (status === 404)
    return '; check the owner/repository name and that the token has access to it (private repositories need the repo scope)';
  if (status === 403) return '; the token lacks a permission this call needs';
  return '';
}

function networkFailure(err: unknown, target: string, signal: AbortSignal): unknown {
  if (signal.aborted || err instanceof NodeError) return err;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && FATAL_FETCH_CODES.has(code))
    return new FatalError(`${target}: ${message}`, { cause: err });
  return new RetryableError(`${target} failed: ${message}`, { cause: err });
}

/** The number of the `rel="next"` page in a GitHub `Link` header, if any. */
export function nextPageOf(link: string | null): number | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (!m) continue;
    const page = Number(URL.parse(m[1]!)?.searchParams.get('page'));
    return Number.isInteger(page) && page > 0 ? page : undefined;
  }
  return undefined;
}
