import { defineNode, z, type Json } from '@apiq/sdk';
import { fieldNameProblem, isPlainObject, setPath } from './set-path.ts';

/** Adds or changes fields of the data (dotted names reach into nested objects), or replaces it. */
export const setFields = defineNode({
  id: 'core.set',
  title: 'Set fields',
  description:
    'Adds, changes or renames fields of the data passing through, or builds a new object from scratch. Values can be fixed or computed from earlier steps; dotted names such as customer.email set nested fields.',
  keywords: [
    'set',
    'edit',
    'fields',
    'assign',
    'add field',
    'rename',
    'map',
    'transform',
    'modify',
    'update',
    'build object',
    'shape',
    'mapping',
    'variables',
  ],
  category: 'data',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M4 20h4L19 9l-4-4L4 16z"/><path d="m13 7 4 4"/></svg>',
  params: z.strictObject({
    fields: z
      .record(z.string(), z.json({ error: 'field values must be JSON data' }), {
        error: 'fields must be an object of field name to value, e.g. { "status": "paid", "customer.email": "a@b.c" }',
      })
      .superRefine((fields, ctx) => {
        for (const name of Object.keys(fields)) {
          const problem = fieldNameProblem(name);
          if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
        }
      })
      .describe('Field names (dots reach into nested objects) and their values'),
    mode: z
      .enum(['merge', 'replace'], {
        error: 'mode must be "merge" (change fields of the input) or "replace" (output only these fields)',
      })
      .default('merge')
      .describe('merge: keep the input and set these fields on it; replace: output only these fields'),
  }),
  idempotent: true,
  sideEffects: false,
  run: ({ params, input }) => {
    let output: { [key: string]: Json } = params.mode === 'merge' && isPlainObject(input) ? { ...input } : {};
    for (const [name, value] of Object.entries(params.fields)) output = setPath(output, name, value);
    return { output };
  },
});
