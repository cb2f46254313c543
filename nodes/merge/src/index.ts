import { defineNode, z, type Json } from '@apiq/sdk';

const PORTS = ['a', 'b', 'c', 'd'] as const;

type JsonObject = { [key: string]: Json };

function isPlainObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The active inputs in port order a, b, c, d. */
function activeInputs(inputs: Record<string, Json>): Array<[string, Json]> {
  return PORTS.filter((port) => Object.hasOwn(inputs, port)).map((port) => [port, inputs[port] as Json]);
}

/** Joins the data arriving on up to four inputs into one value. */
export const merge = defineNode({
  id: 'core.merge',
  title: 'Merge',
  description:
    'Joins the data of several branches into one: as an object keyed by input (a, b, c, d), as one combined list, or as one object with the fields of all inputs. Waits for the branches that run.',
  keywords: [
    'merge',
    'join',
    'combine',
    'zip',
    'concat',
    'concatenate',
    'append',
    'union',
    'wait for branches',
    'gather',
    'collect inputs',
    'fan in',
  ],
  category: 'flow',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M3 5h4l6 7h8"/><path d="M3 19h4l6-7"/><path d="m18 9 3 3-3 3"/></svg>',
  inputs: [...PORTS],
  outputs: ['main'],
  params: z.strictObject({
    mode: z
      .enum(['object', 'append', 'merge'], {
        error:
          'mode must be "object" ({ a, b, … }), "append" (one combined list) or "merge" (fields of all object inputs in one object)',
      })
      .default('object')
      .describe('object: { a, b, c, d } of the inputs that ran; append: one list; merge: one object, later inputs win'),
  }),
  idempotent: true,
  sideEffects: false,
  run: ({ params, inputs }) => {
    const active = activeInputs(inputs);
    switch (params.mode) {
      case 'object':
        return { output: Object.fromEntries(active) };
      case 'append':
        return { output: active.flatMap(([, value]) => (Array.isArray(value) ? value : [value])) };
      case 'merge': {
        // Spread, not Object.assign: a "__proto__" key in the data stays a plain field.
        let output: JsonObject = {};
        for (const [, value] of active) if (isPlainObject(value)) output = { ...output, ...value };
        return { output };
      }
    }
  },
});
