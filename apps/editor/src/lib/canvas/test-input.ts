import type { GraphNode } from './types.ts';

export type ParsedInput = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Parses the JSON a user typed as a run's test input. The error names the line and column.
 *
 * @example
 * parseTestInput('{"items": [1, 2}'); // { ok: false, error: 'Line 1, column 16: ...' }
 */
export function parseTestInput(text: string): ParsedInput {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(message);
    let where = '';
    if (at) {
      const pos = Number(at[1]);
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const column = pos - before.lastIndexOf('\n');
      where = `Line ${line}, column ${column}: `;
    }
    const reason = message.replace(/^JSON\.parse: /, '').replace(/ in JSON at position \d+.*$/, '');
    return { ok: false, error: `${where}${reason}. Write valid JSON, e.g. {"items": [{"price": 40}]}.` };
  }
}

/**
 * The trigger payload for an editor run: a webhook trigger gets the request shape the webhook
 * endpoint produces (`{ method, path, query, headers, body }`) with the typed JSON as the body;
 * other triggers get the JSON as it is.
 */
export function triggerPayload(trigger: GraphNode | undefined, value: unknown): unknown {
  if (trigger?.type !== 'core.webhook_trigger') return value;
  const method =
    typeof trigger.params.method === 'string' && trigger.params.method !== 'ANY' ? trigger.params.method : 'POST';
  const path = typeof trigger.params.path === 'string' ? trigger.params.path : '';
  return { method, path, query: {}, headers: { 'content-type': 'application/json' }, body: value };
}
