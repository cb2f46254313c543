import { defineNode, FatalError, z } from '@apiq/sdk';

/** Ends the run as failed with the given message; retries do not apply. */
export const stopError = defineNode({
  id: 'core.stop_error',
  title: 'Stop with error',
  description:
    'Stops the run and marks it as failed with your message, for example when a check fails or data is invalid. The error branch and the error workflow still apply.',
  keywords: [
    'stop',
    'error',
    'fail',
    'throw',
    'abort',
    'raise',
    'exit',
    'halt',
    'cancel',
    'reject',
    'validation failed',
  ],
  category: 'flow',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M8 3h8l5 5v8l-5 5H8l-5-5V8z"/><path d="m9 9 6 6"/><path d="m15 9-6 6"/></svg>',
  params: z.strictObject({
    message: z
      .string({ error: 'message is required: say why the run stops, e.g. "Order total is negative"' })
      .trim()
      .min(1, 'message must not be empty: say why the run stops')
      .max(10_000, 'message is too long (max 10000 characters)'),
  }),
  idempotent: true,
  sideEffects: false,
  run: (ctx) => {
    throw new FatalError(ctx.params.message);
  },
});
