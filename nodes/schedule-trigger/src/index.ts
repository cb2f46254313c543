import { defineNode, z } from '@apiq/sdk';
import { cronProblem } from './cron.ts';

export { cronProblem } from './cron.ts';

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Starts a run on every tick of a cron schedule (once per tick across all instances). */
export const scheduleTrigger = defineNode({
  id: 'core.schedule_trigger',
  title: 'Schedule trigger',
  description:
    'Starts the workflow on a schedule: every few minutes, hourly, daily at a set time, on weekdays, monthly… written as a cron expression in a chosen time zone. Each tick runs once even with several servers.',
  keywords: [
    'schedule',
    'cron',
    'timer',
    'interval',
    'every',
    'daily',
    'hourly',
    'weekly',
    'monthly',
    'recurring',
    'periodic',
    'time',
    'at',
    'clock',
    'job',
    'trigger',
  ],
  category: 'trigger',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/></svg>',
  trigger: 'schedule',
  outputs: ['main'],
  params: z.strictObject({
    cron: z
      .string({ error: 'cron is required, e.g. "0 9 * * 1-5" for 09:00 on weekdays' })
      .superRefine((cron, ctx) => {
        const problem = cronProblem(cron);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('Cron expression: "minute hour day-of-month month day-of-week", or 6 fields with seconds first'),
    timezone: z
      .string({ error: 'timezone must be an IANA time zone name such as "UTC" or "Europe/Paris"' })
      .default('UTC')
      .superRefine((timezone, ctx) => {
        if (!isTimeZone(timezone)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${timezone}" is not a known IANA time zone; use a name such as "UTC", "Europe/Paris" or "America/New_York"`,
          });
        }
      })
      .describe('IANA time zone the cron times are read in, e.g. "Europe/Paris"'),
    missedTicks: z
      .enum(['skip', 'run_once'], {
        error: 'missedTicks must be "skip" (ignore ticks missed while down) or "run_once" (run once to catch up)',
      })
      .default('skip')
      .describe('Ticks missed while the server was down: skip them, or run once to catch up'),
  }),
  idempotent: true,
  sideEffects: false,
  run: (ctx) => ({ output: ctx.trigger }),
});
