import { describe, expect, it } from 'vitest';
import { paramsJsonSchema } from '@apiq/sdk';
import { httpRequest } from '@apiq/node-http-request';
import { setFields } from '@apiq/node-set';
import { ifNode } from '@apiq/node-if';
import { switchNode } from '@apiq/node-switch';
import { webhookTrigger } from '@apiq/node-webhook-trigger';
import type { JsonSchema } from './json-schema.ts';
import { describeField, emptyValueFor, labelFor, matchUnionOption } from './schema-fields.ts';

const schemaOf = (def: Parameters<typeof paramsJsonSchema>[0]) => paramsJsonSchema(def) as JsonSchema;

function kinds(root: JsonSchema): Record<string, string> {
  return Object.fromEntries(
    Object.entries(root.properties ?? {}).map(([key, prop]) => [key, describeField(prop, root, key).kind]),
  );
}

describe('describeField on real node schemas', () => {
  it('HTTP Request: select, URL text, key-value lists, any-JSON body, toggles, number', () => {
    expect(kinds(schemaOf(httpRequest))).toEqual({
      method: 'enum',
      url: 'text',
      query: 'key-value',
      headers: 'key-value',
      body: 'any',
      bodyType: 'enum',
      responseType: 'enum',
      timeoutMs: 'number',
      failOnStatus: 'boolean',
      followRedirects: 'boolean',
      sendIdempotencyKey: 'boolean',
    });
  });

  it('Set: fields is a key-value list of any JSON values', () => {
    const root = schemaOf(setFields);
    expect(kinds(root)).toEqual({ fields: 'key-value', mode: 'enum' });
  });

  it('If and Switch: json-logic conditions, Switch cases as repeatable groups', () => {
    expect(kinds(schemaOf(ifNode))).toEqual({ condition: 'condition' });
    const sw = schemaOf(switchNode);
    expect(kinds(sw)).toEqual({ cases: 'object-list', mode: 'enum' });
    const item = sw.properties!.cases!.items!;
    expect(kinds({ ...item, $defs: sw.$defs })).toEqual({ condition: 'condition', label: 'text' });
  });

  it('Webhook trigger: nested signature object is a fieldset', () => {
    const root = schemaOf(webhookTrigger);
    expect(describeField(root.properties!.signature!, root).kind).toBe('object');
  });
});

describe('describeField on schema shapes', () => {
  const root: JsonSchema = {};
  it('finds textareas, lists and unions', () => {
    expect(describeField({ type: 'string' }, root, 'code').kind).toBe('textarea');
    expect(describeField({ type: 'string', maxLength: 100 }, root, 'message').kind).toBe('text');
    expect(describeField({ type: 'array', items: { type: 'string' } }, root).kind).toBe('primitive-list');
    expect(describeField({ type: 'array', items: { type: 'array' } }, root).kind).toBe('json');
    expect(describeField({ const: 'x' }, root).kind).toBe('const');
    expect(describeField({ anyOf: [{ const: 'a' }, { const: 'b' }] }, root)).toMatchObject({
      kind: 'enum',
      schema: { enum: ['a', 'b'] },
    });
    const union = describeField({ anyOf: [{ type: 'string' }, { type: 'number' }] }, root);
    expect(union.kind).toBe('union');
    expect(union.options!.map((o) => o.label)).toEqual(['Text', 'Number']);
    expect(matchUnionOption(union.options!, 3, root)).toBe(1);
    expect(matchUnionOption(union.options!, 'a', root)).toBe(0);
    expect(describeField({ type: 'object', additionalProperties: false }, root).kind).toBe('json');
  });

  it('makes empty values and labels', () => {
    expect(emptyValueFor({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, root)).toEqual({
      a: '',
    });
    expect(emptyValueFor({ type: 'integer', minimum: 1 }, root)).toBe(1);
    expect(labelFor('timeoutMs')).toBe('Timeout ms');
    expect(labelFor('idempotency_header')).toBe('Idempotency header');
    expect(labelFor('url')).toBe('URL');
    expect(labelFor('customerId')).toBe('Customer ID');
  });
});
