import { conditionSchema, defineNode, evaluateCondition, FatalError, z, type Json } from '@apiq/sdk';

const MAX_CASES = 4;

/** Routes its input to `case_1`…`case_4` by json-logic conditions, or to `default` when none match. */
export const switchNode = defineNode({
  id: 'core.switch',
  title: 'Switch',
  description:
    'Routes the incoming data to one of several branches (up to four cases plus a default) by checking a condition for each case, like a switch / case or a router. Can also send it to every matching branch.',
  keywords: [
    'switch',
    'case',
    'router',
    'route',
    'branch',
    'multiple conditions',
    'conditional',
    'if else',
    'elif',
    'match',
    'classify',
    'dispatch',
    'fan out',
    'json-logic',
  ],
  category: 'flow',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M3 12h6"/><path d="M9 12 14 5h6"/><path d="M9 12h11"/><path d="m9 12 5 7h6"/></svg>',
  outputs: ['case_1', 'case_2', 'case_3', 'case_4', 'default'],
  params: z.strictObject({
    cases: z
      .array(
        z.strictObject({
          condition: conditionSchema,
          label: z
            .string()
            .max(100, 'label is too long (max 100 characters)')
            .optional()
            .describe('A name for this branch, shown on the canvas'),
        }),
        { error: 'cases must be a list of { "condition": ... } objects, one per branch' },
      )
      .min(1, 'cases needs at least one case')
      .max(
        MAX_CASES,
        `cases has at most ${MAX_CASES} entries (case_1 … case_${MAX_CASES}); use another Switch for more`,
      ),
    mode: z
      .enum(['first', 'all'], {
        error: 'mode must be "first" (only the first matching case fires) or "all" (every matching case fires)',
      })
      .default('first'),
  }),
  idempotent: true,
  sideEffects: false,
  run: ({ params, input, trigger }) => {
    const ports: Record<string, Json> = {};
    for (const [i, c] of params.cases.entries()) {
      let matched: boolean;
      try {
        matched = evaluateCondition(c.condition, { input, trigger });
      } catch (err) {
        throw new FatalError(
          `Switch could not evaluate case ${i + 1}: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      if (!matched) continue;
      ports[`case_${i + 1}`] = input;
      if (params.mode === 'first') break;
    }
    if (Object.keys(ports).length === 0) ports.default = input;
    return { ports };
  },
});
