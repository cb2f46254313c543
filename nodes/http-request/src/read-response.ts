import { FatalError, type Json } from '@apiq/sdk';

export type ResponseType = 'auto' | 'json' | 'text';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\b|^text\/json\b/i;
const TEXT_TYPE =
  /^text\/|^application\/([\w.+-]+\+)?(xml|javascript|ecmascript|x-www-form-urlencoded|graphql|yaml|x-yaml|x-ndjson)\b/i;

/** Response headers as a plain object with lower-case names; repeated headers joined with ", ". */
export function headersToObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) out[name] = name in out ? `${out[name]}, ${value}` : value;
  return out;
}

/**
 * Reads the body the way `responseType` asks. `auto`: JSON when the content-type says JSON
 * (falling back to text if it does not parse), text for textual types and for no type,
 * base64 for anything binary. An empty body is `null`.
 *
 * @example
 * await readBody(new Response('{"a":1}', { headers: { 'content-type': 'application/json' } }), 'auto', 'GET /x'); // → { a: 1 }
 */
export async function readBody(response: Response, responseType: ResponseType, target: string): Promise<Json> {
  if (response.body === null) return null;
  const contentType = response.headers.get('content-type')?.trim() ?? '';
  if (responseType === 'auto' && contentType && !JSON_TYPE.test(contentType) && !TEXT_TYPE.test(contentType)) {
    const bytes = Buffer.from(await response.arrayBuffer());
    return bytes.length === 0 ? null : bytes.toString('base64');
  }
  const text = await response.text();
  if (responseType === 'text') return text;
  if (text.trim() === '') return null;
  if (responseType === 'auto' && !JSON_TYPE.test(contentType)) return text;
  try {
    return JSON.parse(text) as Json;
  } catch {
    if (responseType === 'auto') return text;
    throw new FatalError(
      `${target} returned a body that is not JSON (content-type ${contentType || 'not set'}): ${snippet(text)}; set responseType to "text" or "auto" to accept it`,
    );
  }
}

/** The start of a body, for error messages. */
export function snippet(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}
