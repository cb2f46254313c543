import { describe, it, expect } from 'vitest';
import { paramsJsonSchema, type Json } from '@apiq/sdk';
import { runNode } from '@apiq/sdk/testing';
import { respondWebhook } from './index.ts';

const trigger = { method: 'POST', path: 'orders', query: {}, headers: {}, body: null };

async function run(params: unknown, input: Json) {
  return (await runNode(respondWebhook, { params, input, trigger })).result;
}

describe('core.respond_webhook', () => {
  it('is a network node without side effects', () => {
    expect(respondWebhook).toMatchObject({
      id: 'core.respond_webhook',
      title: 'Respond to webhook',
      category: 'network',
      sideEffects: false,
      idempotent: true,
    });
    expect(paramsJsonSchema(respondWebhook)).toMatchObject({ type: 'object' });
  });

  it('responds with the given status, headers and body and passes the input on', async () => {
    const params = {
      status: 201,
      headers: { 'content-type': 'application/json', 'x-order': '42' },
      body: { created: true },
    };
    expect(await run(params, { id: 42 })).toEqual({
      output: { id: 42 },
      respond: {
        status: 201,
        headers: { 'content-type': 'application/json', 'x-order': '42' },
        body: { created: true },
      },
    });
  });

  it('responds 200 with the input when no body is set', async () => {
    expect(await run({}, [1, 2])).toEqual({
      output: [1, 2],
      respond: { status: 200, headers: {}, body: [1, 2] },
    });
  });

  it('keeps an explicit null body instead of falling back to the input', async () => {
    expect(await run({ status: 204, body: null }, { id: 1 })).toMatchObject({
      respond: { status: 204, body: null },
    });
  });

  it('rejects bad status codes, header names and header values with clear messages', () => {
    const status = respondWebhook.params.safeParse({ status: 700 });
    expect(status.error?.issues[0]).toMatchObject({ path: ['status'], message: 'status must be between 100 and 599' });
    const fractional = respondWebhook.params.safeParse({ status: 200.5 });
    expect(fractional.error?.issues[0]?.message).toMatch(/whole number/);
    const name = respondWebhook.params.safeParse({ headers: { 'bad header': 'x' } });
    expect(name.error?.issues[0]).toMatchObject({ path: ['headers', 'bad header'] });
    expect(name.error?.issues[0]?.message).toMatch(/header name "bad header" is invalid/);
    const injected = respondWebhook.params.safeParse({ headers: { location: 'https://a.example\r\nset-cookie: x=1' } });
    expect(injected.error?.issues[0]).toMatchObject({ path: ['headers', 'location'] });
    expect(injected.error?.issues[0]?.message).toMatch(/line breaks/);
  });
});
