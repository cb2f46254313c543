import { defineNode, FatalError, z, type Json } from '@apiq/sdk';

function describeType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'object' : typeof value;
}

/**
 * Opens a loop: the engine runs the steps after it once per item of the list and closes the
 * loop with an Aggregate step, which receives the per-item results.
 */
export const forEach = defineNode({
  id: 'core.for_each',
  title: 'For each',
  description:
    'Loops over a list: runs the following steps once for every item (one at a time or several in parallel), then an Aggregate step collects the results. Use it to process each row, record, order or file separately.',
  keywords: [
    'for each',
    'loop',
    'iterate',
    'each item',
    'foreach',
    'split',
    'batch',
    'items',
    'list',
    'array',
    'repeat',
    'map over',
    'parallel',
  ],
  category: 'flow',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="m17 2 4 4-4 4"/><path d="M3 11v-1a4 4 0 0 1 4-4h14"/><path d="m7 22-4-4 4-4"/><path d="M21 13v1a4 4 0 0 1-4 4H3"/></svg>',
  outputs: ['item'],
  params: z.strictObject({
    items: z
      .json({ error: 'items must be JSON data, usually an expression that points at a list such as $input.items' })
      .optional()
      .describe('The list to loop over, usually an expression such as $input.items; the input itself when empty'),
    concurrency: z
      .number({ error: 'concurrency must be a number between 1 and 50' })
      .int('concurrency must be a whole number')
      .min(1, 'concurrency must be at least 1')
      .max(50, 'concurrency must be at most 50')
      .default(1)
      .describe('How many items run at the same time'),
  }),
  idempotent: true,
  sideEffects: false,
  run: ({ params, input }) => {
    const fromParam = params.items !== undefined;
    const items: Json = params.items === undefined ? input : params.items;
    if (!Array.isArray(items)) {
      const where = fromParam ? 'the "items" parameter' : 'the input (no "items" parameter set)';
      throw new FatalError(
        `For each expects a list, got ${describeType(items)} from ${where}. Set "items" to an expression that returns a list, such as $input.items.`,
      );
    }
    return { output: items };
  },
});
