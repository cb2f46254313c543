import { describe, it, expect } from 'vitest';
import { paramsJsonSchema } from '@apiq/sdk';
import { runNode } from '@apiq/sdk/testing';
import * as webhookModule from './index.ts';
import { webhookTrigger } from './index.ts';

function firstIssue(raw: unknown) {
  const result = webhookTrigger.params.safeParse(raw);
  expect(result.success).toBe(false);
  return result.error?.issues[0];
}

describe('core.webhook_trigger', () => {
  it('is a webhook trigger without inputs', () => {
    expect(webhookTrigger).toMatchObject({
      id: 'core.webhook_trigger',
      trigger: 'webhook',
      category: 'trigger',
      inputs: [],
      outputs: ['main'],
    });
    expect(paramsJsonSchema(webhookTrigger)).toMatchObject({ type: 'object', required: ['path'] });
  });

  it('exports the signature helpers next to the node', () => {
    expect(typeof webhookModule.verifyWebhookSignature).toBe('function');
    expect(typeof webhookModule.signWebhookBody).toBe('function');
  });

  it('fills in defaults', () => {
    expect(webhookTrigger.params.parse({ path: 'orders/created' })).toEqual({
      path: 'orders/created',
      method: 'POST',
      respond: 'immediately',
      idempotencyHeader: 'idempotency-key',
      maxBodyBytes: 1_048_576,
    });
    expect(
      webhookTrigger.params.parse({ path: 'x', signature: { secret: 'a'.repeat(16), header: 'X-Hub-Signature' } })
        .signature,
    ).toEqual({
      secret: 'a'.repeat(16),
      header: 'x-hub-signature',
      toleranceSeconds: 300,
    });
  });

  it('outputs the request the engine stored as the trigger', async () => {
    const request = {
      method: 'POST',
      path: 'orders/created',
      query: { dry: '1' },
      headers: { 'content-type': 'application/json' },
      body: { id: 42 },
    };
    const params = { path: 'orders/created', respond: 'last_node' };
    const { result } = await runNode(webhookTrigger, { params, trigger: request });
    expect(result).toEqual({ output: request });
  });

  it('rejects bad paths with clear messages', () => {
    expect(firstIssue({ path: '/orders' })?.message).toMatch(/no leading slash/);
    expect(firstIssue({ path: 'orders created' })?.message).toMatch(/only letters, digits and/);
    expect(firstIssue({ path: 'a'.repeat(201) })?.message).toMatch(/too long/);
    expect(firstIssue({ path: '' })?.message).toMatch(/must not be empty/);
    expect(firstIssue({ path: 'a/../admin' })?.message).toMatch(/must not contain empty, "." or ".." segments/);
    expect(firstIssue({ path: 'a//b' })).toMatchObject({ path: ['path'] });
    expect(firstIssue({})?.message).toMatch(/path is required/);
  });

  it('rejects bad methods, respond modes, secrets and limits with clear messages', () => {
    expect(firstIssue({ path: 'x', method: 'HEAD' })).toMatchObject({
      path: ['method'],
      message: 'method must be one of GET, POST, PUT, PATCH, DELETE or ANY',
    });
    expect(firstIssue({ path: 'x', respond: 'later' })?.message).toMatch(/respond must be "immediately"/);
    expect(firstIssue({ path: 'x', signature: { secret: 'short' } })).toMatchObject({
      path: ['signature', 'secret'],
      message: 'signature.secret must be at least 16 characters long; use a random value',
    });
    expect(firstIssue({ path: 'x', signature: {} })?.message).toMatch(/signature.secret is required/);
    expect(firstIssue({ path: 'x', signature: { secret: 'a'.repeat(16), header: 'x sig' } })?.message).toMatch(
      /not a valid header name/,
    );
    expect(firstIssue({ path: 'x', idempotencyHeader: 'bad:header' })).toMatchObject({ path: ['idempotencyHeader'] });
    expect(firstIssue({ path: 'x', maxBodyBytes: 0 })?.message).toBe('maxBodyBytes must be at least 1');
  });
});
