import { describe, expect, it } from 'vitest';
import { paramsJsonSchema } from '@apiq/sdk';
import { httpRequest } from '@apiq/node-http-request';
import { switchNode } from '@apiq/node-switch';
import { webhookTrigger } from '@apiq/node-webhook-trigger';
import type { JsonSchema } from './json-schema.ts';
import { validateParams } from './validate-params.ts';

const http = paramsJsonSchema(httpRequest) as JsonSchema;

describe('validateParams', () => {
  it('accepts valid params and expressions anywhere', () => {
    expect(validateParams(http, { url: 'https://api.example.com/x', method: 'POST', timeoutMs: 500 })).toEqual([]);
    expect(validateParams(http, { url: { kind: 'expr', src: '$trigger.url' } })).toEqual([]);
  });

  it('names required fields, types, enums, bounds, URLs and unknown keys', () => {
    expect(validateParams(http, {})).toEqual([{ param: 'url', message: 'is required' }]);
    expect(
      validateParams(http, { url: 'not a url', method: 'FETCH', timeoutMs: 0, failOnStatus: 'yes', extra: 1 }),
    ).toEqual([
      { param: 'url', message: 'must be an absolute URL, e.g. https://api.example.com/items' },
      { param: 'method', message: 'must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS' },
      { param: 'timeoutMs', message: 'must be at least 1' },
      { param: 'failOnStatus', message: 'must be true or false' },
      { param: 'extra', message: 'is not a known field; remove it' },
    ]);
    expect(validateParams(http, { url: 'https://a.example', timeoutMs: 1.5 })).toEqual([
      { param: 'timeoutMs', message: 'must be a whole number' },
    ]);
  });

  it('checks key-value values, patterns and nested objects', () => {
    expect(validateParams(http, { url: 'https://a.example', headers: { Accept: 1 } })).toEqual([
      { param: 'headers.Accept', message: 'must be text' },
    ]);
    const webhook = paramsJsonSchema(webhookTrigger) as JsonSchema;
    expect(validateParams(webhook, { path: '/leading', signature: { secret: 'short' } })).toEqual([
      { param: 'path', message: 'must match the pattern ^[A-Za-z0-9][A-Za-z0-9/_.-]*$' },
      { param: 'signature.secret', message: 'must be at least 16 characters' },
    ]);
  });

  it('checks list lengths and items of repeatable groups', () => {
    const sw = paramsJsonSchema(switchNode) as JsonSchema;
    expect(validateParams(sw, { cases: [] })).toEqual([{ param: 'cases', message: 'needs at least 1 item' }]);
    expect(validateParams(sw, { cases: [{ label: 'big' }] })).toEqual([
      { param: 'cases[0].condition', message: 'is required' },
    ]);
    expect(validateParams(sw, { cases: [{ condition: 'x' }] })).toEqual([
      { param: 'cases[0].condition', message: 'must be true or false or an object' },
    ]);
  });
});
