import type { GraphNode } from './types.ts';

const PREFERRED = ['url', 'path', 'cron', 'operation', 'channel', 'model', 'to', 'subject', 'mode', 'code'];

function isExpr(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'expr';
}

function shorten(text: string, max = 40): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const trimmed = line.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max - 1)}…` : trimmed;
}

/**
 * A short line under a node's title from its key param: the webhook's `POST /orders`, an HTTP
 * node's URL, the first line of code; `ƒ expression` for a computed one.
 *
 * @example
 * nodeSubtitle({ id: 'hook', type: 'core.webhook_trigger', version: 1, params: { path: 'orders' } }); // 'POST /orders'
 */
export function nodeSubtitle(node: GraphNode): string {
  const p = node.params ?? {};
  if (node.type === 'core.webhook_trigger' && typeof p.path === 'string')
    return `${typeof p.method === 'string' ? p.method : 'POST'} /${p.path}`;
  if (typeof p.method === 'string' && typeof p.url === 'string') return shorten(`${p.method} ${p.url}`);
  const keys = [...PREFERRED.filter((k) => k in p), ...Object.keys(p)];
  for (const key of keys) {
    const value = p[key];
    if (isExpr(value)) return `${key}: ƒ expression`;
    if (typeof value === 'string' && value.trim() !== '') return shorten(value);
    if (typeof value === 'number' || typeof value === 'boolean') return `${key}: ${String(value)}`;
  }
  return '';
}
