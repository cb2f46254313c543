import { describe, expect, it } from 'vitest';
import { parseTestInput, triggerPayload } from './test-input.ts';

describe('test input', () => {
  it('parses JSON and treats an empty box as {}', () => {
    expect(parseTestInput('{"items":[{"price":40}]}')).toEqual({ ok: true, value: { items: [{ price: 40 }] } });
    expect(parseTestInput('  ')).toEqual({ ok: true, value: {} });
  });

  it('says where the JSON is broken', () => {
    const parsed = parseTestInput('{\n  "items": [1, 2\n}');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(/^Line 3, column 1: /);
    expect(!parsed.ok && parsed.error).toMatch(/Write valid JSON/);
  });

  it('wraps the body in the webhook request shape for a webhook trigger', () => {
    const hook = { id: 'hook', type: 'core.webhook_trigger', version: 1, params: { path: 'orders' } };
    expect(triggerPayload(hook, { a: 1 })).toEqual({
      method: 'POST',
      path: 'orders',
      query: {},
      headers: { 'content-type': 'application/json' },
      body: { a: 1 },
    });
    expect(triggerPayload({ id: 'm', type: 'core.manual_trigger', version: 1, params: {} }, { a: 1 })).toEqual({
      a: 1,
    });
  });
});
