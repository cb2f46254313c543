import { describe, expect, it } from 'vitest';
import { nodeSubtitle } from './node-subtitle.ts';

const node = (type: string, params: Record<string, unknown>) => ({ id: 'n', type, version: 1, params });

describe('nodeSubtitle', () => {
  it('shows the webhook method and path', () => {
    expect(nodeSubtitle(node('core.webhook_trigger', { path: 'orders' }))).toBe('POST /orders');
    expect(nodeSubtitle(node('core.webhook_trigger', { path: 'a/b', method: 'GET' }))).toBe('GET /a/b');
  });

  it('prefers key params, shortens long text and names expressions', () => {
    expect(
      nodeSubtitle(
        node('core.http_request', { method: 'GET', url: 'https://api.example.com/v1/orders?limit=100&page=2' }),
      ),
    ).toBe('GET https://api.example.com/v1/orders?l…');
    expect(nodeSubtitle(node('core.code', { timeoutMs: 10, code: '\n  return { total: 1 };' }))).toBe(
      'return { total: 1 };',
    );
    expect(nodeSubtitle(node('x.y', { url: { kind: 'expr', src: '$input.url' } }))).toBe('url: ƒ expression');
    expect(nodeSubtitle(node('x.y', { status: 201 }))).toBe('status: 201');
    expect(nodeSubtitle(node('x.y', {}))).toBe('');
  });
});
