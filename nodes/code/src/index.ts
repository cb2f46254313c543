import { CodeError, runUserCode, SandboxError, type UserCodeData } from '@apiq/sandbox';
import { defineNode, FatalError, z, type LogEntry, type Logger, type NodeContext } from '@apiq/sdk';

const params = z.strictObject({
  code: z
    .string({ error: 'code must be JavaScript text' })
    .min(1, {
      error: 'code is required: write the body of a function that returns the output, e.g. return { total: 1 };',
    })
    .describe(
      'JavaScript run as the body of an async function. Available: input, trigger, item and index (inside a loop), steps. Return the output; console.log goes to the step log.',
    ),
  timeoutMs: z
    .number()
    .int()
    .min(10, { error: 'timeoutMs must be at least 10' })
    .max(60000, { error: 'timeoutMs must be at most 60000 (one minute)' })
    .default(1000)
    .describe('Stop the code after this many milliseconds'),
  memoryMb: z
    .number()
    .int()
    .min(8, { error: 'memoryMb must be at least 8' })
    .max(512, { error: 'memoryMb must be at most 512' })
    .default(64)
    .describe('Stop the code when it uses more memory than this, in MB'),
});

/** Runs user JavaScript on the data in an isolated sandbox and outputs what it returns. */
export const code = defineNode({
  id: 'core.code',
  title: 'Code',
  description:
    'Runs your own JavaScript on the data passing through and outputs what it returns. The code is the body of an async function that sees input, trigger, item and index (inside a for-each loop) and steps; console.log lines go to the step log. It runs in an isolated sandbox with time and memory limits and no network or file access.',
  keywords: [
    'code',
    'javascript',
    'js',
    'script',
    'function',
    'custom',
    'transform',
    'compute',
    'calculate',
    'map',
    'filter',
    'reduce',
    'sort',
    'program',
    'logic',
  ],
  category: 'code',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="m16 18 6-6-6-6"/><path d="m8 6-6 6 6 6"/><path d="m14.5 4-5 16"/></svg>',
  params,
  idempotent: true,
  sideEffects: false,
  run: async (ctx) => {
    try {
      const { value, logs } = await runUserCode({
        code: ctx.params.code,
        data: bindingsOf(ctx),
        timeoutMs: ctx.params.timeoutMs,
        memoryMb: ctx.params.memoryMb,
        signal: ctx.signal,
        // Runs of this workflow's code share a context; other workflows never see it.
        reuseKey: ctx.run.workflowId,
      });
      forwardLogs(logs, ctx.log);
      return { output: value };
    } catch (err) {
      if (!(err instanceof SandboxError)) throw err;
      forwardLogs(err.logs, ctx.log);
      // A bug in the user's code does not go away by retrying.
      throw new FatalError(err.message, { cause: err, details: errorDetails(err) });
    }
  },
});

/** What the code sees. Inside a for-each loop, `item` is the loop's current item. */
function bindingsOf(ctx: NodeContext<unknown>): UserCodeData {
  const data: UserCodeData = { input: ctx.input, trigger: ctx.trigger, steps: {} };
  if (ctx.loop) {
    data.item = ctx.loop.item;
    data.index = ctx.loop.index;
  } else {
    const index = loopIndex(ctx.run.iteration);
    if (index !== undefined) {
      data.item = ctx.input;
      data.index = index;
    }
  }
  return data;
}

/** `''` outside loops, `'3'` for the 4th item, `'3.0'` when nested: the innermost loop's index. */
export function loopIndex(iteration: string): number | undefined {
  if (iteration === '') return undefined;
  const last = Number(iteration.split('.').pop());
  return Number.isInteger(last) && last >= 0 ? last : undefined;
}

function forwardLogs(logs: LogEntry[], log: Logger): void {
  for (const entry of logs) log[entry.level](entry.message);
}

function errorDetails(err: SandboxError): Record<string, string | number> {
  const details: Record<string, string | number> = { error: err.name };
  if (err instanceof CodeError && err.line !== undefined) details.line = err.line;
  return details;
}
