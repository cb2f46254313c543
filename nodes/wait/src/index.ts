import { defineNode, FatalError, z } from '@apiq/sdk';

const MAX_WAIT_MS = 366 * 24 * 60 * 60 * 1000;

const MODE_HELP =
  'mode must be "duration" (wait durationMs), "until" (wait until a date-time) or "webhook" (wait until the resume URL is called)';

/** Suspends the run (without holding a worker) for a time, until a moment, or until resumed by webhook. */
export const wait = defineNode({
  id: 'core.wait',
  title: 'Wait',
  description:
    'Pauses the run for a duration, until a date and time, or until its resume webhook is called (for example a human approval or an external callback), then continues with the same data. A waiting run holds no worker.',
  keywords: [
    'wait',
    'delay',
    'sleep',
    'pause',
    'timer',
    'schedule later',
    'until',
    'resume',
    'callback',
    'approval',
    'human in the loop',
    'webhook resume',
    'hold',
    'throttle',
  ],
  category: 'flow',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M6 3h12"/><path d="M6 21h12"/><path d="M7 3v3l5 6 5-6V3"/><path d="M7 21v-3l5-6 5 6v3"/></svg>',
  params: z
    .strictObject({
      mode: z.enum(['duration', 'until', 'webhook'], { error: MODE_HELP }),
      durationMs: z
        .number({ error: 'durationMs must be a number of milliseconds, e.g. 60000 for one minute' })
        .int('durationMs must be a whole number of milliseconds')
        .min(0, 'durationMs must not be negative')
        .max(MAX_WAIT_MS, 'durationMs must be at most 366 days (31622400000 ms)')
        .optional()
        .describe('For mode "duration": how long to wait, in milliseconds'),
      until: z.iso
        .datetime({
          offset: true,
          error:
            'until must be an ISO date-time with a time zone, e.g. "2030-01-31T09:00:00Z" or "2030-01-31T10:00:00+01:00"',
        })
        .optional()
        .describe('For mode "until": the date-time to wait for; a past time continues at once'),
      timeoutMs: z
        .number({ error: 'timeoutMs must be a number of milliseconds' })
        .int('timeoutMs must be a whole number of milliseconds')
        .min(1, 'timeoutMs must be at least 1')
        .max(MAX_WAIT_MS, 'timeoutMs must be at most 366 days (31622400000 ms)')
        .optional()
        .describe('For mode "webhook": give up waiting after this many milliseconds (no limit when empty)'),
    })
    .superRefine((params, ctx) => {
      if (params.mode === 'duration' && params.durationMs === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['durationMs'],
          message: 'durationMs is required when mode is "duration", e.g. 60000 for one minute',
        });
      }
      if (params.mode === 'until' && params.until === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['until'],
          message: 'until is required when mode is "until", e.g. "2030-01-31T09:00:00Z"',
        });
      }
    }),
  idempotent: true,
  sideEffects: false,
  run: ({ params, input }) => {
    const now = Date.now();
    switch (params.mode) {
      case 'duration':
        if (params.durationMs === undefined) throw new FatalError('Wait in mode "duration" needs durationMs');
        return { output: input, wait: { until: new Date(now + params.durationMs).toISOString() } };
      case 'until':
        if (params.until === undefined) throw new FatalError('Wait in mode "until" needs until');
        return { output: input, wait: { until: new Date(params.until).toISOString() } };
      case 'webhook':
        return {
          output: input,
          wait:
            params.timeoutMs === undefined
              ? { webhook: true }
              : { webhook: true, timeoutAt: new Date(now + params.timeoutMs).toISOString() },
        };
    }
  },
});
