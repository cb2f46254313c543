import { z } from '@apiq/sdk';

const Uuid = z.string().uuid('must be an id (uuid)');

/** When a rule fires. Each condition fires once, and resolves when it no longer holds. */
export const AlertCondition = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run_failed') }).describe("A workflow's latest run failed (resolves when one succeeds)"),
  z
    .object({
      kind: z.literal('failures_in_window'),
      count: z.number().int().min(1, 'count must be at least 1').max(100_000),
      minutes: z.number().int().min(1, 'minutes must be at least 1').max(10_080, 'minutes must be at most a week'),
    })
    .describe('At least `count` runs failed within the last `minutes`'),
  z
    .object({ kind: z.literal('duration_over'), ms: z.number().int().min(1, 'ms must be at least 1') })
    .describe("A workflow's latest run took longer than `ms`"),
  z
    .object({ kind: z.literal('connection_down'), connectionId: Uuid })
    .describe("The connection's last health check failed"),
]);
export type AlertCondition = z.infer<typeof AlertCondition>;

/** Where a firing goes. */
export const AlertChannel = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('email'), target: z.string().email('target must be an email address') }),
    z.object({
      type: z.literal('slack'),
      target: z
        .string()
        .min(1, 'target must be a Slack incoming-webhook URL or a channel')
        .describe('An incoming-webhook URL, or a channel ("#alerts" or its id) posted to with connectionId'),
      connectionId: Uuid.optional().describe('A Slack connection whose bot token posts with chat.postMessage'),
    }),
    z.object({ type: z.literal('webhook'), target: z.string().url('target must be a URL such as https://…') }),
  ])
  .superRefine((c, ctx) => {
    if (c.type === 'slack' && !/^https?:\/\//.test(c.target) && !c.connectionId)
      ctx.addIssue({
        code: 'custom',
        path: ['connectionId'],
        message:
          'posting to a Slack channel needs a Slack connection (its bot token); or give an incoming-webhook URL as target',
      });
  });
export type AlertChannel = z.infer<typeof AlertChannel>;

export const AlertRuleInput = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(200),
  /** null or absent: every workflow of the workspace. */
  workflowId: Uuid.nullable().optional(),
  condition: AlertCondition,
  channels: z.array(AlertChannel).max(10, 'at most 10 channels per rule').default([]),
  /**
   * Sets the workflow's error workflow (its `errorWorkflowId` setting), which the engine starts
   * with the failure whenever a run of the workflow fails. Needs `workflowId`.
   */
  errorWorkflowId: Uuid.nullable().optional(),
});
export type AlertRuleInput = z.input<typeof AlertRuleInput>;

export const AlertRuleUpdate = AlertRuleInput.partial().extend({ id: Uuid });
export type AlertRuleUpdate = z.input<typeof AlertRuleUpdate>;
