import { defineNode, z } from '@apiq/sdk';

/** Starts a run by hand; the run's input (from the editor, CLI or API) becomes the output. */
export const manualTrigger = defineNode({
  id: 'core.manual_trigger',
  title: 'Manual trigger',
  description:
    "Starts the workflow when you click Run in the editor, or run it from the CLI or the API. The input you give the run becomes this step's output.",
  keywords: [
    'manual',
    'trigger',
    'start',
    'run',
    'click',
    'button',
    'on demand',
    'by hand',
    'test',
    'execute',
    'cli',
    'api call',
  ],
  category: 'trigger',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M7 4v16l13-8z"/></svg>',
  trigger: 'manual',
  outputs: ['main'],
  params: z.strictObject({
    inputSchema: z
      .record(z.string(), z.json(), { error: 'inputSchema must be a JSON Schema object, e.g. { "type": "object" }' })
      .optional()
      .describe('JSON Schema describing the input this workflow expects (informational: shown in the run dialog)'),
  }),
  idempotent: true,
  sideEffects: false,
  run: (ctx) => ({ output: ctx.trigger }),
});
