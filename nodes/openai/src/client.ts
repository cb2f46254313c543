import OpenAI from 'openai';
import {
  credentialBaseUrl,
  FatalError,
  NodeError,
  parseRetryAfter,
  RateLimitedError,
  RetryableError,
  type NodeContext,
} from '@apiq/sdk';
import { openaiCredential } from './credential.ts';

type ClientContext = Pick<NodeContext<unknown>, 'credentials' | 'fetch'>;

/**
 * An `openai` client for the step's `openai` credential. Requests go through `ctx.fetch` (the
 * platform's safe client) and are never retried here: the engine's retry policy does that.
 *
 * @example
 * const { client, baseUrl } = openaiClient(ctx);
 * await client.chat.completions.create({ model, messages }, { signal: ctx.signal });
 */
export function openaiClient(ctx: ClientContext): { client: OpenAI; baseUrl: string; apiKey: string } {
  const values = ctx.credentials[openaiCredential.id];
  if (!values) {
    throw new FatalError(
      'this step needs an OpenAI credential: select one (kind "openai") in the node\'s credentials, or create one with an API key (and a base URL for a compatible server)',
    );
  }
  if (!values.apiKey) throw new FatalError('the OpenAI credential has no apiKey; edit it and paste the key');
  const baseUrl = credentialBaseUrl(openaiCredential, values)!;
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol))
    throw new FatalError(
      `the OpenAI credential's baseUrl ${JSON.stringify(baseUrl)} is not an http(s) URL such as "https://api.openai.com/v1"`,
    );
  const client = new OpenAI({
    apiKey: values.apiKey,
    baseURL: baseUrl,
    ...(values.organization ? { organization: values.organization } : {}),
    fetch: ctx.fetch as unknown as typeof fetch,
    maxRetries: 0,
  });
  return { client, baseUrl, apiKey: values.apiKey };
}

/**
 * Maps an `openai` SDK error to the engine's typed errors, with the provider's own message:
 * 429 → RateLimitedError (Retry-After honoured), 5xx, 408 and timeouts → RetryableError,
 * other 4xx → FatalError; a refused destination is fatal, other connection failures retryable.
 */
export function providerFailure(err: unknown, target: string, signal: AbortSignal, apiKey: string): unknown {
  if (signal.aborted) return signal.reason ?? err; // cancelled or timed out: the engine knows why
  if (err instanceof NodeError) return err;
  const scrub = (text: string) => scrubKey(text, apiKey);
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return new RetryableError(`${target} timed out`, { cause: err });
  }
  if (err instanceof OpenAI.APIConnectionError) {
    const cause = err.cause as { code?: unknown; message?: unknown; retryAfterMs?: unknown } | undefined;
    const message = scrub(typeof cause?.message === 'string' ? cause.message : err.message);
    if (cause?.code === 'APIQ_SSRF_BLOCKED' || cause?.code === 'APIQ_HTTP_INVALID_URL')
      return new FatalError(`${target}: ${message}`, { cause: err });
    if (cause?.code === 'APIQ_CIRCUIT_OPEN')
      return new RateLimitedError(`${target}: ${message}`, Number(cause.retryAfterMs) || 1000, { cause: err });
    return new RetryableError(`${target} failed: ${message}`, { cause: err });
  }
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
    const status = err.status;
    const body = err.error as { message?: unknown; error?: { message?: unknown } } | undefined;
    const provided = typeof body?.message === 'string' ? body.message : err.message.replace(/^\d+\s*/, '');
    const message = `${target}: the API answered ${status}: ${scrub(provided || 'no details')}`;
    const details = { status, ...(err.code ? { code: err.code } : {}), ...(err.type ? { type: err.type } : {}) };
    if (status === 429 || (status === 503 && err.headers?.get('retry-after'))) {
      const ms = Number(err.headers?.get('retry-after-ms')) || parseRetryAfter(err.headers?.get('retry-after')) || 1000;
      return new RateLimitedError(message, ms, { cause: err, details });
    }
    if (status >= 500 || status === 408) return new RetryableError(message, { cause: err, details });
    const hint = status === 401 ? ' (check the API key of the OpenAI credential)' : '';
    return new FatalError(message + hint, { cause: err, details });
  }
  return new RetryableError(`${target} failed: ${scrub(err instanceof Error ? err.message : String(err))}`, {
    cause: err,
  });
}

/** Removes the API key (and OpenAI's masked echo of it) from a provider message. */
function scrubKey(text: string, apiKey: string): string {
  const withoutKey = apiKey.length >= 4 ? text.split(apiKey).join('[api key]') : text;
  return withoutKey.replace(/\bsk-[A-Za-z0-9*_-]{4,}/g, 'sk-[redacted]');
}
