import { defineNode, z } from '@apiq/sdk';

/** Passes its input through unchanged: a placeholder, a join point or a spot to pin data. */
export const noOp = defineNode({
  id: 'core.no_op',
  title: 'No operation',
  description:
    'Does nothing and passes the data through unchanged. Use it as a placeholder while building, a named join point, or a place to inspect or pin data.',
  keywords: ['no-op', 'noop', 'pass through', 'passthrough', 'placeholder', 'do nothing', 'identity', 'empty', 'dummy'],
  category: 'flow',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M4 12h16"/><path d="m14 6 6 6-6 6"/></svg>',
  params: z.strictObject({}),
  idempotent: true,
  sideEffects: false,
  run: (ctx) => ({ output: ctx.input }),
});
