import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkDefinition, defineNode, NodeDefinitionError } from './define-node.ts';
import type { NodeWebhook } from './types.ts';

const appTrigger = (
  webhook: unknown,
  params: z.ZodType = z.strictObject({ path: z.string().default('acme/events') }),
) => ({
  id: 'acme.on_event',
  title: 'On Acme event',
  description: 'Starts a run for each Acme webhook delivery',
  category: 'trigger' as const,
  trigger: 'app_event' as const,
  params,
  webhook: webhook as NodeWebhook,
  run: () => ({ output: null }),
});

describe('defineNode webhook hooks', () => {
  it('keeps the hooks of an app_event trigger', () => {
    const verify = () => ({ ok: true as const });
    const def = defineNode(appTrigger({ verify, deliveryId: () => 'evt_1' }));
    expect(def.webhook?.verify).toBe(verify);
    expect(def.webhook?.deliveryId?.({} as never)).toBe('evt_1');
    expect(def.inputs).toEqual([]);
  });

  it('lists every problem with the webhook field', () => {
    const problems = checkDefinition(
      defineNodeInput(appTrigger({ verify: 'yes', respond: () => null }, z.strictObject({ url: z.string() }))),
    );
    expect(problems).toEqual([
      'webhook.verify must be a function',
      'webhook.respond is not a known hook (use verify, handshake, accept, deliveryId, output)',
      'app_event triggers need a "path" param: the webhook URL path their deliveries arrive at',
    ]);
  });

  it('requires webhook on app_event triggers and refuses it elsewhere', () => {
    expect(() => defineNode({ ...appTrigger(undefined), webhook: undefined })).toThrow(
      /app_event triggers need a webhook field/,
    );
    const err = (() => {
      try {
        defineNode({ ...appTrigger({}), trigger: 'webhook' });
      } catch (e) {
        return e as NodeDefinitionError;
      }
      throw new Error('expected a NodeDefinitionError');
    })();
    expect(err.problems).toEqual(['webhook is only for app_event triggers (set trigger: "app_event")']);
  });
});

function defineNodeInput<T extends object>(spec: T): T & { version: number; inputs: string[]; outputs: string[] } {
  return { version: 1, inputs: [], outputs: ['main'], ...spec };
}
