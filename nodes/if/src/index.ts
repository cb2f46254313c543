import { conditionSchema, defineNode, evaluateCondition, FatalError, z, type NodeResult } from '@apiq/sdk';

/** Sends its input to the `true` or the `false` port depending on a json-logic condition. */
export const ifNode = defineNode({
  id: 'core.if',
  title: 'If',
  description:
    'Checks a condition on the incoming data and sends it down the true branch or the false branch. Compare values, test whether a field exists, combine checks with and / or.',
  keywords: [
    'if',
    'condition',
    'branch',
    'conditional',
    'filter',
    'check',
    'compare',
    'when',
    'else',
    'true false',
    'decision',
    'gate',
    'route',
    'json-logic',
  ],
  category: 'flow',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="6" cy="5" r="2"/><path d="M6 7v14"/><path d="M6 11c0 4 3 5 6 5h6"/><path d="m15 13 3 3-3 3"/></svg>',
  outputs: ['true', 'false'],
  params: z.strictObject({ condition: conditionSchema }),
  idempotent: true,
  sideEffects: false,
  run: ({ params, input, trigger }): NodeResult => {
    let passed: boolean;
    try {
      passed = evaluateCondition(params.condition, { input, trigger });
    } catch (err) {
      throw new FatalError(`If could not evaluate its condition: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
    return passed ? { ports: { true: input } } : { ports: { false: input } };
  },
});
