import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const submitted = await world.webhook(workflow, {
    body: {
      employee: 'Grace',
      email: 'grace@acme.example',
      amount: 1249.5,
      currency: 'EUR',
      purpose: 'Conference trip',
    },
  });
  expect(submitted.status).toBe(202);
  const { runId } = submitted.body as { runId: string; status: string };
  expect(submitted.body).toEqual({ status: 'pending_approval', runId });
  const parked = await world.finished(runId);
  expect(parked.status).toBe('waiting');

  const message = world.slack.messages.at(-1)!;
  expect(message.channel).toBe('C0APPROVALS');
  const text = String(message.text);
  expect(text).toMatch(/^:receipt: Grace submitted 1,249.50 EUR for "Conference trip"\.\nTo decide, POST/);
  // The link names this instance's public URL; call the same path on the test server.
  const link = new URL(/\S+\/webhook-resume\/\S+$/.exec(text)![0]);
  const resumed = await fetch(`${world.base}${link.pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ approved: true }),
  });
  expect(resumed.status).toBe(202);
  const run = await world.finished(runId, { parked: false });
  expect(run.status).toBe('succeeded');
  expect(run.byStep.tell_rejected?.status).toBe('skipped');
  const mail = world.smtp.received.find((m) => m.envelope.to.includes('grace@acme.example'))!;
  expect(mail.parsed.subject).toBe('Expense approved: Conference trip');
  expect(mail.parsed.text).toContain('your expense of 1,249.50 EUR was approved');
});
