import { createSafeFetch, type SafeRequestInit } from '@apiq/http';
import { SpecError } from './spec-error.ts';

/** The safe client's signature (tests pass one with an allow-list for 127.0.0.1). */
export type SpecFetch = (url: string | URL, init?: SafeRequestInit) => Promise<Response>;

/** Specs are large (GitHub's is 13 MB, its dereferenced form 70 MB). */
export const MAX_SPEC_BYTES = 100 * 1024 * 1024;

export type FetchedSpec =
  | { status: 'fetched'; text: string; etag: string | null; url: string }
  | { status: 'not-modified'; url: string };

let defaultFetch: ReturnType<typeof createSafeFetch> | undefined;

/** The process's safe client for spec downloads (honours `APIQ_HTTP_ALLOW`). */
export function specFetch(): SpecFetch {
  defaultFetch ??= createSafeFetch({ timeoutMs: 60_000, maxResponseBytes: MAX_SPEC_BYTES });
  return defaultFetch;
}

/**
 * Downloads a spec through the safe client. With the ETag of the copy already stored, the
 * server may answer 304 Not Modified and nothing is downloaded.
 *
 * @example
 * const got = await fetchSpec('https://petstore3.swagger.io/api/v3/openapi.json', { etag: '"abc"' });
 * if (got.status === 'fetched') await parseSpec(got.text, { sourceUrl: got.url });
 */
export async function fetchSpec(
  url: string,
  options: { fetch?: SpecFetch; etag?: string | null; signal?: AbortSignal } = {},
): Promise<FetchedSpec> {
  if (!/^https?:\/\//i.test(url)) throw new SpecError(url, 'is not an http:// or https:// URL');
  const headers: Record<string, string> = {
    accept: 'application/json, application/yaml;q=0.9, text/yaml;q=0.9, */*;q=0.5',
  };
  if (options.etag) headers['if-none-match'] = options.etag;
  let response: Response;
  try {
    response = await (options.fetch ?? specFetch())(url, {
      headers,
      maxResponseBytes: MAX_SPEC_BYTES,
      timeoutMs: 60_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    throw new SpecError(url, `cannot be downloaded: ${(err as Error).message}`, { cause: err });
  }
  if (response.status === 304) {
    await response.body?.cancel();
    return { status: 'not-modified', url };
  }
  if (!response.ok) {
    const excerpt = (await response.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 200);
    throw new SpecError(url, `returned ${response.status}${excerpt ? `: ${excerpt}` : ''}; check the URL`);
  }
  return { status: 'fetched', text: await response.text(), etag: response.headers.get('etag'), url };
}
