import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';
import { OPSGENIE_KEY } from '../testing/stand-ins.ts';

const alertmanager = (status: string, severity: string) => ({
  version: '4',
  groupKey: '{}:{alertname="CheckoutErrors"}',
  status,
  receiver: 'apiq',
  commonLabels: { alertname: 'CheckoutErrors', severity, service: 'checkout' },
  commonAnnotations: { summary: '5xx rate above 5% for 10 minutes' },
  alerts: [{ status, generatorURL: 'https://prometheus.acme.example/graph?g0.expr=checkout' }],
});

export default scenario(async (world, workflow) => {
  const fired = await world.webhook(workflow, { body: alertmanager('firing', 'critical') });
  expect(fired.status).toBe(202);
  const run = await world.finished((fired.body as { runId: string }).runId);
  expect(run.status).toBe('succeeded');
  expect(world.slack.messages.at(-1)).toMatchObject({
    channel: 'C0INCIDENTS',
    text: ':rotating_light: *FIRING* [CRITICAL] CheckoutErrors on checkout: 5xx rate above 5% for 10 minutes',
  });
  expect(world.opsgenie.requests).toHaveLength(1);
  expect(world.opsgenie.requests[0]!.headers.authorization).toBe(OPSGENIE_KEY);
  expect(world.opsgenie.requests[0]!.json).toEqual({
    message: 'CheckoutErrors on checkout',
    alias: '{}:{alertname="CheckoutErrors"}',
    description: '5xx rate above 5% for 10 minutes\n\nhttps://prometheus.acme.example/graph?g0.expr=checkout',
    priority: 'P1',
    source: 'APIQ',
    tags: ['apiq', 'checkout'],
  });

  // A recovery is posted but pages nobody.
  const resolved = await world.webhook(workflow, { body: alertmanager('resolved', 'critical') });
  const second = await world.finished((resolved.body as { runId: string }).runId);
  expect(second.status).toBe('succeeded');
  expect(second.byStep.page_on_call?.status).toBe('skipped');
  expect(world.slack.messages.at(-1)!.text).toMatch(/^:white_check_mark: \*RESOLVED\*/);
  expect(world.opsgenie.requests).toHaveLength(1);
});
