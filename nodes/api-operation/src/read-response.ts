import type { Json } from '@apiq/sdk';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\b|^text\/json\b/i;
const TEXT_TYPE = /^text\/|^application\/([\w.+-]+\+)?(xml|javascript|x-www-form-urlencoded|yaml|x-yaml|x-ndjson)\b/i;

/** Response headers as a plain object with lower-case names; repeated headers joined with ", ". */
export function headersToObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) out[name] = name in out ? `${out[name]}, ${value}` : value;
  return out;
}

/**
 * The body as JSON when it says so (text if it does not parse), text for textual types and for
 * no type, base64 for binary types; `null` when empty.
 *
 * @example
 * await readBody(new Response('{"id":1}', { headers: { 'content-type': 'application/json' } })); // → { id: 1 }
 */
export async function readBody(response: Response): Promise<Json> {
  if (response.body === null) return null;
  const contentType = response.headers.get('content-type')?.trim() ?? '';
  if (contentType && !JSON_TYPE.test(contentType) && !TEXT_TYPE.test(contentType)) {
    const bytes = Buffer.from(await response.arrayBuffer());
    return bytes.length === 0 ? null : bytes.toString('base64');
  }
  const text = await response.text();
  if (text.trim() === '') return null;
  if (!JSON_TYPE.test(contentType)) return text;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

/** The start of a body, for error messages. */
export function snippet(body: Json, max = 300): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}
